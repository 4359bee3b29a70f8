"""The widening ladder on a frozen clock: each round keeps everyone paged and adds the next rung; the deadline
set at opening never moves; in hours, out of hours, backup on call, a deactivated person, an empty rota."""
from datetime import time, timedelta

import pytest

from companion import clock
from companion.clinic import services as clinic
from companion.escalation import routing, services
from companion.escalation.models import Case
from companion.extensions import db
from tests.conftest import FIXED_NOW

NIGHT = FIXED_NOW.replace(hour=4)  # Monday 04:00 UTC = Sunday 23:00 in New York (out of hours)


def open_case(world, source_id=1) -> Case:
    result = services.assess(world.patient_a, observations={"pump_alarm": "two_tone"}, context={},
                             source_type="diary_entry", source_id=source_id, reported_by_user=world.patient_a_user)
    db.session.commit()
    return db.session.get(Case, result.case_id)


def paged(case) -> dict[int, str]:
    db.session.refresh(case)
    return {r.user_id: r.rung for r in case.recipients}


def round_at(start, minutes) -> None:
    clock.freeze(start + timedelta(minutes=minutes))
    services.sweep()


@pytest.fixture
def rota(world, factory):
    """A Sunday-night on-call nurse and a backup physician on the rota (20:00-08:00), plus the physician."""
    night_nurse = factory.user("nurse", world.clinic1, display_name="Night Nurse")
    backup = factory.user("physician", world.clinic1, display_name="Dr Backup")
    clinic.add_shift(world.admin1, weekday=6, starts=time(20), ends=time(8), user_id=night_nurse.id)
    clinic.add_shift(world.admin1, weekday=6, starts=time(20), ends=time(8), user_id=backup.id, slot=2)
    return night_nurse, backup


def test_in_hours_team_then_on_call_then_physicians_then_admin(world, factory):
    on_call = factory.user("physician", world.clinic1, display_name="Dr On Call")
    services.save_settings(world.clinic1.id, world.admin1, on_call_user_id=on_call.id)
    case = open_case(world)  # Monday 10:00 New York: in hours, urgent deadline from the clinic's settings
    deadline = case.ack_due_at
    assert deadline == FIXED_NOW + timedelta(minutes=60) and paged(case) == {world.nurse1.id: "nurse"}
    round_at(FIXED_NOW, 60)
    assert paged(case) == {world.nurse1.id: "nurse", on_call.id: "on_call"}
    round_at(FIXED_NOW, 120)
    assert paged(case) == {world.nurse1.id: "nurse", on_call.id: "on_call", world.physician1.id: "physician"}
    round_at(FIXED_NOW, 180)
    assert paged(case)[world.admin1.id] == "admin" and len(paged(case)) == 4
    assert case.ack_due_at == deadline and case.notify_round == 4  # rounds never move the deadline
    assert case.next_round_at == FIXED_NOW + timedelta(minutes=240)


def test_out_of_hours_on_call_then_backup_then_physicians_then_admin(world, rota):
    night_nurse, backup = rota
    clock.freeze(NIGHT)
    case = open_case(world)
    assert paged(case) == {night_nurse.id: "on_call"}  # the day nurses are not woken
    round_at(NIGHT, 60)
    assert paged(case) == {night_nurse.id: "on_call", backup.id: "backup"}
    round_at(NIGHT, 120)
    assert paged(case) == {night_nurse.id: "on_call", backup.id: "backup", world.physician1.id: "physician"}
    round_at(NIGHT, 180)
    assert set(paged(case)) == {night_nurse.id, backup.id, world.physician1.id, world.admin1.id}
    assert world.nurse1.id not in paged(case)
    assert case.ack_due_at == NIGHT + timedelta(minutes=60)


def test_a_deactivated_on_call_person_is_skipped_and_the_backup_is_paged_first(world, rota):
    night_nurse, backup = rota
    clinic.set_staff_active(world.admin1, night_nurse, False)
    clock.freeze(NIGHT)
    case = open_case(world)
    assert paged(case) == {backup.id: "backup"}
    round_at(NIGHT, 60)
    assert paged(case) == {backup.id: "backup", world.physician1.id: "physician"}
    assert night_nurse.id not in paged(case)


def test_an_empty_rota_goes_to_the_physicians_then_admin(world):
    clock.freeze(NIGHT)
    case = open_case(world)  # nobody on call, no backup, no fallback person
    assert paged(case) == {world.physician1.id: "physician"}
    round_at(NIGHT, 60)
    assert paged(case) == {world.physician1.id: "physician", world.admin1.id: "admin"}
    round_at(NIGHT, 120)  # nobody left to add: everyone so far is paged again
    assert len(paged(case)) == 2 and case.notify_round == 3 and case.events[-2].kind == "renotified"


def test_a_clinic_without_any_staffed_rung_pages_every_clinician(world, factory):
    for person in (world.physician1, world.admin1):
        clinic.set_staff_active(world.admin1, person, False) if person is not world.admin1 else None
    services.save_settings(world.clinic1.id, world.admin1, ladder_out_of_hours="on_call,backup")
    clock.freeze(NIGHT)
    case = open_case(world)
    assert world.nurse1.id in paged(case) and world.admin1.id in paged(case)  # never routed to no one


def test_the_ladder_is_configurable_per_clinic(world, factory):
    services.save_settings(world.clinic1.id, world.admin1, ladder_in_hours="physician,admin")
    case = open_case(world)
    assert paged(case) == {world.physician1.id: "physician"}
    round_at(FIXED_NOW, 60)
    assert paged(case) == {world.physician1.id: "physician", world.admin1.id: "admin"}
    # Another clinic keeps the default ladder.
    assert routing.ladder_for(routing.settings_for(world.clinic2.id), True) == ("nurse", "on_call", "physician", "admin")
    assert routing.parse_ladder("admin,bogus,admin", "nurse") == ("admin",)
    assert routing.parse_ladder("bogus", "nurse,physician") == ("nurse", "physician")


def test_the_first_acknowledgement_stops_the_rounds(world, rota):
    night_nurse, backup = rota
    clock.freeze(NIGHT)
    case = open_case(world)
    round_at(NIGHT, 60)
    clock.freeze(NIGHT + timedelta(minutes=70))
    services.acknowledge(case, backup, kind="seen")
    round_at(NIGHT, 180)
    assert case.notify_round == 2 and case.next_round_at is None and world.physician1.id not in paged(case)
