"""Deliveries to offices and their answers; a campaign's response threshold.

One row per campaign and office (a representative, or the campaign's own target): when and how
the petition was delivered, the packet's SHA-256 when one was, and the office's answer.

Revision ID: a14d0e1f2a03
Revises: a14d0e1f2a02
Create Date: 2026-12-06 05:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a14d0e1f2a03'
down_revision = 'a14d0e1f2a02'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deliveries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('office_key', sa.String(length=40), nullable=False),
    sa.Column('representative_id', sa.Integer(), nullable=True),
    sa.Column('office_name', sa.String(length=300), nullable=False),
    sa.Column('delivered_on', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=12), nullable=False),
    sa.Column('packet_sha256', sa.String(length=64), nullable=True),
    sa.Column('answer_status', sa.String(length=12), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('answer_quote', sa.Text(), nullable=False),
    sa.Column('answer_url', sa.String(length=2000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("method IN ('email', 'post', 'in_person', 'web_form')",
                       name=op.f('ck_deliveries_method')),
    sa.CheckConstraint("answer_status IS NULL OR answer_status IN "
                       "('supports', 'opposes', 'no_position', 'declined')",
                       name=op.f('ck_deliveries_answer_status')),
    sa.CheckConstraint("(answer_status IS NULL AND answered_on IS NULL) OR "
                       "(answer_status IS NOT NULL AND answered_on IS NOT NULL)",
                       name=op.f('ck_deliveries_answer_complete')),
    sa.CheckConstraint("answered_on IS NULL OR answered_on >= delivered_on",
                       name=op.f('ck_deliveries_answered_after_delivery')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'],
                            name=op.f('fk_deliveries_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['representative_id'], ['representatives.id'],
                            name=op.f('fk_deliveries_representative_id_representatives'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('campaign_id', 'office_key', name='uq_deliveries_campaign_id_office_key')
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliveries_representative_id'), ['representative_id'],
                              unique=False)
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_threshold', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('response_threshold')
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliveries_representative_id'))
    op.drop_table('deliveries')
