"""Representatives keep their family name, as the data file gives it, for letters to greet them.

"Dear Senator Cortez Masto", not "Dear Senator Masto": the congress-legislators file names
each member's family name (`name.last`), and a plain CSV may (`family_name`). Rows imported
before have none stored: each gets the one read from its name by the rule letters used until
now (suffixes dropped, particles such as "Van" kept), so nothing greets worse than it did;
the next import stores the file's own.

Revision ID: 6bd8c6dbce6a
Revises: 7e3a9c1d5b20
Create Date: 2026-12-06 04:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '6bd8c6dbce6a'
down_revision = '7e3a9c1d5b20'
branch_labels = None
depends_on = None

# The rule of representatives/greetings.py as of this migration, kept here as it was then.
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "v", "md", "phd", "esq", "dds", "mp", "msp", "ms", "mla"}
_PARTICLES = {"van", "von", "de", "del", "della", "der", "den", "di", "da", "das", "dos", "du",
              "la", "le", "st", "st.", "ter", "ten", "bin", "al", "el", "mac"}


def _family_name(name: str) -> str:
    words = name.replace(",", " ").split()
    while len(words) > 1 and words[-1].lower().rstrip(".") in _SUFFIXES:
        words.pop()
    if not words:
        return ""
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return " ".join(words[start:])[:100]


def upgrade():
    with op.batch_alter_table('representatives', schema=None) as batch_op:
        batch_op.add_column(sa.Column('family_name', sa.String(length=100), server_default='',
                                      nullable=False))
    representatives = sa.table("representatives", sa.column("id", sa.Integer),
                               sa.column("name", sa.String), sa.column("family_name", sa.String))
    conn = op.get_bind()
    for representative_id, name in conn.execute(
            sa.select(representatives.c.id, representatives.c.name)).all():
        conn.execute(representatives.update().where(representatives.c.id == representative_id)
                     .values(family_name=_family_name(name)))


def downgrade():
    with op.batch_alter_table('representatives', schema=None) as batch_op:
        batch_op.drop_column('family_name')
