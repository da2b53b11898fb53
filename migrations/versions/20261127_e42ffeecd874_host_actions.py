"""Actions of kind "host": organizing one's own meeting, apart from attending one.

Revision ID: e42ffeecd874
Revises: bf5ebfc35ca6
Create Date: 2026-11-27 07:55:00.230549

"""
from alembic import op

revision = "e42ffeecd874"
down_revision = "bf5ebfc35ca6"
branch_labels = None
depends_on = None

OLD = "kind IN ('petition', 'contact', 'letter', 'organizations', 'share', 'event', 'text')"
NEW = "kind IN ('petition', 'contact', 'letter', 'organizations', 'share', 'event', 'host', 'text')"


def _replace_check(condition: str) -> None:
    with op.batch_alter_table("actions") as batch_op:
        batch_op.drop_constraint(op.f("ck_actions_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_actions_kind"), condition)


def upgrade():
    _replace_check(NEW)


def downgrade():
    op.execute("UPDATE actions SET kind = 'event' WHERE kind = 'host'")
    _replace_check(OLD)
