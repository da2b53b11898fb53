"""Placeholder for more of the languages schema (fill in, or remove and re-chain).

Revision ID: b7c0e5a1d004
Revises: b7c0e5a1d003
Create Date: 2026-12-06 07:30:00

"""

revision = 'b7c0e5a1d004'
down_revision = 'b7c0e5a1d003'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
