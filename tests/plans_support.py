"""Helpers for the tests of plan cycles: acting as a coordinator outside a request,
building a cycle with a timeline and a document, a fixed "today"."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from flask_login import login_user

from kpss.auth.models import User
from kpss.extensions import db
from kpss.plans import documents, services
from kpss.plans.models import CycleStatus, SectionKind
from kpss.tenancy.scoping import bind_tenant
from tests.conftest import TenantRef, UserRef


@contextmanager
def acting_as(app, tenant: TenantRef, user: UserRef) -> Iterator[None]:
    """A request context in ``tenant`` with ``user`` signed in: services check the
    user's permissions as they would in a view."""
    with app.test_request_context(), bind_tenant(tenant.id):
        login_user(db.session.get(User, user.id))
        yield


def fix_today(monkeypatch, day: date) -> None:
    monkeypatch.setattr(services, "today", lambda: day)


def make_cycle(
    app,
    tenant: TenantRef,
    user: UserRef,
    *,
    title: str = "Komunitní plán 2025–2027",
    start_year: int = 2025,
    end_year: int = 2027,
    status: CycleStatus | None = None,
) -> int:
    with acting_as(app, tenant, user):
        cycle = services.create_cycle(
            {"title": title, "start_year": start_year, "end_year": end_year}
        )
        if status is not None:
            cycle.status = status
        db.session.commit()
        return cycle.id


def make_document(
    app,
    tenant: TenantRef,
    user: UserRef,
    cycle_id: int,
    *,
    activities: int = 2,
    publish: bool = True,
) -> int:
    """A version with an introduction and one priority → measure → ``activities``
    activities; returns the version's number."""
    with acting_as(app, tenant, user):
        cycle = services.get_cycle_or_404(cycle_id)
        version = documents.start_version(cycle, {"title": "Komunitní plán"})
        documents.add_section(
            version,
            {"kind": SectionKind.CHAPTER, "title": "Úvod", "body": "Plán vznikl společně."},
        )
        priority = documents.add_section(
            version, {"kind": SectionKind.PRIORITY, "title": "Senioři doma"}
        )
        measure = documents.add_section(
            version,
            {
                "kind": SectionKind.MEASURE,
                "parent_key": priority.key,
                "title": "Terénní služby",
                "responsible_party": "odbor sociálních věcí",
                "funding_source": "rozpočet města",
                "indicator": "počet klientů",
                "timeframe": "2025–2027",
                "target_groups": ["senioři"],
                "service_types": ["40", "39"],
            },
        )
        for i in range(activities):
            documents.add_section(
                version,
                {
                    "kind": SectionKind.ACTIVITY,
                    "parent_key": measure.key,
                    "title": f"Aktivita {i + 1}",
                    "responsible_party": f"poskytovatel {i + 1}",
                },
            )
        if publish:
            documents.publish_version(version)
        db.session.commit()
        return version.number
