"""What the operator sees of the instance: tenants and the outbox."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from kpss.auth.models import Membership
from kpss.db import utcnow
from kpss.errors import NotFound
from kpss.extensions import db
from kpss.notifications.models import Outbox, OutboxStatus
from kpss.tenancy.models import Tenant
from kpss.tenancy.scoping import platform_scope
from kpss.ui.formatting import czech_sort_key


def tenants_overview() -> list[tuple[Tenant, int]]:
    with platform_scope("the operator's list of tenants"):
        counts = dict(
            db.session.execute(
                select(Membership.tenant_id, func.count()).group_by(Membership.tenant_id)
            ).all()
        )
    tenants = db.session.execute(select(Tenant)).scalars()
    return [(t, counts.get(t.id, 0)) for t in sorted(tenants, key=lambda t: czech_sort_key(t.name))]


def outbox_health() -> dict:
    day_ago = utcnow() - timedelta(days=1)
    by_status = dict(
        db.session.execute(select(Outbox.status, func.count()).group_by(Outbox.status)).all()
    )
    oldest_pending = db.session.execute(
        select(func.min(Outbox.created_at)).where(Outbox.status == OutboxStatus.PENDING)
    ).scalar()
    done_day = db.session.execute(
        select(func.count()).where(Outbox.status == OutboxStatus.DONE, Outbox.done_at >= day_ago)
    ).scalar()
    failed = db.session.execute(
        select(Outbox, Tenant.slug)
        .outerjoin(Tenant, Tenant.id == Outbox.tenant_id)
        .where(Outbox.status == OutboxStatus.FAILED)
        .order_by(Outbox.id.desc())
        .limit(100)
    ).all()
    return {
        "pending": by_status.get(OutboxStatus.PENDING, 0),
        "failed": by_status.get(OutboxStatus.FAILED, 0),
        "done_last_day": done_day or 0,
        "oldest_pending": oldest_pending,
        "failed_rows": failed,
    }


def set_tenant_active(slug: str, active: bool) -> Tenant:
    tenant = db.session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
    if tenant is None:
        raise NotFound()
    tenant.active = active
    return tenant
