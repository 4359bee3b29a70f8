"""the address typed for a staff invite that can never be completed (issue 15, finding 8)

Revision ID: s15_decoy_invite
Revises: main_naloxone_scan
Create Date: 2026-12-07 06:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 's15_decoy_invite'
down_revision = 'main_naloxone_scan'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed_email', sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('listed_email')
