"""Index for the audit page's action filter.

The audit page lists the entries of one action ("signer.deleted") newest first, 50 at a time,
older than the last one seen. Without an index on action the database read the log backwards
through every other entry to find the few of a rare action; with (action, id) it reads just
them, in order. (A family, "export" for every "export.…", takes a LIKE that a plain btree does
not serve under a non-C collation, nor on SQLite: it still reads the log by id.)

Revision ID: 0a667c91804f
Revises: a14d0e1f2a03
Create Date: 2026-12-06 06:00:00

"""
from alembic import op

revision = '0a667c91804f'
down_revision = 'a14d0e1f2a03'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_action_id', ['action', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_action_id')
