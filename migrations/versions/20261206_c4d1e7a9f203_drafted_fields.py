"""Campaigns remember which fields the importer drafted and no organizer has edited yet.

Revision ID: c4d1e7a9f203
Revises: 5d2c8e41a7b3
Create Date: 2026-12-06 02:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c4d1e7a9f203'
down_revision = '5d2c8e41a7b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('drafted_fields', sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('drafted_fields')
