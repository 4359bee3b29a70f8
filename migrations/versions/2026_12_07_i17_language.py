"""language: a person's language, the patient's interpreter flag, the consent record's language (issue 17)

Revision ID: i17_language
Revises: i15_security
Create Date: 2026-12-07 02:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'i17_language'
down_revision = 'i15_security'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='en', nullable=False))
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs_interpreter', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='en', nullable=False))


def downgrade():
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_column('needs_interpreter')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('language')
