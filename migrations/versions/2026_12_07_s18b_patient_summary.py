"""the roster's per-patient summary row, backfilled from the history (issue 18)

Revision ID: s18b_patient_summary
Revises: s12_post_refill_hours
Create Date: 2026-12-07 06:10:00

"""
from alembic import op
import sqlalchemy as sa
import companion.db  # noqa: F401  (UTCDateTime)


revision = 's18b_patient_summary'
down_revision = "s12_post_refill_hours"
branch_labels = None
depends_on = None

# Self-contained (never the app's code, which may change later): the same facts roster.services.recompute makes.
BACKFILL = """
INSERT INTO patient_summary (patient_id, clinic_id, family_name, given_name, expects_checkins, last_checkin_at,
                             emergency_open, urgent_open, refill_due_on)
SELECT p.id, p.clinic_id, p.family_name, p.given_name,
       CASE WHEN p.implanted_on IS NULL THEN {false} ELSE {true} END,
       (SELECT max(d.recorded_at) FROM diary_entry d WHERE d.patient_id = p.id AND d.kind = 'checkin'),
       (SELECT count(c.id) FROM escalation_case c WHERE c.patient_id = p.id AND c.tier = 'emergency'
          AND c.status IN ('open', 'acknowledged')),
       (SELECT count(c.id) FROM escalation_case c WHERE c.patient_id = p.id AND c.tier = 'urgent'
          AND c.status IN ('open', 'acknowledged')),
       (SELECT r.due_on FROM pump_refill r WHERE r.patient_id = p.id AND r.status = 'confirmed'
          ORDER BY r.performed_at DESC, r.id DESC LIMIT 1)
FROM patient p
"""

INDEXES = {
    'ix_patient_summary_clinic_order': ['clinic_id', 'family_name', 'given_name', 'patient_id'],
    'ix_patient_summary_clinic_cases': ['clinic_id', 'emergency_open', 'urgent_open'],
    'ix_patient_summary_clinic_due': ['clinic_id', 'refill_due_on'],
    'ix_patient_summary_clinic_checkin': ['clinic_id', 'last_checkin_at'],
}


def upgrade():
    op.create_table(
        'patient_summary',
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('clinic_id', sa.Integer(), nullable=False),
        sa.Column('family_name', sa.String(length=100), nullable=False),
        sa.Column('given_name', sa.String(length=100), nullable=False),
        sa.Column('expects_checkins', sa.Boolean(), nullable=False),
        sa.Column('last_checkin_at', companion.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('emergency_open', sa.Integer(), nullable=False),
        sa.Column('urgent_open', sa.Integer(), nullable=False),
        sa.Column('refill_due_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_patient_summary_clinic_id_clinic')),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_patient_summary_patient_id_patient'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('patient_id', name=op.f('pk_patient_summary')),
    )
    with op.batch_alter_table('patient_summary', schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
    postgres = op.get_bind().dialect.name == 'postgresql'
    op.execute(BACKFILL.format(true='true' if postgres else '1', false='false' if postgres else '0'))


def downgrade():
    with op.batch_alter_table('patient_summary', schema=None) as batch_op:
        for name in reversed(INDEXES):
            batch_op.drop_index(name)
    op.drop_table('patient_summary')
