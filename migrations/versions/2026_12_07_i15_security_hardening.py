"""security hardening (issue 15): single-use TOTP steps, second-factor tries counted, refused requests counted

Revision ID: i15_security
Revises: i13_care_loop
Create Date: 2026-12-07 03:00:00

"""
from alembic import op
import sqlalchemy as sa
import companion.db  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = 'i15_security'
down_revision = 'i13_care_loop'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))

    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), server_default='password', nullable=False))
        batch_op.add_column(sa.Column('pending', sa.String(length=64), nullable=True))

    op.create_table('refusal_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('last_at', companion.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refusal_count')),
    sa.UniqueConstraint('kind', 'day', 'ip', name=op.f('uq_refusal_count_kind_day_ip'))
    )


def downgrade():
    op.drop_table('refusal_count')
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_column('pending')
        batch_op.drop_column('kind')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
