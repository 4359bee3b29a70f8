"""naloxone at home on the pump profile; when a scan or procedure really happened (issue 12)

Revision ID: main_naloxone_scan
Revises: i17_language
Create Date: 2026-12-07 04:20:00

"""
from alembic import op
import sqlalchemy as sa
import companion.db  # noqa: F401  (UTCDateTime)


revision = 'main_naloxone_scan'
down_revision = 'i17_language'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pump_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('naloxone_at_home', sa.Boolean(), nullable=True))
    with op.batch_alter_table('pump_procedure_notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('happened_at', companion.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('confirmed_by', sa.String(length=20), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('pump_procedure_notice', schema=None) as batch_op:
        batch_op.drop_column('confirmed_by')
        batch_op.drop_column('happened_at')
    with op.batch_alter_table('pump_profile', schema=None) as batch_op:
        batch_op.drop_column('naloxone_at_home')
