"""Locust users posting a check-in-sized form to the minimal durable write (the check-in's honest baseline)."""
import random
import uuid
from datetime import datetime, timezone

from locust import FastHttpUser, constant, task

from locust_checkin import named  # locust puts this directory on sys.path


class Writer(FastHttpUser):
    """A signed session and a CSRF token, then the same form the check-in users post, closed loop."""

    wait_time = constant(0)

    def on_start(self) -> None:
        """Get a signed session cookie and its CSRF token."""
        self.token = self.client.get(f"/durable?uid={random.randint(1, 1000)}", name="session").json()["csrf"]

    @task
    def post(self) -> None:
        """One durable write."""
        form = {"client_entry_id": str(uuid.uuid4()), "recorded_at": datetime.now(timezone.utc).isoformat(),
                "pain_now": str(random.randint(1, 7)), "anything_new": "no", "peg.pain_avg": "4",
                "peg.enjoyment": "4", "peg.activity": "4", "csrf_token": self.token}
        with self.client.post("/durable", data=form, headers={"HX-Request": "true", "X-CSRFToken": self.token},
                              name=named("durable write"), catch_response=True) as response:
            if response.status_code != 200 or "data-entry-saved" not in response.text:
                response.failure(f"status {response.status_code}")
