"""refill and dose safety: opioid tolerance and spasticity origin on the pump profile, override reason,
no-visit flag days and Prometra battery years (issue 14)

Revision ID: i14_dose_safety
Revises: i13b_procedure_readiness
Create Date: 2026-12-07 02:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'i14_dose_safety'
down_revision = 'i13b_procedure_readiness'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pump_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opioid_tolerant', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('spasticity_origin', sa.String(length=20), server_default='', nullable=False))

    with op.batch_alter_table('pump_refill', schema=None) as batch_op:
        batch_op.add_column(sa.Column('override_reason', sa.String(length=30), server_default='', nullable=False))

    with op.batch_alter_table('pump_dose_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_visit_flag_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prometra_battery_years', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('pump_dose_settings', schema=None) as batch_op:
        batch_op.drop_column('prometra_battery_years')
        batch_op.drop_column('no_visit_flag_days')

    with op.batch_alter_table('pump_refill', schema=None) as batch_op:
        batch_op.drop_column('override_reason')

    with op.batch_alter_table('pump_profile', schema=None) as batch_op:
        batch_op.drop_column('spasticity_origin')
        batch_op.drop_column('opioid_tolerant')
