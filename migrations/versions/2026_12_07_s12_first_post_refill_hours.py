"""the clinic's choice of when the first post-refill check comes (issue 12)

Revision ID: s12_post_refill_hours
Revises: s15_decoy_invite
Create Date: 2026-12-07 06:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 's12_post_refill_hours'
down_revision = "s15_decoy_invite"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('clinic', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_post_refill_hours', sa.Integer(), server_default='4', nullable=False))
        batch_op.create_check_constraint(op.f('ck_clinic_first_post_refill_hours_range'),
                                         'first_post_refill_hours >= 2 AND first_post_refill_hours <= 12')


def downgrade():
    with op.batch_alter_table('clinic', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_clinic_first_post_refill_hours_range'), type_='check')
        batch_op.drop_column('first_post_refill_hours')
