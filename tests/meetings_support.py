"""Shared by the meetings tests (registered in conftest.py as a plugin): a meeting in
two weeks with three seats, and helpers to register people and read the outcome."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from kpss.bodies.models import RegistrationMode, WorkingGroup
from kpss.db import utcnow
from kpss.extensions import db
from kpss.meetings import services
from kpss.meetings.models import Meeting, MeetingKind, Registration
from kpss.meetings.services import RegistrationInput
from tests.conftest import in_tenant


def person(n, org=None, side="public", email=None):
    return RegistrationInput(
        name=f"Osoba {n}",
        email=email or f"osoba{n}@example.cz",
        organisation=org,
        triad_side=side if not org else "provider",
        consent_processing=True,
    )


@pytest.fixture
def meeting_id(app, tenant_a):
    """A group meeting in two weeks: 3 seats, one person per organisation."""
    with in_tenant(app, tenant_a):
        group = WorkingGroup(
            name="Senioři", number=3, registration_mode=RegistrationMode.REGISTRATION
        )
        db.session.add(group)
        db.session.flush()
        start = utcnow() + timedelta(days=14)
        meeting = Meeting(
            kind=MeetingKind.GROUP,
            body_id=group.id,
            title="PS 3 – jednání",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            place="Radnice, zasedací místnost",
            capacity=3,
            per_org_limit=1,
        )
        db.session.add(meeting)
        db.session.commit()
        return meeting.id


def register(app, tenant, meeting_id, data):
    with in_tenant(app, tenant):
        result = services.register(meeting_id, data)
        db.session.commit()
        return result.registration.id, result.registration.status, result.position, result.created


def status_of(app, tenant, registration_id):
    with in_tenant(app, tenant):
        return db.session.execute(
            select(Registration.status).where(Registration.id == registration_id)
        ).scalar_one()


def statuses(app, tenant, meeting_id):
    with in_tenant(app, tenant):
        rows = db.session.execute(
            select(Registration.name, Registration.status)
            .where(Registration.meeting_id == meeting_id)
            .order_by(Registration.seq)
        ).all()
    return [(name, status.value) for name, status in rows]
