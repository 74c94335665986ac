"""Public pages of plan cycles: the cycles and their archive, a cycle, its timeline
(picture, list, iCalendar), the plan document with its versions and their differences,
and attachment downloads. Everything here is readable without an account; working
drafts are not."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, g, render_template, request, send_file, url_for

from kpss import uploads
from kpss.errors import NotFound
from kpss.plans import attachments as files
from kpss.plans import documents, ical, lifecycle, services, svg
from kpss.plans.diff import diff_documents
from kpss.plans.reference import service_types
from kpss.plans.schemas import resolution_text
from kpss.ui import icalendar
from kpss.ui.formatting import tenant_zone

bp = Blueprint("plans", __name__)


def _cycle_context(cycle) -> dict:
    return {
        "cycle": cycle,
        "labels": lifecycle.LABELS,
        "lifecycle": lifecycle,
        "resolution_text": resolution_text,
    }


@bp.get("/<tenant_slug>/plany/")
def index():
    cycles = services.list_cycles()
    current = next((c for c in cycles if not c.is_archived), None)
    timeline = services.timeline(current) if current else None
    return render_template(
        "plans/index.html",
        current=current,
        timeline=timeline,
        others=[c for c in cycles if not c.is_archived and c is not current],
        archived=[c for c in cycles if c.is_archived],
        labels=lifecycle.LABELS,
        version=documents.latest_published(current) if current else None,
    )


@bp.get("/<tenant_slug>/plany/archiv")
def archive():
    cycles = services.archived_cycles()
    return render_template(
        "plans/archive.html",
        cycles=[
            (
                c,
                sorted((v for v in c.versions if v.is_published), key=lambda v: v.number),
                sorted(c.attachments, key=lambda a: (a.position, a.id)),
            )
            for c in cycles
        ],
        labels=lifecycle.LABELS,
        version_label=documents.version_label,
        resolution_text=resolution_text,
        human_size=uploads.human_size,
    )


@bp.get("/<tenant_slug>/plany/harmonogram")
def current_timeline():
    """The nav's "Harmonogram": the current cycle's timeline, at a stable address."""
    cycle = services.current_cycle()
    if cycle is None:
        return render_template("plans/timeline.html", cycle=None, timeline=None)
    return _timeline_page(cycle)


@bp.get("/<tenant_slug>/plany/kalendar.ics")
def calendar_feed():
    """Milestones of every cycle not archived: one address to subscribe to."""
    host = urlsplit(_base_url()).hostname or "kpss"
    name = f"{g.tenant.name}: harmonogram plánování"
    body = icalendar.feed(ical.milestone_events(host), name=name, zone=tenant_zone())
    return icalendar.response(body, "harmonogram.ics")


@bp.get("/<tenant_slug>/plany/<int:plan_cycle_id>/")
def cycle(plan_cycle_id: int):
    cycle = services.get_cycle_or_404(plan_cycle_id)
    return render_template(
        "plans/cycle.html",
        timeline=services.timeline(cycle),
        resolutions=services.resolutions_of(cycle),
        versions=documents.published_versions(cycle),
        attachments=files.attachments_of(cycle),
        territory=services.cycle_territory(cycle),
        version_label=documents.version_label,
        human_size=uploads.human_size,
        panels=services.cycle_panels(cycle),
        **_cycle_context(cycle),
    )


def _timeline_page(cycle):
    timeline = services.timeline(cycle)
    return render_template(
        "plans/timeline.html",
        timeline=timeline,
        picture=svg.render(timeline, f"harmonogram-{cycle.id}"),
        **_cycle_context(cycle),
    )


@bp.get("/<tenant_slug>/plany/<int:plan_cycle_id>/harmonogram")
def timeline(plan_cycle_id: int):
    return _timeline_page(services.get_cycle_or_404(plan_cycle_id))


@bp.get("/<tenant_slug>/plany/<int:plan_cycle_id>/harmonogram.svg")
def timeline_svg(plan_cycle_id: int):
    cycle = services.get_cycle_or_404(plan_cycle_id)
    picture = svg.render(services.timeline(cycle), f"harmonogram-{cycle.id}", standalone=True)
    if not picture:
        raise NotFound()
    return Response(str(picture), mimetype="image/svg+xml")


@bp.get("/<tenant_slug>/plany/<int:plan_cycle_id>/harmonogram.ics")
def timeline_ics(plan_cycle_id: int):
    cycle = services.get_cycle_or_404(plan_cycle_id)
    url = url_for("plans.timeline", plan_cycle_id=cycle.id, _external=True)
    items = [(cycle, m, url) for m in services.milestones_of(cycle)]
    body = ical.calendar(cycle.title, items, base_url=_base_url())
    return icalendar.response(body, f"harmonogram-{cycle.id}.ics")


def _base_url() -> str:
    return current_app.config.get("KPSS_BASE_URL") or request.host_url


# --- the document -----------------------------------------------------------------------------


def _document_page(cycle, version, *, template: str = "plans/document.html", **extra):
    tree = documents.document_tree(version)
    versions = documents.published_versions(cycle)
    return render_template(
        template,
        version=version,
        tree=tree,
        versions=versions,
        version_label=documents.version_label,
        service_types=service_types(),
        notes=documents.notes_for(version),
        **_cycle_context(cycle),
        **extra,
    )


@bp.get("/<tenant_slug>/plany/<int:plan_cycle_id>/dokument")
def document(plan_cycle_id: int):
    """The newest published version (its numbered address is the permanent one)."""
    cycle = services.get_cycle_or_404(plan_cycle_id)
    version = documents.latest_published(cycle)
    if version is None:
        return render_template("plans/document_none.html", **_cycle_context(cycle))
    return _document_page(cycle, version, latest=True)


@bp.get("/<tenant_slug>/plany/<int:plan_cycle_id>/dokument/<int:version_number>")
def document_version(plan_cycle_id: int, version_number: int):
    cycle = services.get_cycle_or_404(plan_cycle_id)
    return _document_page(cycle, documents.get_version(cycle, version_number))


@bp.get("/<tenant_slug>/plany/<int:plan_cycle_id>/dokument/<int:version_number>/<section_key>")
def document_section(plan_cycle_id: int, version_number: int, section_key: str):
    """One section (with its parts) of a published version, at its own address."""
    cycle = services.get_cycle_or_404(plan_cycle_id)
    version = documents.get_version(cycle, version_number)
    tree = documents.document_tree(version)
    node = tree.node(section_key)
    if node is None:
        raise NotFound()
    return render_template(
        "plans/section.html",
        version=version,
        tree=tree,
        node=node,
        version_label=documents.version_label,
        service_types=service_types(),
        notes=documents.notes_for(version),
        **_cycle_context(cycle),
    )


@bp.get("/<tenant_slug>/plany/<int:plan_cycle_id>/dokument/rozdil")
def document_diff(plan_cycle_id: int):
    """Differences between two published versions (``?od=1&do=2``)."""
    cycle = services.get_cycle_or_404(plan_cycle_id)
    versions = documents.published_versions(cycle)
    return _diff_page(cycle, versions, public=True)


def _diff_page(cycle, versions, *, public: bool, template: str = "plans/diff.html"):
    numbers = [v.number for v in versions]
    by_number = {v.number: v for v in versions}
    old_n, new_n = _int(request.args.get("od")), _int(request.args.get("do"))
    if new_n is None and numbers:
        new_n = numbers[-1]
    if old_n is None and len(numbers) >= 2:
        old_n = numbers[numbers.index(new_n) - 1] if new_n in numbers[1:] else numbers[-2]
    problem = None
    result = None
    if len(numbers) < 2:
        problem = "few"
    elif old_n not in by_number or new_n not in by_number:
        problem = "unknown"
    elif old_n == new_n:
        problem = "same"
    else:
        result = diff_documents(
            documents.document_tree(by_number[old_n]), documents.document_tree(by_number[new_n])
        )
    status = 404 if problem == "unknown" and request.args else 200
    return render_template(
        template,
        versions=versions,
        old_number=old_n,
        new_number=new_n,
        diff=result,
        problem=problem,
        version_label=documents.version_label,
        service_types=service_types(),
        public=public,
        **_cycle_context(cycle),
    ), status


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


# --- attachments ------------------------------------------------------------------------------


@bp.get("/<tenant_slug>/plany/<int:plan_cycle_id>/prilohy/<int:cycle_attachment_id>")
def attachment(plan_cycle_id: int, cycle_attachment_id: int):
    cycle = services.get_cycle_or_404(plan_cycle_id)
    row = files.get_attachment_or_404(cycle_attachment_id)
    if row.cycle_id != cycle.id or not row.has_file:
        raise NotFound()
    path = files.path_of(row)
    if not path.is_file():
        raise NotFound()
    kind = uploads.FILE_TYPES[row.extension]
    response = send_file(
        path,
        mimetype=kind.mimetype,
        as_attachment=not kind.inline,
        download_name=row.original_name or f"priloha.{row.extension}",
        etag=row.sha256,
        max_age=3600,
        conditional=True,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
