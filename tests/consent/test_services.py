"""Consent services: progress, teach-back, questions, signing, validation, immutability, corrections, re-consent."""
import shutil

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from companion.audit.models import AuditEvent
from companion.consent import queries, services
from companion.consent.content_loader import CONTENT_DIR
from companion.consent.models import ConsentRecord, ModuleRead, TeachBackAnswer
from companion.extensions import db
from tests.conftest import FIXED_NOW
from tests.consent.helpers import answer, consent_input, signature_url


def actions(patient_id=None):
    stmt = select(AuditEvent.action)
    if patient_id:
        stmt = stmt.where(AuditEvent.patient_id == patient_id)
    return list(db.session.scalars(stmt))


def test_mark_read_once_per_module_and_unknown_modules_refused(world):
    content = queries.current_content()
    services.mark_read(world.patient_a, content, "trial")
    services.mark_read(world.patient_a, content, "trial")
    assert db.session.scalar(select(db.func.count()).select_from(ModuleRead)) == 1
    with pytest.raises(KeyError):
        services.mark_read(world.patient_a, content, "no-such-module")
    assert queries.progress(world.patient_a).read == {"trial"}


def test_every_answer_is_kept_and_the_newest_counts(world):
    answer(world.patient_a, "trial", "why-watched", right=False)
    prog = queries.progress(world.patient_a)
    assert [g.question_id for g in prog.gaps] == ["why-watched"]
    answer(world.patient_a, "trial", "why-watched", right=True)
    prog = queries.progress(world.patient_a)
    assert prog.gaps == [] and [m.question_id for m in prog.missed] == ["why-watched"]
    assert db.session.scalar(select(db.func.count()).select_from(TeachBackAnswer)) == 2


def test_an_unknown_choice_is_refused(world):
    with pytest.raises(services.ConsentError):
        services.answer_question(world.patient_a, world.patient_a_user, queries.current_content(), "trial",
                                 "why-watched", "zz")


def test_consent_state_moves_through_the_stages(world):
    assert queries.consent_state(world.patient_a) == "not started"
    services.mark_read(world.patient_a, queries.current_content(), "how-it-works")
    assert queries.consent_state(world.patient_a) == "reading (1 of 11)"
    answer(world.patient_a, "trial", "why-watched", right=False)
    assert queries.consent_state(world.patient_a) == "teach-back gaps"
    services.sign_consent(world.nurse1, world.patient_a, consent_input())
    assert queries.consent_state(world.patient_a) == f"signed on {FIXED_NOW.date().isoformat()} ({queries.current_content().version})"


def test_signing_snapshots_everything_and_audits(world):
    content = queries.current_content()
    services.mark_read(world.patient_a, content, "trial")
    answer(world.patient_a, "trial", "why-watched", right=False)
    services.record_question(world.nurse1, world.patient_a, "Does it hurt?", "A little, for a few days.")
    record = services.sign_consent(world.nurse1, world.patient_a, consent_input(
        interpreter_used=True, interpreter_language="Spanish"))
    assert record.content_version == content.version and record.content_hash == content.content_hash
    assert record.modules_read == ["trial"] and record.answers[0]["correct"] is False
    assert record.questions[0]["question"] == "Does it hurt?"
    assert record.topics_discussed == list(content.risk_topics)
    assert record.patient_signature_png.startswith(b"\x89PNG") and record.clinician_typed_name == "Nurse Example"
    assert record.interpreter_language == "Spanish" and record.signed_at == FIXED_NOW
    assert record.patient_name == world.patient_a.full_name and len(record.record_hash) == 64
    assert {"consent_session_opened", "consent_question_recorded", "consent_signed"} <= set(actions(world.patient_a.id))
    # The discussion is closed: the next question opens a new one.
    assert queries.open_session(world.patient_a.id) is None


@pytest.mark.parametrize("overrides, field", [
    ({"topics_discussed": ["infection"]}, "topics"),
    ({"decision": "maybe"}, "decision"),
    ({"content_version": "2025.01"}, "decision"),
    ({"interpreter_used": True, "interpreter_language": " "}, "interpreter_language"),
    ({"representative_present": True}, "representative_name"),
    ({"patient_signature": services.Signature("drawn", signature_url(blank=True))}, "patient_signature"),
    ({"patient_signature": services.Signature("drawn", "data:image/png;base64,iVBORw0KGgoAAAAN")}, "patient_signature"),
    ({"patient_signature": services.Signature("typed", typed_name=" ")}, "patient_typed_name"),
    ({"clinician_signature": services.Signature("drawn", "javascript:alert(1)")}, "clinician_signature"),
    ({"clinician_signature": services.Signature("stamp")}, "clinician_sign_method"),
])
def test_incomplete_consent_is_refused_beside_the_right_field(world, overrides, field):
    with pytest.raises(services.ConsentError) as error:
        services.sign_consent(world.nurse1, world.patient_a, consent_input(**overrides))
    assert error.value.field == field
    assert db.session.scalar(select(db.func.count()).select_from(ConsentRecord)) == 0


