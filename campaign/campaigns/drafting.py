"""A first draft of a campaign's ask (title, target, petition text) from an imported article's parts.

Plain rules over the parsed article, no text generation. Each field says where it came from;
when no rule fits, the field is empty with the reason, and the importer keeps what it did before.
The title always has a rule that fits (T5), so a campaign never leads with the headline.

Title, an ask (the first rule that yields one wins):
  T1. The petition action: its quoted petition titles, item labels, title, text and item texts,
      in that order; the first that begins with an ask verb (keep, save, stop, fund, delay...),
      also after "Petition to" or "asks (them) to".
  T2. The contact and letter actions: a sentence of the example letter, a what-to-say line, the
      action's text or an item that asks: "Please <verb>...", "I urge you to <verb>...",
      "(We) ask (them / the council) to <verb>...", "Urge ... to <verb>...".
  T3. The headline's subject: "... End / Cut / Close / Scrap / Eliminate X" gives "Save X";
      "... Moving X from A to B" gives "Keep X in A".
  T4. An ask elsewhere (campaign.campaigns.fallback_asks): the title of another action that is
      not a petition, event, group or sharing one, starting with an ask verb that is not also
      the reader's ("Stop the Spills"), also after "Urge / Ask / Tell X to"; a sentence of its
      text after such a lead; then in the commentary and closing words, "X should / must /
      needs to <verb> Y" (not "should not") gives "<Verb> Y", "we are asking / want X to <verb> Y"
      gives "<Verb> Y", and "we want / need / call for Y" gives "Commit to Y".
  T5. The last resort, always an ask: "Tell <target> to act on <topic>" with the drafted target
      (or the one body the headline names), else "Ask your representatives to act on <topic>",
      else "Act on <topic>" when only that fits. The topic comes from the headline without its
      label ("Opinion:") and trailing attribution (": Source", " - Reuters", ", Officials Say"):
      what an actor (council, board, governor...) acts on ("Council Approves X": the X; "Board
      Votes to Sell X": the plan to sell X), else the subject ("Heat Deaths Rise": heat deaths),
      else the whole headline; a headline about a state ("Lists Are Longer") is "the news that
      ...", never cut. The title's source starts "a last resort from the headline".
  An ask is one sentence without its final stop; one longer than 80 characters is cut before
  its last "for / before / by / so / because / in / at / until / after" clause while at least
  three words stay (T4 first drops what follows a first comma; T5 cuts the topic at such a
  clause or a word while four words stay, never leaving "of / the / and..." at its end).
Target, whom the petition is addressed to (joined "A, B and C"):
  R1. Bodies named in the petition action, or in the titles and texts of contact and letter
      actions: a capitalized name ending in Council, Board, Commission, Authority, Committee,
      Legislature, Parliament, Government, Ministry, Department, Agency or Assembly ("the
      Transit Board"), unless followed by Member(s), website, Offices, Building, Chambers, meeting.
  R2. Offices: each contact's office, and offices these actions' titles, texts and item labels
      name ("Your State Representative", "members of Congress"), in the plural ("Senators"), with
      a State / County / City / Town / Borough / Parish word kept when the action names it.
  R3. When the article names exactly one official and not as a sample or example, the target is
      that official ("Council Member Jane Roe", "Jane Roe MP").
  Nothing named: empty, flagged.
Petition text, a few sentences (at most five, 1,000 characters):
  S1. The ask: "We call on <target> to <ask>." (or the ask alone without a target); for T5,
      "We call on <target, the body, or our representatives> to act on <topic>."
  S2. The petition action's statements: "Our petition asks for X" becomes "We ask for X."; other
      sentences of its text and items, unless they tell the reader what to do or talk about
      petitions or websites.
  S3. Further petition titles: "We also ask them to <title>." (its Title Case lowered for words
      the article writes in lower case).
  S4. The letter's what-to-say lines that state a concern ("Express your concern about X" becomes
      "We are concerned about X.") and the example letter's sentences that are not personal (no
      I, me, my) and not a greeting or the ask itself.
  Nothing found: the importer's first draft stays, flagged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from campaign.articles import ImportedAction, ImportedArticle
from campaign.campaigns import fallback_asks
from campaign.campaigns.addressees import action_label as _label
from campaign.campaigns.addressees import draft_target, unique
from campaign.campaigns.ask_phrases import (
    ASK_LEAD,
    ASK_VERBS,
    READER_VERBS,
    Ask,
    article_lower_words,
    clean,
    sentence_case,
    starts_with_ask,
)
from campaign.campaigns.ask_phrases import sentences as split_sentences

PETITION_MAX = 1000
SENTENCES_MAX = 5

_SAVE = re.compile(r"\b(?:End|Ends|Ending|Cut|Cuts|Cutting|Close|Closes|Closing|Scrap|Scraps"
                   r"|Eliminate|Eliminates|Axe|Axes)\s+(?P<what>.+)$")
_MOVE = re.compile(r"\b(?:Move|Moves|Moving)\s+(?P<what>.+?)\s+[Ff]rom\s+(?P<place>.+?)\s+[Tt]o\s+")
_PERSONAL = re.compile(r"\b(?:I|I'm|I've|me|my|mine)\b")
_OFF_TOPIC = re.compile(r"petition|website|\bsite\b|online|\.org|\.com|sincerely|thank you",
                        re.IGNORECASE)
_OUR_PETITION = re.compile(r"^(?:our|this) petition (?:asks|calls) (?P<rest>(?:for|that)\s.+)$",
                           re.IGNORECASE)
_CONCERN = re.compile(r"^express your concerns? (?P<rest>(?:about|over|at)\s.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Drafted:
    """One drafted field: its text ("" when no rule fits) and where it came from, or why not."""

    value: str
    source: str

    @property
    def found(self) -> bool:
        return bool(self.value)


@dataclass(frozen=True)
class Draft:
    """The drafted ask of an article: title, target and petition text."""

    title: Drafted
    target: Drafted
    petition_text: Drafted


def draft_ask(article: ImportedArticle) -> Draft:
    """Propose a title, a target and a petition text from the article's own parts."""
    actions = [action for section in article.sections for action in section.actions]
    ask = (_petition_ask(actions) or _letter_ask(actions) or _headline_ask(article.headline)
           or fallback_asks.elsewhere_ask(article, actions))
    target = Drafted(*draft_target(actions))
    lower_words = article_lower_words(article)
    if ask is None:
        ask = fallback_asks.topic_ask(article, target.value)
    title = Drafted(ask.text[:1].upper() + ask.text[1:], ask.source)
    return Draft(title=title, target=target,
                 petition_text=_statement(ask, target, actions, lower_words))


