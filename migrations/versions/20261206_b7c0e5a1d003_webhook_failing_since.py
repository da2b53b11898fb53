"""Placeholder for more of the api schema (fill in, or remove and re-chain).

Revision ID: b7c0e5a1d003
Revises: b7c0e5a1d002
Create Date: 2026-12-06 07:30:00

"""

revision = 'b7c0e5a1d003'
down_revision = 'b7c0e5a1d002'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
