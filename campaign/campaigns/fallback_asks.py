"""The drafted title's later rules, T4 and T5: an ask elsewhere in the article, and a last resort.

The rules are listed with the others in campaign.campaigns.drafting.
"""
from __future__ import annotations

import re

from campaign.articles import ImportedAction, ImportedArticle
from campaign.campaigns.addressees import action_label, bodies_named
from campaign.campaigns.ask_phrases import (
    ASK_LEAD,
    READER_VERBS,
    TITLE_MAX,
    Ask,
    clean,
    sentences,
    starts_with_ask,
)

LAST_RESORT = "a last resort from the headline"  # how the review tells this title apart
# Kinds whose titles tell the reader what to do ("Support Local Groups", "Host a Meetup").
_READER_KINDS = ("petition", "organizations", "share", "event", "host")
_MODAL = re.compile(r"\b(?:should|must|needs? to|has to|have to|ought to)\s+"
                    r"(?!not\b|never\b)(?:(?:also|now|urgently|immediately|finally)\s+)?(?=\w)",
                    re.IGNORECASE)
_WE_ASK = re.compile(r"\bwe(?:\s+are|'re)?\s+(?:asking|urging|calling on|want|need)\s+"
                     r"(?:[\w\s'-]{1,40}?\s+)?to\s+(?=\w)", re.IGNORECASE)
_WE_WANT = re.compile(r"\bwe(?:\s+are|'re)?\s+(?:want|need|demand|call for|calling for)\s+"
                      r"(?P<what>\w.+)", re.IGNORECASE)

# Titles that begin with an ask verb but ask the reader: "Keep in Touch", "Make Your Voice Heard".
_NOT_AN_ASK = re.compile(r"^\w+\s+(?:in touch|up\b|informed|talking|going|watching|an eye|track|your voice"
                         r"|the pressure|connected|updated|engaged|it\b)", re.IGNORECASE)
# Trailing attribution: "... : Source", "... - Reuters", "... | Herald", "..., Officials Say".
_ATTRIBUTION = re.compile(
    r"(?:\s*[:|]\s+[^:|]{1,40}|\s+[-–—]\s+[^-–—]{1,40}"
    r"|,?\s+(?:says?|said|according to|reports?|warns?|claims?)(?:\s+\S+){1,4}"
    r"|,\s+(?:[\w.'-]+\s+){1,4}(?:says?|said|warns?|claims?|finds?|shows?))\s*$", re.IGNORECASE)
_LABEL = re.compile(r"^(?:opinion|analysis|exclusive|breaking|update|editorial|explainer)\s*:\s*",
                    re.IGNORECASE)
# A headline's verb: the words before it are its subject, the words after it what it is about.
_VERBS = frozenset({
    "approves", "backs", "bans", "blocks", "delays", "defers", "postpones", "plans", "proposes",
    "considers", "weighs", "eyes", "mulls", "rejects", "grants", "puts", "sets", "raises",
    "hikes", "lifts", "eases", "slashes", "trims", "sells", "buys", "adds", "drops", "faces",
    "seeks", "wants", "pushes", "launches", "unveils", "opens", "shuts", "allows", "permits",
    "passes", "signs", "vetoes", "votes", "fails", "refuses", "agrees", "advances", "stalls",
    "shelves", "kills", "halts", "pauses", "freezes", "expands", "extends", "limits", "caps",
    "changes", "reviews", "targets", "threatens", "sparks", "prompts", "leaves", "keeps", "gives",
    "takes", "makes", "rules", "finds", "orders", "fines", "fined", "sues", "loses", "wins",
    "misses", "hits", "needs", "awaits", "announces", "outlines", "drafts", "floats", "debates",
    "reconsiders", "revives", "renews", "approved", "delayed", "rejected", "passed", "would",
    "will", "could", "may", "might", "to", "is", "are", "was", "were", "has", "have", "says",
    "rise", "rises", "climb", "climbs", "fall", "falls", "soar", "soars", "surge", "surges",
    "grow", "grows", "double", "doubles", "jump", "jumps", "spike", "spikes", "deserve",
    "deserves", "need", "struggle", "struggles", "remain", "remains", "worsen", "worsens",
})
_MODALS = frozenset({"to", "would", "will", "could", "may", "might"})
# Who acts in a headline: what it does is the topic, not the actor itself.
_ACTOR = re.compile(
    r"\b(?:council|board|authority|commission|committee|government|ministry|department|agency"
    r"|assembly|parliament|congress|senate|house|legislature|lawmakers|governor|mayor|ministers?"
    r"|president|court|judge|police|trust|company|firm|city|county|state|district|university"
    r"|officials?|regulators?|panel|union|developers?|landlords?|operators?|utility|schools?|bill"
    r"|plan|law|budget|review|report|audit|study|survey|workers|teachers|nurses|doctors|residents"
    r"|parents|voters|drivers|officers|leaders)\b", re.IGNORECASE)
