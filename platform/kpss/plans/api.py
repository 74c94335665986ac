"""JSON API of plan cycles: read the cycles, timeline and document of a tenant (public);
write them as its coordinator (bearer token, or session with X-CSRFToken).

Every write loads the rows named in the path first (another tenant's id is a 404), then
parses the body (422 with ``fields``), then calls the same service the pages use.
"""

from __future__ import annotations

from flask import request
from flask_login import login_required

from kpss.api import api_blueprint, document, parse, respond
from kpss.auth.permissions import can, require
from kpss.errors import NotFound
from kpss.extensions import db
from kpss.plans import documents, services
from kpss.plans.attachments import attachments_of
from kpss.plans.diff import diff_documents
from kpss.plans.schemas import (
    CycleInputSchema,
    CycleSchema,
    CycleSummarySchema,
    DocumentSchema,
    MilestoneInputSchema,
    MilestoneSchema,
    PhaseInputSchema,
    PhaseSchema,
    PublishInputSchema,
    ResolutionInputSchema,
    ResolutionSchema,
    SectionInputSchema,
    SectionUpdateSchema,
    StatusInputSchema,
    TimelineSchema,
    VersionInputSchema,
    VersionSummarySchema,
    VersionUpdateSchema,
)

bp = api_blueprint("plans_api", __name__)
# Schemas nested in these (Resolution, Phase, Milestone, VersionSummary, TimelineEntry,
# ApprovalInput) are named by apispec itself; naming them here too would clash.
document(
    CycleSummarySchema,
    CycleSchema,
    TimelineSchema,
    DocumentSchema,
    CycleInputSchema,
    StatusInputSchema,
    ResolutionInputSchema,
    PhaseInputSchema,
    MilestoneInputSchema,
    VersionInputSchema,
    VersionUpdateSchema,
    PublishInputSchema,
    SectionInputSchema,
    SectionUpdateSchema,
)


class CycleView:
    """A cycle with its parts loaded, in the shape ``CycleSchema`` dumps."""

    def __init__(self, cycle) -> None:
        self._cycle = cycle
        self.resolutions = services.resolutions_of(cycle)
        self.phases = services.phases_of(cycle)
        self.milestones = services.milestones_of(cycle)
        self.attachments = attachments_of(cycle)
        versions = documents.versions_of(cycle)
        self.versions = versions if can("plans.manage") else [v for v in versions if v.is_published]

    def __getattr__(self, name: str):
        return getattr(self._cycle, name)


def _cycle_response(cycle, status: int = 200):
    return respond(CycleSchema(), CycleView(cycle), status)


def _managed():
    require("plans.manage")


# --- reading ---------------------------------------------------------------------------------


@bp.get("/<tenant_slug>/cycles")
def list_cycles():
    """Plan cycles of a tenant, newest first.
    ---
    get:
      summary: Plánovací cykly obce, ORP nebo kraje
      responses:
        200:
          content:
            application/json:
              schema:
                type: array
                items: CycleSummary
    """
    return respond(CycleSummarySchema(many=True), services.list_cycles())


@bp.get("/<tenant_slug>/cycles/<int:plan_cycle_id>")
def cycle_detail(plan_cycle_id: int):
    """A cycle with its resolutions, phases, milestones, attachments and versions.
    ---
    get:
      summary: Detail plánovacího cyklu
      responses:
        200:
          content:
            application/json:
              schema: Cycle
        404:
          description: Cyklus neexistuje (nebo patří jiné obci)
    """
    return _cycle_response(services.get_cycle_or_404(plan_cycle_id))


@bp.get("/<tenant_slug>/cycles/<int:plan_cycle_id>/timeline")
def cycle_timeline(plan_cycle_id: int):
    """The timeline: phases, milestones and meetings in time order, with today's state.
    ---
    get:
      summary: Harmonogram cyklu
      responses:
        200:
          content:
            application/json:
              schema: Timeline
    """
    cycle = services.get_cycle_or_404(plan_cycle_id)
    return respond(TimelineSchema(), services.timeline(cycle))


