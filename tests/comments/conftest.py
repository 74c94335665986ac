"""Fixtures of the comment tests (helpers in tests/comments/support.py)."""

import pytest

from tests.comments.support import local, make_period, set_clock


@pytest.fixture
def period(app, tenant_a, coordinator_a, monkeypatch):
    """A period 1.–31. 3. 2025 on the draft of tenant A; the clock in the middle of it."""
    set_clock(monkeypatch, local(2025, 3, 15, 12, 0))
    return make_period(app, tenant_a, coordinator_a)
