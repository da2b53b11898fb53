"""Updates to signers: the updates organizers write and send, who each goes to, and the
one-click unsubscribe address an email of the outbox carries.

Revision ID: a14d0e1f2a01
Revises: 6bd8c6dbce6a
Create Date: 2026-12-06 05:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a14d0e1f2a01'
down_revision = '6bd8c6dbce6a'
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table('updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('segment', sa.JSON(), nullable=False),
    sa.Column('recipient_count', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('sent_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'sent')", name=op.f('ck_updates_status')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_updates_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['organizers.id'], name=op.f('fk_updates_created_by_organizers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sent_by'], ['organizers.id'], name=op.f('fk_updates_sent_by_organizers'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_updates'))
    )
    with op.batch_alter_table('updates', schema=None) as batch_op:
        batch_op.create_index('ix_updates_campaign_id_status_sent_at',
                              ['campaign_id', 'status', 'sent_at'], unique=False)

    op.create_table('update_recipients',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('signature_id', BIG_ID, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'enqueued', 'skipped')", name=op.f('ck_update_recipients_status')),
    sa.ForeignKeyConstraint(['signature_id'], ['signatures.id'], name=op.f('fk_update_recipients_signature_id_signatures'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['update_id'], ['updates.id'], name=op.f('fk_update_recipients_update_id_updates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_update_recipients')),
    sa.UniqueConstraint('update_id', 'signature_id', name='uq_update_recipients_update_id_signature_id')
    )
    with op.batch_alter_table('update_recipients', schema=None) as batch_op:
        batch_op.create_index('ix_update_recipients_status_id', ['status', 'id'], unique=False)
        batch_op.create_index('ix_update_recipients_enqueued_at', ['enqueued_at'], unique=False)
        batch_op.create_index('ix_update_recipients_signature_id', ['signature_id'], unique=False)

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('list_unsubscribe', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('list_unsubscribe')
    op.drop_table('update_recipients')
    op.drop_table('updates')
