"""The check-in form helps a patient in pain (issue 16): required and weekly questions are marked, the error
summary names each question and links to it with values kept, and "My pump is beeping" opens the alarm question."""
from tests.conftest import HX, login
from tests.diary.helpers import form


def test_weekly_and_required_questions_are_marked(client, world):
    login(client, world.patient_a_user)  # no PEG yet: the weekly questions are due
    html = client.get("/checkin").get_data(as_text=True)
    legend = html.split('id="q-peg-pain_avg"')[1].split("</legend>")[0]
    assert "Once a week" in legend and "Required" in legend
    pain = html.split('id="q-pain_now"')[1].split("</legend>")[0]
    assert "Required" in pain and "Once a week" not in pain


def test_error_summary_names_each_question_links_to_it_and_keeps_values(client, world):
    login(client, world.patient_a_user)
    response = client.post("/checkin", data=form({"pain_now": "6", "anything_new": "no"}), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    assert '<a href="#q-peg-pain_avg">In the past week, what was your pain on average?' in summary
    assert '<a href="#q-peg-enjoyment">' in summary and '<a href="#q-peg-activity">' in summary
    assert 'value="6" checked' in html  # the pain answer is kept


def test_pump_beeping_shortcut_opens_the_alarm_question(client, peg_done):
    login(client, peg_done.patient_a_user)
    html = client.get("/checkin?pump_alarm=1").get_data(as_text=True)
    assert 'name="anything_new" value="yes" checked' in html
    assert 'id="q-pump_alarm" data-link="pump_alarm" data-focus' in html
    plain = client.get("/checkin").get_data(as_text=True)
    assert "data-focus" not in plain and 'value="yes" checked' not in plain
