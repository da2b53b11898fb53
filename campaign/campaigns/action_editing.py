"""Editing a campaign's call to action: fields of each kind, order, adding and removing."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm.attributes import flag_modified

from campaign.campaigns import store
from campaign.extensions import db
from campaign.models import Action, ActionKind, Campaign


@dataclass
class ActionValues:
    """Everything an organizer can set on an action, as plain values."""

    kind: str
    title: str
    body: str = ""
    contacts: list[dict] = field(default_factory=list)
    what_to_say: list[str] = field(default_factory=list)
    example: str = ""
    hashtags: list[str] = field(default_factory=list)
    organizations: list[dict] = field(default_factory=list)
    event: dict = field(default_factory=dict)
    petition_titles: list[str] = field(default_factory=list)


def values_of(action: Action) -> ActionValues:
    """The editable values of a stored action."""
    details = action.details or {}
    letter = details.get("letter") or {}
    return ActionValues(
        kind=action.kind, title=action.title, body=action.body,
        contacts=[dict(c) for c in details.get("contacts", [])],
        what_to_say=list(letter.get("what_to_say", [])), example=letter.get("example", ""),
        hashtags=list(details.get("hashtags", [])),
        organizations=[dict(o) for o in details.get("organizations", [])],
        event=dict(details.get("event") or {}),
        petition_titles=list(details.get("petition_titles", [])),
    )


def apply(action: Action, values: ActionValues) -> None:
    """Store the values on the action; imported parts that no field edits are kept."""
    if values.kind not in set(ActionKind):
        raise ValueError(f"unknown action kind {values.kind!r}")
    details = dict(action.details or {})
    details.update(
        contacts=values.contacts,
        letter={"what_to_say": values.what_to_say, "example": values.example}
        if (values.what_to_say or values.example) else None,
        hashtags=values.hashtags,
        organizations=values.organizations,
        event={**values.event, "host": values.kind == ActionKind.HOST} if any(values.event.values()) else None,
        petition_titles=values.petition_titles,
    )
    action.kind, action.title, action.body = values.kind, values.title.strip(), values.body.strip()
    action.details = details
    flag_modified(action, "details")
    if action.campaign is not None:
        store.touch(action.campaign)


def add(campaign: Campaign, values: ActionValues) -> Action:
    """A new action at the end of the call to action."""
    action = Action(kind=ActionKind.TEXT, title="", body="", details={},
                    position=max((a.position for a in campaign.actions), default=-1) + 1)
    campaign.actions.append(action)
    apply(action, values)
    db.session.flush()
    return action


def move(campaign: Campaign, action: Action, step: int) -> None:
    """Move an action up (-1) or down (+1) by swapping it with its neighbour."""
    ordered = sorted(campaign.actions, key=lambda a: (a.position, a.id))
    for index, item in enumerate(ordered):  # make positions dense first
        item.position = index
    index = ordered.index(action)
    other = index + step
    if 0 <= other < len(ordered):
        ordered[index].position, ordered[other].position = other, index
    store.touch(campaign)


def remove(campaign: Campaign, action: Action) -> None:
    """Delete an action; the others keep their order."""
    campaign.actions.remove(action)
    db.session.delete(action)
    store.touch(campaign)
