"""MRI field strength on procedure notices; consent readiness gaps and reason on signed records (issue 13 B)

Revision ID: i13b_procedure_readiness
Revises: i19_decision_aid
Create Date: 2026-12-07 02:50:00

"""
from alembic import op
import sqlalchemy as sa

from companion.consent.models import SQLITE_TRIGGERS


# revision identifiers, used by Alembic.
revision = 'i13b_procedure_readiness'
down_revision = 'i19_decision_aid'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pump_procedure_notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('field_tesla', sa.String(length=8), server_default='', nullable=False))
    # Plain ADD COLUMN (no table copy), so the append-only triggers on consent_record stay in place.
    op.add_column('consent_record', sa.Column('readiness_gaps', sa.JSON(), nullable=True))
    op.add_column('consent_record', sa.Column('readiness_reason', sa.Text(), server_default='', nullable=False))


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.drop_column('readiness_reason')
        batch_op.drop_column('readiness_gaps')
    if sqlite:  # SQLite drops columns by copying the table, which loses its triggers: put them back
        for sql in SQLITE_TRIGGERS:
            op.execute(sql)
    with op.batch_alter_table('pump_procedure_notice', schema=None) as batch_op:
        batch_op.drop_column('field_tesla')
