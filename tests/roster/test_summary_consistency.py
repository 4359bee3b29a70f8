"""The roster's summary row equals a full recomputation after every kind of write, through the real services."""
import itertools
import uuid
from datetime import timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from companion.accounts import services as accounts
from companion.clock import utcnow
from companion.diary import services as diary
from companion.escalation import services as escalation
from companion.escalation.models import Case
from companion.extensions import db
from companion.pump import services as pump
from companion.roster import queries, rules, services
from companion.roster.models import PatientSummary
from tests.careteam.conftest import EMERGENCY, URGENT, refill

_ids = itertools.count(1)
CHECKIN = {"pain_now": "4", "anything_new": "no", "peg.pain_avg": "5", "peg.enjoyment": "4", "peg.activity": "3"}
POST_REFILL = {"sleepiness": "alert", "breathing_trouble": "no"}  # a diary write that is not a check-in


def stored() -> set[tuple]:
    """Every summary row as a tuple, in recompute()'s column order."""
    cols = [c.name for c in services.recompute().selected_columns]
    return {tuple(getattr(s, c) for c in cols) for s in db.session.scalars(select(PatientSummary))}


def recomputed() -> set[tuple]:
    """The same rows computed from the source tables now."""
    return {tuple(row) for row in db.session.execute(services.recompute())}


def _patient(world, implanted: bool):
    n = next(_ids)
    patient = accounts.create_patient(world.nurse1, given_name=f"Prop{n}", family_name=f"Zprop{n:05d}",
                                      record_number=f"PROP-{n}", implanted_on=utcnow().date() if implanted else None)
    patient.created_at = utcnow() - timedelta(days=30)  # so entries dated days back are accepted
    db.session.commit()
    return patient


def _entry(world, patient, kind: str, days_ago: float):
    form = CHECKIN if kind == "checkin" else POST_REFILL
    done = diary.record_entry(patient, kind, form, reporter_user=world.nurse1, client_entry_id=str(uuid.uuid4()),
                              recorded_at=utcnow() - timedelta(days=days_ago))
    assert done.ok, done.errors


def _case(patient, observations):
    escalation.assess(patient, observations=observations, context={}, source_type="test", source_id=next(_ids),
                      reported_by_user=None, now=utcnow() - timedelta(minutes=5))
    db.session.commit()


def _open_cases(patients: list, status: tuple) -> list[Case]:
    return list(db.session.scalars(select(Case).where(Case.patient_id.in_([p.id for p in patients]),
                                                      Case.status.in_(status)).order_by(Case.id)))


def _acknowledge(world, patients: list, pick: int):
    if cases := _open_cases(patients, ("open",)):
        escalation.acknowledge(cases[pick % len(cases)], world.nurse1)


def _resolve(world, patients: list, pick: int):
    if cases := _open_cases(patients, ("open", "acknowledged")):
        escalation.resolve(cases[pick % len(cases)], world.nurse1, "advice_by_phone")


def _refill(world, patient, days_ago: int):
    pump.save_profile(world.nurse1, patient, model="synchromed_ii_20", reservoir_ml=None, opioid_tolerant=True)
    refill(world, patient, days_ago, stability=30)


WRITES = st.one_of(
    st.tuples(st.just("patient"), st.booleans()),
    st.tuples(st.just("checkin"), st.floats(min_value=0, max_value=9)),
    st.tuples(st.just("post_refill"), st.floats(min_value=0, max_value=3)),
    st.tuples(st.just("urgent"), st.none()), st.tuples(st.just("emergency"), st.none()),
    st.tuples(st.just("acknowledge"), st.none()), st.tuples(st.just("resolve"), st.none()),
    st.tuples(st.just("refill"), st.integers(min_value=0, max_value=120)),
)


def _apply(world, patients: list, write: tuple, pick: int) -> None:
    kind, arg = write
    if kind == "patient":
        patients.append(_patient(world, arg))
        return
    patient = patients[pick % len(patients)]
    if kind in ("checkin", "post_refill"):
        _entry(world, patient, kind, arg)
    elif kind in ("urgent", "emergency"):
        _case(patient, URGENT if kind == "urgent" else EMERGENCY)
    elif kind == "acknowledge":  # any open case of this example's patients, so most steps change something
        _acknowledge(world, patients, pick)
    elif kind == "resolve":
        _resolve(world, patients, pick)
    else:
        _refill(world, patient, arg)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@example(steps=[(("urgent", None), 0), (("resolve", None), 0), (("emergency", None), 0), (("acknowledge", None), 0),
                (("refill", 200), 0), (("checkin", 4.0), 0), (("checkin", 1.0), 0), (("patient", False), 0)])
@given(steps=st.lists(st.tuples(WRITES, st.integers(min_value=0, max_value=5)), min_size=1, max_size=10))
def test_the_row_equals_a_full_recomputation_after_every_write(world, steps):
    patients = [_patient(world, implanted=True)]
    assert stored() == recomputed()
    for write, pick in steps:
        _apply(world, patients, write, pick)
        db.session.expire_all()
        assert stored() == recomputed(), write
    # The SQL ranking and the pure rules agree on every stored row.
    cut = rules.cutoffs(utcnow(), world.clinic1.timezone)
    ranked, total = queries.ranked_page(world.clinic1.id, cut, limit=None)
    assert total == len(ranked) and [r.bucket for r in ranked] == sorted(r.bucket for r in ranked)
    # The page read (one ordered branch per bucket) gives the same rows in the same order as the whole sort.
    assert queries.ranked_page(world.clinic1.id, cut, limit=len(ranked)) == (ranked, total)
    assert queries.ranked_page(world.clinic1.id, cut, offset=2, limit=3) == (ranked[2:5], total)
    for r in ranked:
        assert r.bucket == rules.bucket(emergency_open=r.emergency_open, urgent_open=r.urgent_open,
                                        refill_due_on=r.refill_due_on, last_checkin_at=r.last_checkin_at,
                                        expects_checkins=r.expects_checkins, cut=cut)


def test_rebuild_repairs_a_damaged_row_and_leaves_other_clinics(world):
    _entry(world, world.patient_a, "checkin", 1)
    db.session.execute(PatientSummary.__table__.update().values(last_checkin_at=None, urgent_open=7))
    db.session.commit()
    assert stored() != recomputed()
    assert services.rebuild(world.clinic1.id) == 2  # Alice and Bruno
    db.session.commit()
    assert {r for r in stored() if r[1] == world.clinic1.id} == {r for r in recomputed() if r[1] == world.clinic1.id}
    assert stored() != recomputed()  # clinic 2 was left as it was
    services.rebuild()
    db.session.commit()
    assert stored() == recomputed()


def test_the_rebuild_command_repairs_every_row(app, world):
    db.session.execute(PatientSummary.__table__.update().values(emergency_open=3))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["roster", "rebuild"])
    assert result.exit_code == 0 and "Rebuilt 3 roster summary rows." in result.output, result.output
    db.session.expire_all()
    assert stored() == recomputed()
