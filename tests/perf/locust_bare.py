"""Locust users posting to the bare Flask endpoint (baseline)."""
from locust import FastHttpUser, constant, task


class Bare(FastHttpUser):
    """Posts a form of check-in size to /bare."""

    wait_time = constant(0)

    @task
    def post(self) -> None:
        """One post."""
        self.client.post("/bare", data={"pain_now": "4", "anything_new": "no", "client_entry_id": "x" * 36})