_STATES = frozenset({"is", "are", "was", "were", "has", "have"})  # "X Has No Y": the whole is the news
_ABOUT = re.compile(r"^(?:(?:its|their|the|a|an)\s+)?(?:[\w-]+\s+)??(?:decision|vote|plans?|ruling"
                    r"|proposal|bid|move|talks|action|review|debate|options?)"
                    r"\s+(?:on|over|about|for|to)\s+(?:the\s+(?:future|fate)\s+of\s+)?", re.IGNORECASE)
_TAIL = re.compile(r"\s+(?:as|after|amid|despite|while|following|ahead of|until|since|because)\s+.*$"
                   r"|,.*$", re.IGNORECASE)
_CLAUSE = re.compile(r"\s+(?:for|before|by|in|at|until|after|over|with|near|from|to|on|of|between|across)\s+")
_DETERMINERS = frozenset({"a", "an", "the", "this", "that", "these", "those", "its", "their",
                         "our", "his", "her", "your", "every", "all", "no", "some"})
_DANGLING = frozenset({"a", "an", "the", "of", "for", "in", "on", "at", "to", "and", "or", "by",
                      "with", "over", "from", "its", "their", "between", "across", "near"})


def elsewhere_ask(article: ImportedArticle, actions: list[ImportedAction]) -> Ask | None:
    """T4: an ask in another action's title or text, or in the commentary's own sentences."""
    for action in actions:
        if action.kind in _READER_KINDS:
            continue
        places = [(action.title, "its title", True)] + [(s, "its text", False) for s in sentences(action.text)]
        for text, where, title_case in places:
            phrase = _action_phrase(text, needs_lead=not title_case)
            if phrase:
                return Ask(phrase, f"{action_label(action)}, {where}", title_case)
    texts = [(p, "the commentary") for p in article.commentary] + [(article.closing, "the closing words")]
    for text, where in texts:
        for sentence in sentences(text):
            phrase = _commentary_phrase(sentence)
            if phrase:
                return Ask(phrase[:1].upper() + phrase[1:], f"{where}, '{sentence[:48]}…'", False)
    return None


def _action_phrase(text: str, needs_lead: bool) -> str:
    """A title "Stop X" or "Urge ... to stop X"; a sentence only with its lead ("we ask them to")."""
    lead = ASK_LEAD.search(text)
    phrase = _cut(text[lead.end():] if lead else text)
    if not starts_with_ask(phrase) or _NOT_AN_ASK.match(phrase) or (needs_lead and not lead):
        return ""
    return phrase if lead or phrase.split()[0].lower() not in READER_VERBS else ""


def _commentary_phrase(sentence: str) -> str:
    """ "X should / must <verb> Y" or "we are asking X to <verb> Y": <verb> Y; "we want Y": commit to Y."""
    for pattern in (_MODAL, _WE_ASK):
        found = pattern.search(sentence)
        if found:
            phrase = _cut(sentence[found.end():])
            if starts_with_ask(phrase):
                return phrase
    wanted = _WE_WANT.search(sentence)
    if wanted and not wanted["what"].lower().startswith("to "):
        phrase = _cut(f"commit to {wanted['what'].split(',')[0]}")  # the thing, not its asides
        return phrase if len(phrase.split()) >= 4 else ""
    return ""


def _cut(text: str) -> str:
    """clean(), but a sentence too long for a title first loses what follows its first comma."""
    if len(text) > TITLE_MAX and "," in text:
        text = text.split(",")[0]
    phrase = clean(text)
    if re.search(r"\b[ap]\.m$", phrase):  # "6 a.m." keeps the stop that clean() took
        phrase += "."
    return phrase


