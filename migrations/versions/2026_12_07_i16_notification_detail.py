"""notification detail: the facts an in-app message shows (who saw the report and when, the refill date) (issue 16)

Revision ID: i16_notification_detail
Revises: 78cae8e95c38
Create Date: 2026-12-07 02:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'i16_notification_detail'
down_revision = '78cae8e95c38'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detail', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('detail')
