"""Indexes for the organizer breakdowns by source and by contact consent (bench/dashboard_results.md).

Revision ID: 6b0961471a12
Revises: b3b222b38fbb
Create Date: 2026-11-27 09:47:05.163396

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '6b0961471a12'
down_revision = 'b3b222b38fbb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.create_index('ix_signatures_campaign_id_status_contact_ok', ['campaign_id', 'status', 'contact_ok'], unique=False)
        batch_op.create_index('ix_signatures_campaign_id_status_source', ['campaign_id', 'status', 'source'], unique=False)



def downgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index('ix_signatures_campaign_id_status_source')
        batch_op.drop_index('ix_signatures_campaign_id_status_contact_ok')