def test_declining_or_asking_for_time_needs_no_topics(world):
    record = services.sign_consent(world.nurse1, world.patient_a, consent_input(decision="more_time", topics_discussed=[]))
    assert record.decision == "more_time" and record.topics_discussed == []


@pytest.mark.parametrize("who", ["admin1", "nurse2", "patient_a_user", "caregiver"])
def test_only_the_patients_clinicians_can_sign(world, who):
    with pytest.raises(PermissionError):
        services.sign_consent(getattr(world, who), world.patient_a, consent_input())


def test_signed_records_cannot_be_changed_through_the_orm(world):
    record = services.sign_consent(world.nurse1, world.patient_a, consent_input())
    record.decision = "declines"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(ConsentRecord, record.id))
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(ConsentRecord, record.id).decision == "agrees_trial"


@pytest.mark.parametrize("sql", ["UPDATE consent_record SET decision = 'declines'", "DELETE FROM consent_record"])
def test_signed_records_cannot_be_changed_with_raw_sql(world, sql):
    record = services.sign_consent(world.nurse1, world.patient_a, consent_input())
    with pytest.raises(DBAPIError, match="immutable"):
        db.session.execute(text(sql))
    db.session.rollback()
    assert db.session.get(ConsentRecord, record.id).decision == "agrees_trial"


def test_a_correction_is_a_new_record_that_supersedes_the_old(world):
    old = services.sign_consent(world.nurse1, world.patient_a, consent_input())
    with pytest.raises(services.ConsentError, match="what this correction changes"):
        services.sign_consent(world.nurse1, world.patient_a, consent_input(supersedes_id=old.id))
    fix = services.sign_consent(world.physician1, world.patient_a, consent_input(
        decision="agrees_implant", supersedes_id=old.id, correction_reason="Decision was the implant, not a trial."))
    assert fix.supersedes_id == old.id and queries.current_record(world.patient_a.id).id == fix.id
    assert db.session.get(ConsentRecord, old.id).decision == "agrees_trial"
    with pytest.raises(services.ConsentError, match="cannot be corrected"):
        services.sign_consent(world.nurse1, world.patient_a, consent_input(supersedes_id=old.id, correction_reason="x"))
    other = services.sign_consent(world.nurse1, world.patient_b, consent_input())
    with pytest.raises(services.ConsentError, match="cannot be corrected"):
        services.sign_consent(world.nurse1, world.patient_a, consent_input(supersedes_id=other.id, correction_reason="x"))


def _newer_major(tmp_path, current):
    """A content folder holding the current version and a new major version 2028.01."""
    base, folder = tmp_path / "content", current.version.replace(".", "-")
    shutil.copytree(CONTENT_DIR / folder, base / folder)
    shutil.copytree(CONTENT_DIR / folder, base / "2028-01")
    meta = base / "2028-01" / "version.yaml"
    meta.write_text(meta.read_text().replace(f'version: "{current.version}"', 'version: "2028.01"')
                    .replace(f"major: {current.major}", f"major: {current.major + 1}"))
    return base


def test_a_new_major_version_lists_patients_who_agreed_on_the_old_one(app, world, tmp_path):
    a = services.sign_consent(world.nurse1, world.patient_a, consent_input())
    services.sign_consent(world.nurse1, world.patient_b, consent_input(decision="declines", topics_discussed=[]))
    services.sign_consent(world.nurse2, world.patient_c2, consent_input())
    assert queries.reconsent_list(world.clinic1.id) == []
    signed_on = queries.current_content()
    app.config["CONSENT_CONTENT_DIR"] = str(_newer_major(tmp_path, signed_on))
    assert queries.current_content().version == "2028.01"
    assert [(p.id, r.id) for p, r in queries.reconsent_list(world.clinic1.id)] == [(world.patient_a.id, a.id)]
    assert queries.needs_reconsent(world.patient_a) and not queries.needs_reconsent(world.patient_b)
    assert queries.consent_state(world.patient_a).endswith(f"({signed_on.version}); re-consent needed")
    # Signing again on the new version takes the patient off the list.
    services.sign_consent(world.nurse1, world.patient_a, consent_input())
    assert queries.reconsent_list(world.clinic1.id) == []
