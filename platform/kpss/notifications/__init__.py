"""Notifications: the outbox, e-mail rendering and sending."""
