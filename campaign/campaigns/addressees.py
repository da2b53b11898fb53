"""Whom a drafted petition is addressed to: the bodies and offices an article's actions name.

The rules (R1-R3) are listed with the other drafting rules in campaign.campaigns.drafting.
"""
from __future__ import annotations

import re

from campaign.articles import ImportedAction

_BODY = re.compile(
    r"\b((?:[A-Z][\w.'&-]*\s+){0,3}?(?:Council|Board|Commission|Authority|Committee|Legislature"
    r"|Parliament|Government|Ministry|Department|Agency|Assembly))\b"
    r"(?!\s+(?:Members?|[Ww]ebsite|Offices?|Building|Chambers|[Mm]eeting))")
_BODY_LEAD = re.compile(r"^(?:(?:Your|The|Our|Sign|Petition|Email|Contact|Write|Call|Dear)\s+)+")
_OFFICE = re.compile(
    r"\b(?:(?P<level>State|County|City|Town|Borough|Parish)\s+)?(?P<office>members? of congress"
    r"|members? of parliament|senators?|sen\.|representatives?|rep\.|congress(?:wo)?m[ae]n"
    r"|council ?members?|councill?ors?|cllr\.?|mps?|mayor|governor|assembly ?members?"
    r"|supervisors?|commissioners?)(?!\w)", re.IGNORECASE)
_OFFICES = {  # a spelling's first letters → (singular, plural)
    "member of congress": ("Member of Congress", "Members of Congress"),
    "members of congress": ("Member of Congress", "Members of Congress"),
    "member of parliament": ("MP", "MPs"), "members of parliament": ("MP", "MPs"),
    "sen": ("Senator", "Senators"), "rep": ("Representative", "Representatives"),
    "congress": ("Representative", "Representatives"),
    "councilmember": ("Council Member", "Council Members"),
    "council member": ("Council Member", "Council Members"),
    "councillor": ("Councillor", "Councillors"), "councilor": ("Councillor", "Councillors"),
    "cllr": ("Councillor", "Councillors"), "mp": ("MP", "MPs"), "mayor": ("Mayor", "Mayor"),
    "governor": ("Governor", "Governor"), "assembly": ("Assembly Member", "Assembly Members"),
    "supervisor": ("Supervisor", "Supervisors"), "commissioner": ("Commissioner", "Commissioners"),
}
_AFTER_NAME = {"MP", "MSP", "MEP", "MLA"}
_SAMPLE = re.compile(r"\b(?:sample|example)", re.IGNORECASE)


def action_label(action: ImportedAction) -> str:
    """How the review names an action: its number and title."""
    return f"action {action.number} '{action.title}'"


def draft_target(actions: list[ImportedAction]) -> tuple[str, str]:
    """R1-R3: (the target, where it came from), or ("", why not)."""
    addressed = [a for a in actions if a.kind in ("petition", "contact", "letter")]
    bodies: list[str] = []
    offices: dict[str, list] = {}  # singular → [plural, level, where]
    sources: list[str] = []
    for action in addressed:
        texts = [action.title, action.text]
        if action.kind == "petition":
            texts += [part for item in action.items for part in (item.label, item.text)]
        for text in texts:
            for found in _BODY.finditer(text or ""):
                body = _BODY_LEAD.sub("", found.group(1)).strip()
                if body and f"the {body}" not in bodies:
                    bodies.append(f"the {body}")
                    sources.append(f"{action_label(action)} names the {body}")
        labels = [action.title, action.text] + [item.label for item in action.items]
        labels += [contact.office for contact in action.contacts]
        for text in labels:
            for found in _OFFICE.finditer(text or ""):
                _add_office(offices, found, action, sources)
    named = _single_official(actions)
    if named:
        return named
    parts = bodies + [f"{level} {plural}".strip() for plural, level, _ in offices.values()]
    if not parts:
        return "", "No official or body is named in the petition, contact or letter actions"
    return _joined(parts)[:300], "; ".join(unique(sources))


def bodies_named(text: str) -> list[str]:
    """The bodies a text names, as R1 finds them: ["the Port Authority"]."""
    found = [_BODY_LEAD.sub("", match.group(1)).strip() for match in _BODY.finditer(text or "")]
    return unique([f"the {body}" for body in found if body])


def _add_office(offices: dict, found: re.Match, action: ImportedAction, sources: list[str]) -> None:
    spelling = found["office"].lower().rstrip(".")
    key = next((k for k in sorted(_OFFICES, key=len, reverse=True) if spelling.startswith(k)), None)
    if key is None:
        return
    singular, plural = _OFFICES[key]
    level = (found["level"] or "").title()
    entry = offices.setdefault(singular, [plural, level, action_label(action)])
    entry[1] = entry[1] or level
    sources.append(f"{action_label(action)} names {plural.lower() if plural[1:].islower() else plural}")


def _single_official(actions: list[ImportedAction]) -> tuple[str, str] | None:
    """R3: the one official the article names, unless listed as a sample or an example."""
    found = [(action, contact) for action in actions for contact in action.contacts]
    if len(found) != 1 or not found[0][1].office:
        return None
    action, contact = found[0]
    headers = " ".join(item.label for item in action.items if not item.text)
    if _SAMPLE.search(headers) or _SAMPLE.search(action.title):
        return None
    office = found[0][1].office
    spelling = office.lower().rstrip(".")
    key = next((k for k in sorted(_OFFICES, key=len, reverse=True) if spelling.startswith(k)), None)
    office = _OFFICES[key][0] if key else office
    level = _OFFICE.search(action.title)
    if level and level["level"] and _OFFICES.get(level["office"].lower().rstrip("s"), ("",))[0] == office:
        office = f"{level['level'].title()} {office}"
    text = f"{contact.name} {office}" if office in _AFTER_NAME else f"{office} {contact.name}"
    return text, f"{action_label(action)}, the one official named: {contact.name}"


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def unique(values: list[str]) -> list[str]:
    """The values in order, each once."""
    return list(dict.fromkeys(values))