@bp.get("/<tenant_slug>/cycles/<int:plan_cycle_id>/document")
def cycle_document(plan_cycle_id: int):
    """A version of the plan document as a tree of sections.
    ---
    get:
      summary: Dokument plánu (struktura)
      parameters:
        - name: version
          in: query
          required: false
          description: Číslo verze; bez něj nejnovější zveřejněná. Koordinátor může
            zadat `draft` pro rozpracovaný návrh.
          schema:
            type: string
      responses:
        200:
          content:
            application/json:
              schema: Document
        404:
          description: Verze neexistuje nebo není zveřejněná
    """
    cycle = services.get_cycle_or_404(plan_cycle_id)
    wanted = request.args.get("version")
    if wanted == "draft" and can("plans.manage"):
        version = documents.working_version(cycle)
    elif wanted:
        version = documents.get_version(cycle, wanted, published_only=not can("plans.manage"))
    else:
        version = documents.latest_published(cycle)
    if version is None:
        raise NotFound()
    return respond(DocumentSchema(), documents.document_tree(version))


@bp.get("/<tenant_slug>/cycles/<int:plan_cycle_id>/document/diff")
def cycle_document_diff(plan_cycle_id: int):
    """Which sections changed between two published versions (``from``, ``to``).
    ---
    get:
      summary: Rozdíly mezi verzemi dokumentu po částech
      parameters:
        - {name: from, in: query, required: true, schema: {type: integer}}
        - {name: to, in: query, required: true, schema: {type: integer}}
      responses:
        200:
          description: "Části: key, status (added, removed, changed, unchanged)"
    """
    from flask import jsonify

    cycle = services.get_cycle_or_404(plan_cycle_id)
    published_only = not can("plans.manage")
    old = documents.get_version(cycle, request.args.get("from"), published_only=published_only)
    new = documents.get_version(cycle, request.args.get("to"), published_only=published_only)
    result = diff_documents(documents.document_tree(old), documents.document_tree(new))
    return jsonify(
        {
            "from": old.number,
            "to": new.number,
            "sections": [
                {
                    "key": d.key,
                    "status": d.status,
                    "number": d.node.number,
                    "title": d.node.section.title,
                    "moved": d.moved,
                    "changed_fields": [c.name for c in d.changes],
                }
                for d in result.sections
            ],
        }
    )


# --- cycles ----------------------------------------------------------------------------------


@bp.post("/<tenant_slug>/cycles")
@login_required
def create_cycle():
    """Create a cycle (it starts in preparation).
    ---
    post:
      summary: Založit plánovací cyklus
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: CycleInput
      responses:
        201:
          content:
            application/json:
              schema: Cycle
        422:
          description: Chyby ve vstupu po polích (error.fields)
    """
    _managed()
    cycle = services.create_cycle(parse(CycleInputSchema()))
    db.session.commit()
    return _cycle_response(cycle, 201)


@bp.patch("/<tenant_slug>/cycles/<int:plan_cycle_id>")
@login_required
def update_cycle(plan_cycle_id: int):
    """Change a cycle's details (only the fields sent).
    ---
    patch:
      summary: Upravit plánovací cyklus
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: CycleInput
      responses:
        200:
          content:
            application/json:
              schema: Cycle
        422:
          description: Chyby ve vstupu po polích
    """
    cycle = services.get_cycle_or_404(plan_cycle_id)
    _managed()
    changes = parse(CycleInputSchema(partial=True))
    services.update_cycle(cycle, {**services.cycle_input(cycle), **changes})
    db.session.commit()
    return _cycle_response(cycle)


@bp.post("/<tenant_slug>/cycles/<int:plan_cycle_id>/status")
@login_required
def change_status(plan_cycle_id: int):
    """Move a cycle in its lifecycle; an invalid move is a 409 with the reason.
    ---
    post:
      summary: Změnit stav cyklu
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: StatusInput
      responses:
        200:
          content:
            application/json:
              schema: Cycle
        409:
          description: Přechod není povolen (error.message říká proč)
    """
    cycle = services.get_cycle_or_404(plan_cycle_id)
    _managed()
    data = parse(StatusInputSchema())
    services.change_status(cycle, data["status"], data.get("resolution"))
    db.session.commit()
    return _cycle_response(cycle)


@bp.post("/<tenant_slug>/cycles/<int:plan_cycle_id>/resolutions")
@login_required
def add_resolution(plan_cycle_id: int):
    """Record a resolution about the cycle.
    ---
    post:
      summary: Zapsat usnesení
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: ResolutionInput
      responses:
        201:
          content:
            application/json:
              schema: Resolution
    """
    cycle = services.get_cycle_or_404(plan_cycle_id)
    _managed()
    row = services.add_resolution(cycle, parse(ResolutionInputSchema()))
    db.session.commit()
    return respond(ResolutionSchema(), row, 201)


