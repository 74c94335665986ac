"""What comments add to the pages of plans: the period on the cycle's timeline, a panel
on the cycle's page and on the tenant's home, and notes in the plan document
("Připomínkovat" beside each open section; in a later version, which comments led to a
change)."""

from __future__ import annotations

from datetime import date

from flask import render_template, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import or_, select

from kpss.comments import services
from kpss.comments.models import Comment, CommentPeriod
from kpss.extensions import db
from kpss.plans.models import DatePrecision, DocumentVersion, PlanCycle
from kpss.plans.timeline import CURRENT, FUTURE, PAST, TimelineEntry
from kpss.ui.formatting import format_date_range


def timeline_entries(cycle: PlanCycle, today: date) -> list[TimelineEntry]:
    """The period as a phase of the cycle ("1.–31. března 2025"), and the settlement's
    publication as an event."""
    entries = []
    for period in services.periods_of(cycle):
        if period.ends_on < today:
            state = PAST
        elif period.starts_on <= today:
            state = CURRENT
        else:
            state = FUTURE
        url = url_for("comments.period", plan_cycle_id=cycle.id, comment_period_id=period.id)
        entries.append(
            TimelineEntry(
                kind="phase",
                uid=f"pripominky-{period.id}",
                title=period.title,
                start=period.starts_on,
                end=period.ends_on,
                when=format_date_range(period.starts_on, period.ends_on),
                precision=DatePrecision.DAY,
                description=_("Veřejné připomínkování návrhu plánu."),
                url=url,
                state=state,
            )
        )
        if period.settlement_published_at is not None:
            day = period.settlement_published_at.astimezone(services.zone_of()).date()
            entries.append(
                TimelineEntry(
                    kind="settlement",
                    uid=f"vyporadani-{period.id}",
                    title=_("Zveřejnění vypořádání připomínek"),
                    start=day,
                    end=day,
                    when=format_date_range(day, day),
                    url=url_for(
                        "comments.settlement", plan_cycle_id=cycle.id, comment_period_id=period.id
                    ),
                    state=PAST if day < today else FUTURE,
                )
            )
    return entries


def cycle_panel(cycle: PlanCycle) -> tuple[str, dict] | None:
    periods = services.periods_of(cycle)
    if not periods:
        return None
    return "comments/_cycle_panel.html", {
        "comment_periods": [(p, services.state(p), services.progress(p)) for p in periods]
    }


def home_panel(tenant) -> tuple[str, dict] | None:
    periods = services.open_periods()
    if not periods:
        return None
    return "comments/_home_panel.html", {"open_comment_periods": periods}


def _html(template: str, **context) -> Markup:
    # An autoescaped template's output is safe HTML already.
    return Markup(render_template(template, **context))  # noqa: S704


def document_notes(version: DocumentVersion) -> dict[str | None, list[Markup]]:
    """Notes for a published version: an invitation to comment while a period on it is
    open, and the comments whose published settlement changed one of its sections.
    One query (plus the sections while a period on the version is open)."""
    changed = (
        (Comment.period_id == CommentPeriod.id)
        & (Comment.tenant_id == CommentPeriod.tenant_id)
        & (Comment.change_version_id == version.id)
        & CommentPeriod.settlement_published_at.is_not(None)
    )
    rows = db.session.execute(
        select(CommentPeriod, Comment.change_section_key, Comment.number)
        .outerjoin(Comment, changed)
        .where(or_(CommentPeriod.version_id == version.id, Comment.id.is_not(None)))
        .order_by(CommentPeriod.id, Comment.seq)
    ).all()
    notes: dict[str | None, list[Markup]] = {}
    by_key: dict[str, list[tuple[str, int]]] = {}
    seen: set[int] = set()
    for period, key, number in rows:
        if number is not None:
            by_key.setdefault(key, []).append((number, period.id))
        if period.version_id != version.id or period.id in seen:
            continue
        seen.add(period.id)
        period_state = services.state(period)
        if period_state not in (services.OPEN, services.UPCOMING):
            continue
        notes.setdefault(None, []).append(
            _html("comments/_document_banner.html", period=period, state=period_state)
        )
        if period_state == services.OPEN:
            for ref in services.open_sections(period, services.sections_in(version)):
                notes.setdefault(ref.key, []).append(
                    _html("comments/_comment_link.html", period=period, ref=ref)
                )
    for key, numbers in by_key.items():
        notes.setdefault(key, []).append(
            _html("comments/_changed_by.html", numbers=numbers, cycle_id=version.cycle_id)
        )
    return notes
