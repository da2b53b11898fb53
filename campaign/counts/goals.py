"""Goals: the ladder a reached goal climbs, raised in one statement when the count gets there.

Nothing is written per signature: the goal is raised by one UPDATE ... WHERE goal <= count,
which under concurrent confirmations matches once (the others see the raised goal and change
nothing), on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import update

from campaign import audit
from campaign.campaigns import store
from campaign.counts import tallies
from campaign.extensions import db
from campaign.models import Campaign

# Each power of ten gives three steps: 10, 25, 50, 100, 250, 500, 1,000, 2,500, 5,000...
STEP_MULTIPLES = (10, 25, 50)


def next_goal(count: int) -> int:
    """The ladder's first step above count: 999 → 1,000; 1,000 → 2,500; 2,500 → 5,000."""
    power = 1
    while True:
        for multiple in STEP_MULTIPLES:
            if multiple * power > count:
                return multiple * power
        power *= 10


def ladder(up_to: int) -> list[int]:
    """The ladder's steps from the first up to up_to (for the README and tests)."""
    steps = [next_goal(0)]
    while steps[-1] < up_to:
        steps.append(next_goal(steps[-1]))
    return steps


def climb(campaign: Campaign) -> int | None:
    """After a signature counted (and was committed): the new goal if the count reached the old one.

    Reads the count (cached for TALLY_CACHE_SECONDS, so call it after cache.forget), and
    writes only when the goal was reached: one UPDATE per step of the ladder, not per signature,
    and its audit entry. The caller commits.
    """
    if campaign.goal_fixed:
        return None
    count = tallies.confirmed_count(campaign.id)
    reached = campaign.goal
    if count < reached:
        return None
    raised = reach(campaign.id, count)
    if raised is not None:
        # As an edit records its goal, so the audit page shows "goal: 10 → 25".
        audit.record("campaign.goal_raised", organizer=None, campaign=campaign,
                     changes={"goal": {"old": reached, "new": raised}}, signatures=count)
        for listener in current_app.extensions.get(_LISTENERS, ()):
            listener(campaign, reached=reached, next_goal=raised, count=count)
    return raised


# Who hears of a goal reached, in the raising transaction (updates: the milestone email). A
# listener rather than an import: the updates package stands on counts, not the other way.
GoalListener = Callable[..., None]
_LISTENERS = "campaign_goal_listeners"


def add_listener(app: Flask, listener: GoalListener) -> None:
    """Call listener(campaign, reached=, next_goal=, count=) whenever climb() raises a goal."""
    app.extensions.setdefault(_LISTENERS, []).append(listener)


def reach(campaign_id: int, count: int) -> int | None:
    """Raise the goal to the next step when count reached it and it is not fixed; the new goal.

    None when nothing changed: the goal is fixed, not reached, or another request raised it
    first (its UPDATE holds the row until it commits; this one then sees the new goal).
    The caller commits.
    """
    raised = next_goal(count)
    result = db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.goal <= count, Campaign.goal_fixed.is_(False))
        .values(goal=raised)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    store.note_changed(campaign_id)
    return raised

