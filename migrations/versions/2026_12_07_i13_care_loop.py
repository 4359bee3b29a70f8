"""care team loop: fixed deadlines with a next round, widening ladders, per-person acknowledgement kind,
internal note vs patient message, backup on-call slot, patient and caregiver phone, staff notification
detail (issue 13 part A)

Revision ID: i13_care_loop
Revises: i14_dose_safety
Create Date: 2026-12-07 02:45:00

"""
from alembic import op
import sqlalchemy as sa
import companion.db  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = 'i13_care_loop'
down_revision = 'i14_dose_safety'
branch_labels = None
depends_on = None

IN_HOURS = 'nurse,on_call,physician,admin'
OUT_OF_HOURS = 'on_call,backup,physician,admin'


def upgrade():
    with op.batch_alter_table('escalation_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_round_at', companion.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('patient_message', sa.Text(), server_default='', nullable=False))
    # Until now the one resolution note was written for the patient: it stays visible to them as the message.
    op.execute("UPDATE escalation_case SET patient_message = resolution_note WHERE resolution_note IS NOT NULL")
    # Open cases re-page at their (old, moving) deadline; from now on the deadline stays and rounds move.
    op.execute("UPDATE escalation_case SET next_round_at = ack_due_at WHERE status = 'open'")

    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('patient_message', sa.Text(), server_default='', nullable=False))
    op.execute("UPDATE case_event SET patient_message = note WHERE kind = 'resolved'")

    with op.batch_alter_table('case_recipient', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ack_kind', sa.String(length=10), nullable=True))
    op.execute("UPDATE case_recipient SET ack_kind = 'on_it' WHERE acknowledged_at IS NOT NULL")

    with op.batch_alter_table('clinic_escalation_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ladder_in_hours', sa.String(length=120), server_default=IN_HOURS,
                                      nullable=False))
        batch_op.add_column(sa.Column('ladder_out_of_hours', sa.String(length=120), server_default=OUT_OF_HOURS,
                                      nullable=False))

    with op.batch_alter_table('on_call_shift', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slot', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_check_constraint(op.f('ck_on_call_shift_slot_range'), 'slot IN (1, 2)')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=40), server_default='', nullable=False))

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detail', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('detail')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('phone')

    with op.batch_alter_table('on_call_shift', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_on_call_shift_slot_range'), type_='check')
        batch_op.drop_column('slot')

    with op.batch_alter_table('clinic_escalation_settings', schema=None) as batch_op:
        batch_op.drop_column('ladder_out_of_hours')
        batch_op.drop_column('ladder_in_hours')

    with op.batch_alter_table('case_recipient', schema=None) as batch_op:
        batch_op.drop_column('ack_kind')

    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_column('patient_message')

    # The deadline was the next round's time before this change.
    op.execute("UPDATE escalation_case SET ack_due_at = next_round_at "
               "WHERE status = 'open' AND next_round_at IS NOT NULL")
    with op.batch_alter_table('escalation_case', schema=None) as batch_op:
        batch_op.drop_column('patient_message')
        batch_op.drop_column('next_round_at')