def topic_ask(article: ImportedArticle, target: str) -> Ask:
    """T5: "Tell <target> to act on <topic>", "Ask your representatives to ...", or "Act on <topic>"."""
    topic, how = headline_topic(article)
    bodies = bodies_named(article.headline) if not target else []
    whom = target or (bodies[0] if len(bodies) == 1 else "")
    leads = [(f"Tell {whom} to act on", whom, "the drafted target" if target
              else "the body the headline names")] if whom else []
    leads.append(("Ask your representatives to act on", "our representatives", "no target named"))
    tries = [(lead, topic) for lead in leads]
    if not topic.startswith("the news that "):  # a clause is not cut: it would say something else
        tries += [(lead, _fit(topic, TITLE_MAX - len(lead[0]) - 1)) for lead in leads]
    short = ("Act on", whom or "our representatives", "the short form")
    tries.append((short, topic))
    # Past all of these, a shorter topic: the news's own words cut, or "this issue" for none.
    tries += [(lead, _fit(topic.removeprefix("the news that "), TITLE_MAX - len(lead[0]) - 1, words_kept=2))
              for lead in leads]
    tries.append((short, _fit(topic.removeprefix("the news that "), TITLE_MAX - 7, words_kept=1) or "this issue"))
    (lead, called_on, said), cut = next((lead, cut) for lead, cut in tries
                                        if cut and len(lead[0]) + 1 + len(cut) <= TITLE_MAX)
    return Ask(f"{lead} {cut}", f"{LAST_RESORT}: {how}; {said}", False,
               statement=f"We call on {called_on} to act on {cut}.")


def headline_topic(article: ImportedArticle) -> tuple[str, str]:
    """What the headline is about, in sentence case, and how it was found.

    An actor's headline ("Council Approves X", "Board Votes to Sell X") is about what the actor
    does: X, or the plan to sell X. Any other is about its subject ("Water Bills Rise...": water
    bills); one without a verb we know, about all of it.
    """
    text = _LABEL.sub("", article.headline.strip())
    while (stripped := _ATTRIBUTION.sub("", text)) != text and len(stripped.split()) >= 2:
        text = stripped
    words = _sentence_cased(text.split(), article)
    verb = next((i for i, w in enumerate(words) if i > 0 and w.lower() in _VERBS), None)
    if verb is None:
        return " ".join(words), "the whole headline as its topic"
    subject, said = " ".join(words[:verb]), f"'{text.split()[verb]}'"
    if not _ACTOR.search(subject):
        if subject.split()[0].lower() in _DETERMINERS:  # "Our Parks Deserve Better": our parks
            subject = subject[:1].lower() + subject[1:]
        return subject, f"the headline's subject, before {said}"
    rest = words[verb + 1:]
    if words[verb].lower() in _MODALS or (rest and rest[0].lower() == "to"):
        planned = rest[1:] if rest and rest[0].lower() == "to" else rest
        if len(planned) >= 2:
            return "the plan to " + _TAIL.sub("", " ".join(planned)), f"what the headline's actor plans, {said}"
    topic = _TAIL.sub("", _ABOUT.sub("", " ".join(rest)))
    first = topic.split()[0].lower() if topic.split() else ""
    if first and words[verb].lower() not in _STATES and first not in ("no", "again", "up", "down", "out"):
        return _with_the(topic), f"what the headline's actor acts on, after {said}"
    whole = _TAIL.sub("", " ".join(words))
    return f"the news that {whole[:1].lower()}{whole[1:]}", "the headline as news"


def _sentence_cased(words: list[str], article: ImportedArticle) -> list[str]:
    """Title Case words lowered when the article writes them in lower case or not at all."""
    texts = [*article.paragraphs, *article.commentary]
    lower = {w for text in texts for w in re.findall(r"\b[a-z][\w'-]*", text)}
    capital = {w.lower() for text in texts for w in re.findall(r"\b[A-Z][\w'-]*", text)}
    return [w.lower() if w[:1].isupper() and not w.isupper()
            and (w.lower() in lower or w.lower() not in capital) else w for w in words]


def _with_the(topic: str) -> str:
    first = topic.split()[0].lower() if topic.split() else ""
    return topic if first in _DETERMINERS else f"the {topic}"


def _fit(topic: str, room: int, words_kept: int = 4) -> str:
    """The topic within room characters: cut at a clause, else at a word, never mid-word."""
    while len(topic) > room:
        cuts = [m.start() for m in _CLAUSE.finditer(topic) if len(topic[:m.start()].split()) >= words_kept]
        if not cuts:
            break
        topic = topic[:cuts[-1]]
    words = topic.split()
    while words and (len(" ".join(words)) > room or words[-1].lower() in _DANGLING):
        words.pop()
    return " ".join(words) if len(words) >= words_kept else ""
