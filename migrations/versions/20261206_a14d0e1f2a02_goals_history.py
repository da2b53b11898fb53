"""Goals climb a ladder unless the organizer fixes them; milestone emails are an option, off.

campaigns.goal_fixed: the organizer fixed the goal, so reaching it does not raise it.
campaigns.milestone_emails: whether reaching a goal may email consenting signers (default off).
The count's history needs no index of its own: it reads (campaign_id, status, confirmed_at).

Revision ID: a14d0e1f2a02
Revises: a14d0e1f2a01
Create Date: 2026-12-06 05:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a14d0e1f2a02'
down_revision = 'a14d0e1f2a01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('goal_fixed', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('milestone_emails', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('milestone_emails')
        batch_op.drop_column('goal_fixed')
