"""Events' calendar SEQUENCE, and files attached to outbox messages (the RSVP emails' .ics).

Revision ID: b7c0e5a1d002
Revises: b7c0e5a1d001
Create Date: 2026-12-06 07:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b7c0e5a1d002'
down_revision = 'b7c0e5a1d001'
branch_labels = None
depends_on = None


def upgrade():
    # The iCalendar SEQUENCE of an event (raised on each change); files sent with a message.
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachments', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('attachments')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('sequence')
