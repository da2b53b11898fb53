"""Titles saved before line breaks were refused lose them: a title is every email's subject.

A campaign whose title held a line break, a tab or another control character could not have
its emails built; such messages now fail at once. Each run of those characters becomes one
space, so the campaign's mail goes out again. One way only: the old titles are not kept.

Revision ID: 7e3a9c1d5b20
Revises: c4d1e7a9f203
Create Date: 2026-12-06 03:45:00

"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = '7e3a9c1d5b20'
down_revision = 'c4d1e7a9f203'
branch_labels = None
depends_on = None

# As campaigns.store refuses them: C0 and C1 controls, the line and paragraph separators.
_CONTROL_CATEGORIES = {"Cc", "Zl", "Zp"}


def _cleaned(title: str) -> str:
    spaced = "".join(" " if unicodedata.category(c) in _CONTROL_CATEGORIES else c for c in title)
    return re.sub(r" {2,}", " ", spaced).strip() or "Untitled campaign"


def upgrade():
    campaigns = sa.table("campaigns", sa.column("id", sa.Integer), sa.column("title", sa.String))
    conn = op.get_bind()
    for campaign_id, title in conn.execute(sa.select(campaigns.c.id, campaigns.c.title)).all():
        if any(unicodedata.category(c) in _CONTROL_CATEGORIES for c in title):
            conn.execute(campaigns.update().where(campaigns.c.id == campaign_id)
                         .values(title=_cleaned(title)))


def downgrade():
    pass  # the characters removed are not worth restoring: they stopped the campaign's mail
