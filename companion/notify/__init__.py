"""Notifications: the outbox, its channels (in-app, email, web push) and the dispatcher."""
