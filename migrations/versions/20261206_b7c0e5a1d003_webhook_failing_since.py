"""When a webhook's current run of failed attempts began (the rule that disables it).

Revision ID: b7c0e5a1d003
Revises: b7c0e5a1d002
Create Date: 2026-12-06 07:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b7c0e5a1d003'
down_revision = 'b7c0e5a1d002'
branch_labels = None
depends_on = None


def upgrade():
    # webhooks: when a hook's current run of failed attempts began.
    with op.batch_alter_table('webhooks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failing_since', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('webhooks', schema=None) as batch_op:
        batch_op.drop_column('failing_since')