@bp.delete("/<tenant_slug>/resolutions/<int:plan_resolution_id>")
@login_required
def delete_resolution(plan_resolution_id: int):
    """Remove a resolution.
    ---
    delete:
      summary: Odebrat usnesení
      security: [{token: []}]
      responses:
        204:
          description: Odebráno
    """
    row = services.get_resolution_or_404(plan_resolution_id)
    _managed()
    services.delete_resolution(row)
    db.session.commit()
    return "", 204


# --- timeline --------------------------------------------------------------------------------


@bp.post("/<tenant_slug>/cycles/<int:plan_cycle_id>/phases")
@login_required
def add_phase(plan_cycle_id: int):
    """Add a phase; ``start``/``end`` as ``2018``, ``2018-01`` or ``2018-01-15``.
    ---
    post:
      summary: Přidat fázi harmonogramu
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: PhaseInput
      responses:
        201:
          content:
            application/json:
              schema: Phase
        422:
          description: Chyby ve vstupu po polích
    """
    cycle = services.get_cycle_or_404(plan_cycle_id)
    _managed()
    phase = services.add_phase(cycle, parse(PhaseInputSchema()))
    db.session.commit()
    return respond(PhaseSchema(), phase, 201)


@bp.patch("/<tenant_slug>/phases/<int:timeline_phase_id>")
@login_required
def update_phase(timeline_phase_id: int):
    """Change a phase (only the fields sent).
    ---
    patch:
      summary: Upravit fázi
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: PhaseInput
      responses:
        200:
          content:
            application/json:
              schema: Phase
    """
    phase = services.get_phase_or_404(timeline_phase_id)
    _managed()
    changes = parse(PhaseInputSchema(partial=True))
    services.update_phase(phase, {**services.phase_input(phase), **changes})
    db.session.commit()
    return respond(PhaseSchema(), phase)


@bp.delete("/<tenant_slug>/phases/<int:timeline_phase_id>")
@login_required
def delete_phase(timeline_phase_id: int):
    """Remove a phase.
    ---
    delete:
      summary: Odebrat fázi
      security: [{token: []}]
      responses:
        204:
          description: Odebráno
    """
    phase = services.get_phase_or_404(timeline_phase_id)
    _managed()
    services.delete_phase(phase)
    db.session.commit()
    return "", 204


@bp.post("/<tenant_slug>/cycles/<int:plan_cycle_id>/milestones")
@login_required
def add_milestone(plan_cycle_id: int):
    """Add a milestone; ``time``/``end_time`` are Europe/Prague wall clock ("13:00").
    ---
    post:
      summary: Přidat milník
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: MilestoneInput
      responses:
        201:
          content:
            application/json:
              schema: Milestone
    """
    cycle = services.get_cycle_or_404(plan_cycle_id)
    _managed()
    milestone = services.add_milestone(cycle, parse(MilestoneInputSchema()))
    db.session.commit()
    return respond(MilestoneSchema(), milestone, 201)


@bp.patch("/<tenant_slug>/milestones/<int:milestone_id>")
@login_required
def update_milestone(milestone_id: int):
    """Change a milestone (only the fields sent).
    ---
    patch:
      summary: Upravit milník
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: MilestoneInput
      responses:
        200:
          content:
            application/json:
              schema: Milestone
    """
    milestone = services.get_milestone_or_404(milestone_id)
    _managed()
    changes = parse(MilestoneInputSchema(partial=True))
    services.update_milestone(milestone, {**services.milestone_input(milestone), **changes})
    db.session.commit()
    return respond(MilestoneSchema(), milestone)


@bp.delete("/<tenant_slug>/milestones/<int:milestone_id>")
@login_required
def delete_milestone(milestone_id: int):
    """Remove a milestone.
    ---
    delete:
      summary: Odebrat milník
      security: [{token: []}]
      responses:
        204:
          description: Odebráno
    """
    milestone = services.get_milestone_or_404(milestone_id)
    _managed()
    services.delete_milestone(milestone)
    db.session.commit()
    return "", 204


# --- the document ----------------------------------------------------------------------------