def _petition_ask(actions: list[ImportedAction]) -> Ask | None:
    """T1: the first ask the petition action's titles, labels, title, text or items make."""
    for action in actions:
        if action.kind != "petition":
            continue
        places = ([(t, f"petition title '{t}'", True) for t in action.petition_titles]
                  + [(i.label, f"item '{i.label}'", True) for i in action.items if i.label]
                  + [(action.title, "its title", True), (action.text, "its text", False)]
                  + [(i.text, f"item '{i.label or i.text[:30]}'", False) for i in action.items])
        for text, where, title_case in places:
            for sentence in split_sentences(text):
                lead = ASK_LEAD.search(sentence)
                phrase = clean(sentence[lead.end():] if lead else sentence)
                if starts_with_ask(phrase):
                    return Ask(phrase, f"{_label(action)}, {where}", title_case)
    return None


def _letter_ask(actions: list[ImportedAction]) -> Ask | None:
    """T2: the first "please / urge you to / ask them to" sentence of a contact or letter."""
    for action in actions:
        if action.kind not in ("contact", "letter"):
            continue
        letter = action.letter
        places = ([(s, "example letter") for s in split_sentences(letter.example)] if letter else [])
        places += [(point, "what to say") for point in (letter.what_to_say if letter else [])]
        places += [(s, "its text") for s in split_sentences(action.text)]
        places += [(s, f"item '{i.label or i.text[:30]}'") for i in action.items for s in split_sentences(i.text)]
        for sentence, where in places:
            lead = ASK_LEAD.search(sentence)
            if lead:
                phrase = clean(sentence[lead.end():])
                if starts_with_ask(phrase):
                    return Ask(phrase, f"{_label(action)}, {where}", False)
    return None


