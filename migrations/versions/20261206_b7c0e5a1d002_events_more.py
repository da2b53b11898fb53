"""Placeholder for more of the events schema (fill in, or remove and re-chain).

Revision ID: b7c0e5a1d002
Revises: b7c0e5a1d001
Create Date: 2026-12-06 07:30:00

"""

revision = 'b7c0e5a1d002'
down_revision = 'b7c0e5a1d001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