@bp.post("/<tenant_slug>/cycles/<int:plan_cycle_id>/versions")
@login_required
def start_version(plan_cycle_id: int):
    """Start the next draft: a copy of the newest published version, keys kept.
    ---
    post:
      summary: Založit další návrh dokumentu
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: VersionInput
      responses:
        201:
          content:
            application/json:
              schema: VersionSummary
        409:
          description: Rozpracovaný návrh už existuje
    """
    cycle = services.get_cycle_or_404(plan_cycle_id)
    _managed()
    version = documents.start_version(cycle, parse(VersionInputSchema()))
    db.session.commit()
    return respond(VersionSummarySchema(), version, 201)


@bp.patch("/<tenant_slug>/versions/<int:document_version_id>")
@login_required
def update_version(document_version_id: int):
    """Rename the working draft or describe its changes (published: 409).
    ---
    patch:
      summary: Upravit údaje rozpracovaného návrhu
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: VersionUpdate
      responses:
        200:
          content:
            application/json:
              schema: VersionSummary
        409:
          description: Zveřejněná verze se nemění
    """
    version = documents.get_version_or_404(document_version_id)
    _managed()
    changes = parse(VersionUpdateSchema(partial=True))
    documents.update_version(version, {"title": version.title, "note": version.note, **changes})
    db.session.commit()
    return respond(VersionSummarySchema(), version)


@bp.post("/<tenant_slug>/versions/<int:document_version_id>/publish")
@login_required
def publish_version(document_version_id: int):
    """Publish the working draft; from then on it never changes.
    ---
    post:
      summary: Zveřejnit návrh nebo konečné znění
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: PublishInput
      responses:
        200:
          content:
            application/json:
              schema: VersionSummary
        409:
          description: Už zveřejněná nebo prázdná verze
    """
    version = documents.get_version_or_404(document_version_id)
    _managed()
    data = parse(PublishInputSchema())
    documents.publish_version(version, is_final=data["is_final"])
    db.session.commit()
    return respond(VersionSummarySchema(), version)


@bp.delete("/<tenant_slug>/versions/<int:document_version_id>")
@login_required
def discard_version(document_version_id: int):
    """Throw away the working draft (a published version: 409).
    ---
    delete:
      summary: Zahodit rozpracovaný návrh
      security: [{token: []}]
      responses:
        204:
          description: Zahozeno
    """
    version = documents.get_version_or_404(document_version_id)
    _managed()
    documents.discard_version(version)
    db.session.commit()
    return "", 204


@bp.post("/<tenant_slug>/versions/<int:document_version_id>/sections")
@login_required
def add_section(document_version_id: int):
    """Add a section to the working draft (its key is made from the title, for good).
    ---
    post:
      summary: Přidat část dokumentu
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: SectionInput
      responses:
        201:
          description: "Nová část: {key, kind, title, parent_key}"
        409:
          description: Verze je zveřejněná
    """
    version = documents.get_version_or_404(document_version_id)
    _managed()
    section = documents.add_section(version, parse(SectionInputSchema()))
    db.session.commit()
    return _section_response(section, 201)


def _section_response(section, status: int = 200):
    from flask import jsonify

    return jsonify(
        {
            "id": section.id,
            "key": section.key,
            "kind": section.kind.value,
            "parent_key": section.parent_key,
            **documents.section_input(section),
        }
    ), status


@bp.patch("/<tenant_slug>/sections/<int:document_section_id>")
@login_required
def update_section(document_section_id: int):
    """Change a section of the working draft (``parent_key`` moves it).
    ---
    patch:
      summary: Upravit část dokumentu
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: SectionUpdate
      responses:
        200:
          description: Upravená část
        409:
          description: Verze je zveřejněná
    """
    section = documents.get_section_or_404(document_section_id)
    _managed()
    changes = parse(SectionUpdateSchema(partial=True))
    documents.update_section(section, {**documents.section_input(section), **changes})
    db.session.commit()
    return _section_response(section)


@bp.delete("/<tenant_slug>/sections/<int:document_section_id>")
@login_required
def delete_section(document_section_id: int):
    """Delete a section of the working draft with everything under it.
    ---
    delete:
      summary: Smazat část dokumentu
      security: [{token: []}]
      responses:
        204:
          description: Smazáno
        409:
          description: Verze je zveřejněná
    """
    section = documents.get_section_or_404(document_section_id)
    _managed()
    documents.delete_section(section)
    db.session.commit()
    return "", 204
