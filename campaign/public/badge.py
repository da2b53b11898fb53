"""The count badge: a small SVG of a campaign's title, confirmed count and goal, for an <img>."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_number, gettext, ngettext

from campaign.counts.tallies import progress_percent

WIDTH, HEIGHT = 320, 68
BAR_WIDTH = WIDTH - 24
# The SVG cannot measure its text: titles are cut to what fits 13 px bold type at this width.
TITLE_CHARS = 40


@dataclass(frozen=True)
class Badge:
    """What the badge template draws; every text is plain (the template escapes it)."""

    title: str
    full_title: str
    count_text: str
    goal_text: str
    bar_filled: int
    width: int = WIDTH
    height: int = HEIGHT
    bar_width: int = BAR_WIDTH

    @property
    def description(self) -> str:
        return f"{self.full_title}: {self.count_text}, {self.goal_text}"


def layout(title: str, count: int, goal: int) -> Badge:
    """The badge of a campaign with this many confirmed signatures."""
    short = title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"
    return Badge(
        title=short,
        full_title=title,
        count_text=ngettext("%(count)s signature", "%(count)s signatures", count, count=format_number(count)),
        goal_text=gettext("goal %(goal)s", goal=format_number(goal)),
        bar_filled=BAR_WIDTH * progress_percent(count, goal) // 100,
    )