def _headline_ask(headline: str) -> Ask | None:
    """T3: a headline that ends or moves something, turned into keeping it."""
    moved, ended = _MOVE.search(headline), _SAVE.search(headline)
    if moved:
        ask = Ask(clean(f"Keep {moved['what']} in {moved['place']}"),
                   "the headline (moving X from A: keep X in A)", True)
    elif ended:
        ask = Ask(clean(f"Save {ended['what']}"), "the headline (ending X: save X)", True)
    else:
        return None
    return ask if ask.text else None


def _statement(ask: Ask | None, target: Drafted, actions: list[ImportedAction],
               lower_words: set[str]) -> Drafted:
    """S1-S4: the petition text's sentences, each with where it came from."""
    sentences: list[str] = []
    sources: list[str] = []
    if ask and ask.statement:
        sentences.append(ask.statement)
        sources.append(f"the ask ({ask.source})")
    elif ask:
        phrase = sentence_case(ask.text, lower_words) if ask.title_case else ask.text[:1].lower() + ask.text[1:]
        phrase = phrase.removesuffix(".")  # "... 6 a.m." ends the sentence with its own stop
        sentences.append(f"We call on {target.value} to {phrase}." if target.found
                         else f"{phrase[:1].upper()}{phrase[1:]}.")
        sources.append(f"the ask ({ask.source})")
    for action in actions:
        if action.kind == "petition":
            _petitionsentences(action, ask, lower_words, sentences, sources)
        elif action.letter is not None:
            _lettersentences(action, sentences, sources)
    sentences = unique(sentences)[:SENTENCES_MAX]
    while len(" ".join(sentences)) > PETITION_MAX and len(sentences) > 1:
        sentences.pop()
    if not sentences:
        return Drafted("", "No ask or statement found in the petition or letter actions")
    return Drafted(" ".join(sentences)[:PETITION_MAX], "; ".join(unique(sources)))


def _petitionsentences(action, ask, lower_words, sentences, sources) -> None:
    """S2 and S3: the petition action's own statements and its further titles."""
    texts = [(action.text, "its text")] + [(item.text, f"item '{item.label or item.text[:30]}'")
                                           for item in action.items]
    for text, where in texts:
        for sentence in split_sentences(text):
            ours = _OUR_PETITION.match(sentence)
            if ours:
                sentences.append(f"We ask {ours['rest'].rstrip('.')}.")
            elif _is_statement(sentence):
                sentences.append(sentence)
            else:
                continue
            sources.append(f"{_label(action)}, {where}")
    for title in action.petition_titles:
        if ask is not None and title.startswith(ask.text):
            continue
        phrase = clean(title)
        if starts_with_ask(phrase):
            sentences.append(f"We also ask them to {sentence_case(phrase, lower_words)}.")
            sources.append(f"{_label(action)}, petition title '{title}'")


def _lettersentences(action, sentences, sources) -> None:
    """S4: concerns from what to say, and the example letter's general sentences."""
    for point in action.letter.what_to_say:
        concern = _CONCERN.match(point.strip())
        if concern:
            sentences.append(f"We are concerned {concern['rest'].rstrip('.')}.")
            sources.append(f"{_label(action)}, what to say")
    for sentence in split_sentences(action.letter.example):
        if _is_statement(sentence) and not ASK_LEAD.search(sentence):
            sentences.append(sentence.strip("\"“”"))
            sources.append(f"{_label(action)}, example letter")


def _is_statement(sentence: str) -> bool:
    """A sentence that states the case: not an instruction, not personal, not about the page."""
    words = sentence.split()
    if len(words) < 4 or not sentence.rstrip("\"”").endswith((".", "!")):
        return False
    first = words[0].lower().strip("\"“,")
    return (first not in READER_VERBS and first not in ASK_VERBS and first != "dear"
            and not _PERSONAL.search(sentence) and not _OFF_TOPIC.search(sentence))
