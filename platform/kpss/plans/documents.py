"""The plan document: numbered versions and their sections.

A version is the working draft until it is published; then it never changes (checked
here and, in case anything else tries, refused at flush). Sections form a tree by
*stable key*: ``key`` survives into the next draft, ``parent_key`` names the parent in
the same version. The comments capability names "section ``key`` of version N" through
:func:`get_version` and :func:`section_by_key`, and links with :func:`section_url`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import g, has_app_context, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from markupsafe import Markup
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from kpss.auth.permissions import require
from kpss.db import utcnow
from kpss.errors import Conflict, NotFound, ValidationFailed
from kpss.extensions import db
from kpss.plans.models import DocumentSection, DocumentVersion, PlanCycle, SectionKind
from kpss.plans.reference import unknown_service_types
from kpss.plans.services import Errors, text_value
from kpss.tenancy.models import Tenant
from kpss.tenancy.scoping import scoped_get


class PublishedVersionImmutable(Conflict):
    code = "version_published"
    default_message = _l("Zveřejněná verze dokumentu se už nemění; upravte další návrh.")


# --- document versions --------------------------------------------------------------------


def versions_of(cycle: PlanCycle) -> list[DocumentVersion]:
    return list(
        db.session.execute(
            select(DocumentVersion)
            .where(DocumentVersion.cycle_id == cycle.id)
            .order_by(DocumentVersion.number)
        ).scalars()
    )


def published_versions(cycle: PlanCycle) -> list[DocumentVersion]:
    return [v for v in versions_of(cycle) if v.is_published]


def latest_published(cycle: PlanCycle) -> DocumentVersion | None:
    published = published_versions(cycle)
    return published[-1] if published else None


def working_version(cycle: PlanCycle) -> DocumentVersion | None:
    """The unpublished draft the coordinator edits (at most one per cycle)."""
    return next((v for v in versions_of(cycle) if not v.is_published), None)


def get_version(cycle: PlanCycle, number: Any, *, published_only: bool = True) -> DocumentVersion:
    """Version ``number`` of the cycle's document; the public sees published ones only."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise NotFound() from None
    version = db.session.execute(
        select(DocumentVersion).where(
            DocumentVersion.cycle_id == cycle.id, DocumentVersion.number == number
        )
    ).scalar_one_or_none()
    if version is None or (published_only and not version.is_published):
        raise NotFound()
    return version


def get_version_or_404(document_version_id: Any) -> DocumentVersion:
    version = scoped_get(DocumentVersion, document_version_id)
    if version is None:
        raise NotFound()
    return version


def version_label(version: DocumentVersion) -> str:
    if not version.is_published:
        return str(_l("rozpracovaný návrh %(n)d", n=version.number))
    if version.is_final:
        return str(_l("konečné znění (verze %(n)d)", n=version.number))
    return str(_l("návrh %(n)d", n=version.number))


DEFAULT_CHAPTERS = (
    ("uvod", lazy_pgettext("kapitola dokumentu", "Úvod")),
    ("analyza", _l("Analytická část")),
    ("strategicka-cast", _l("Strategická část")),
)


def start_version(cycle: PlanCycle, data: dict | None = None) -> DocumentVersion:
    """The next draft: a copy of the newest published version (keys kept, so a section
    keeps its identity), or the first version, empty or with the usual chapters."""
    require("plans.manage", cycle)
    data = data or {}
    if working_version(cycle) is not None:
        raise Conflict(
            _l("Rozpracovaný návrh už existuje; upravte ho, nebo ho nejdřív zveřejněte.")
        )
    versions = versions_of(cycle)
    previous = next((v for v in reversed(versions) if v.is_published), None)
    errors = Errors()
    title = text_value(data, "title", errors, max_len=300) or (
        previous.title if previous else cycle.title
    )
    note = text_value(data, "note", errors, max_len=5000)
    errors.raise_if_any()
    version = DocumentVersion(
        cycle_id=cycle.id,
        number=(versions[-1].number + 1) if versions else 1,
        title=title,
        note=note,
    )
    db.session.add(version)
    db.session.flush()
    if previous is not None:
        # Parents before children: the parent reference is a foreign key checked per
        # INSERT statement, and a long document goes out in several.
        for node in document_tree(previous).walk():
            section = node.section
            db.session.add(
                DocumentSection(
                    version_id=version.id,
                    key=section.key,
                    parent_key=section.parent_key,
                    position=section.position,
                    kind=section.kind,
                    **{name: _copy(getattr(section, name)) for name in DocumentSection.COMPARED},
                )
            )
    elif data.get("with_chapters"):
        for position, (key, title_) in enumerate(DEFAULT_CHAPTERS, start=1):
            db.session.add(
                DocumentSection(
                    version_id=version.id,
                    key=key,
                    position=position,
                    kind=SectionKind.CHAPTER,
                    title=str(title_),
                )
            )
    db.session.flush()
    return version


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def update_version(version: DocumentVersion, data: dict) -> DocumentVersion:
    require("plans.manage", version)
    _check_editable(version)
    errors = Errors()
    version.title = text_value(data, "title", errors, required=True, max_len=300)
    version.note = text_value(data, "note", errors, max_len=5000)
    errors.raise_if_any()
    db.session.flush()
    return version


def publish_version(version: DocumentVersion, *, is_final: bool = False) -> DocumentVersion:
    """Publish the working draft: from now on it is public and never changes."""
    require("plans.manage", version)
    _check_editable(version)
    if not sections_of(version):
        raise Conflict(_l("Prázdný dokument nelze zveřejnit; přidejte alespoň jednu část."))
    version.is_final = bool(is_final)
    version.published_at = utcnow()
    db.session.flush()
    return version


def discard_version(version: DocumentVersion) -> None:
    require("plans.manage", version)
    _check_editable(version)
    db.session.delete(version)
    db.session.flush()


def _check_editable(version: DocumentVersion) -> None:
    if version.is_published:
        raise PublishedVersionImmutable()


# --- sections -----------------------------------------------------------------------------


@dataclass
class SectionNode:
    """A section with its place in the tree and its display number."""

    section: DocumentSection
    number: str
    depth: int
    children: list[SectionNode] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.section.key

    @property
    def kind(self) -> SectionKind:
        return self.section.kind

    def walk(self) -> Iterable[SectionNode]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class DocumentTree:
    version: DocumentVersion
    roots: list[SectionNode]

    def walk(self) -> Iterable[SectionNode]:
        for root in self.roots:
            yield from root.walk()

    def node(self, key: str) -> SectionNode | None:
        return next((n for n in self.walk() if n.key == key), None)

    def __len__(self) -> int:
        return sum(1 for _ in self.walk())


def sections_of(version: DocumentVersion) -> list[DocumentSection]:
    """The version's sections in one query (the document page's cost does not grow with
    the number of activities)."""
    return list(
        db.session.execute(
            select(DocumentSection)
            .where(DocumentSection.version_id == version.id)
            .order_by(DocumentSection.position, DocumentSection.id)
        ).scalars()
    )


def document_tree(version: DocumentVersion, sections: list[DocumentSection] | None = None):
    """The sections as a tree with numbers: chapters 1, 2, 2.1; priorities 1, 2; measures
    1.1; activities 1.1.1 (priorities are numbered through the document)."""
    sections = sections_of(version) if sections is None else sections
    by_parent: dict[str | None, list[DocumentSection]] = {}
    for section in sections:
        by_parent.setdefault(section.parent_key, []).append(section)
    counters = {"chapter": 0, "priority": 0}

    def build(parent_key: str | None, parent_number: str, depth: int) -> list[SectionNode]:
        nodes = []
        measure_or_sub = 0
        for section in by_parent.get(parent_key, []):
            if section.kind == SectionKind.PRIORITY:
                counters["priority"] += 1
                number = str(counters["priority"])
            elif section.kind == SectionKind.CHAPTER and parent_key is None:
                counters["chapter"] += 1
                number = str(counters["chapter"])
            else:
                measure_or_sub += 1
                number = (
                    f"{parent_number}.{measure_or_sub}" if parent_number else str(measure_or_sub)
                )
            node = SectionNode(section, number, depth)
            node.children = build(section.key, number, depth + 1)
            nodes.append(node)
        return nodes

    return DocumentTree(version, build(None, "", 0))


def section_by_key(version: DocumentVersion, key: str) -> DocumentSection | None:
    """Resolve a stable section key within a version (comments name sections this way)."""
    return db.session.execute(
        select(DocumentSection).where(
            DocumentSection.version_id == version.id, DocumentSection.key == key
        )
    ).scalar_one_or_none()


def section_url(version: DocumentVersion, key: str, *, external: bool = False) -> str:
    """Where a section of a published version is read: the document page at its anchor
    (``/<slug>/plany/<cycle>/dokument/<number>#<key>``)."""
    return url_for(
        "plans.document_version",
        tenant_slug=_tenant_slug(version.tenant_id),
        plan_cycle_id=version.cycle_id,
        version_number=version.number,
        _anchor=key,
        _external=external,
    )


def _tenant_slug(tenant_id: int) -> str:
    """The slug for links made outside the tenant's own request (jobs, mail)."""
    tenant = g.get("tenant") if has_app_context() else None
    if tenant is not None and tenant.id == tenant_id:
        return tenant.slug
    return db.session.execute(select(Tenant.slug).where(Tenant.id == tenant_id)).scalar_one()


# --- what other capabilities show with a published version --------------------------------

#: ``source(version) -> {section key: [Markup]}``; the key ``None`` is the document as a
#: whole. Comments show "Připomínkovat" beside open sections and, in a later version,
#: which comments led to a change.
NoteSource = Callable[[DocumentVersion], dict[str | None, list[Markup]]]
NOTE_SOURCES: list[NoteSource] = []


def section_notes(func: NoteSource) -> NoteSource:
    """Register a contributor of notes to the sections of a published version."""
    if func not in NOTE_SOURCES:
        NOTE_SOURCES.append(func)
    return func


def notes_for(version: DocumentVersion) -> dict[str | None, list[Markup]]:
    notes: dict[str | None, list[Markup]] = {}
    for source in NOTE_SOURCES:
        for key, items in source(version).items():
            notes.setdefault(key, []).extend(items)
    return notes


def section_input(section: DocumentSection) -> dict[str, Any]:
    """A section as the data :func:`update_section` takes (forms, API PATCH)."""
    return {
        "parent_key": section.parent_key,
        **{name: _copy(getattr(section, name)) for name in DocumentSection.COMPARED},
    }


def get_section_or_404(document_section_id: Any) -> DocumentSection:
    section = scoped_get(DocumentSection, document_section_id)
    if section is None:
        raise NotFound()
    return section


#: Which kind may hang under which (None: the top of the document).
ALLOWED_PARENTS: dict[SectionKind, tuple[SectionKind | None, ...]] = {
    SectionKind.CHAPTER: (None, SectionKind.CHAPTER),
    SectionKind.PRIORITY: (None, SectionKind.CHAPTER),
    SectionKind.MEASURE: (SectionKind.PRIORITY,),
    SectionKind.ACTIVITY: (SectionKind.MEASURE,),
}
STRATEGIC = (SectionKind.MEASURE, SectionKind.ACTIVITY)


def slugify(text: str, max_len: int = 50) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_len].rstrip("-") or "cast"


KEY_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")


def _used_keys(cycle_id: int) -> set[str]:
    """Keys used by any version of the cycle: a new section never reuses the key of one
    that existed before (comments on the old one would point at the wrong text)."""
    return set(
        db.session.execute(
            select(DocumentSection.key)
            .join(
                DocumentVersion,
                (DocumentVersion.id == DocumentSection.version_id)
                & (DocumentVersion.tenant_id == DocumentSection.tenant_id),
            )
            .where(DocumentVersion.cycle_id == cycle_id)
        ).scalars()
    )


def new_key(version: DocumentVersion, title: str) -> str:
    used = _used_keys(version.cycle_id)
    base = slugify(title)
    key, n = base, 2
    while key in used:
        key = f"{base}-{n}"
        n += 1
    return key


def _list_of_strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = re.split(r"[\n;]", value)
    return [str(v).strip() for v in value if str(v).strip()]


def section_values(data: dict, kind: SectionKind) -> dict[str, Any]:
    errors = Errors()
    values: dict[str, Any] = {
        "title": text_value(data, "title", errors, required=True, max_len=300),
        "body": text_value(data, "body", errors, max_len=100000),
    }
    if kind in STRATEGIC:
        values.update(
            responsible_party=text_value(data, "responsible_party", errors, max_len=300),
            funding_source=text_value(data, "funding_source", errors, max_len=300),
            indicator=text_value(data, "indicator", errors, max_len=500),
            timeframe=text_value(data, "timeframe", errors, max_len=120),
            target_groups=_list_of_strings(data.get("target_groups")),
            service_types=_list_of_strings(data.get("service_types")),
        )
        if any(len(g) > 120 for g in values["target_groups"]):
            errors.add("target_groups", _l("Název cílové skupiny může mít nejvýše 120 znaků."))
        if unknown := unknown_service_types(values["service_types"]):
            errors.add(
                "service_types",
                _l("Neznámý druh služby: %(codes)s.", codes=", ".join(unknown)),
            )
    else:
        values.update(
            responsible_party="",
            funding_source="",
            indicator="",
            timeframe="",
            target_groups=[],
            service_types=[],
        )
    errors.raise_if_any()
    return values


def _kind(value: Any) -> SectionKind:
    try:
        return SectionKind(value)
    except ValueError:
        raise ValidationFailed({"kind": [str(_l("Neznámý druh části."))]}) from None


def _check_parent(
    version: DocumentVersion, kind: SectionKind, parent_key: str | None
) -> DocumentSection | None:
    parent_section = section_by_key(version, parent_key) if parent_key else None
    if parent_key and parent_section is None:
        raise ValidationFailed({"parent_key": [str(_l("Nadřazená část v této verzi není."))]})
    parent_kind = parent_section.kind if parent_section else None
    if parent_kind not in ALLOWED_PARENTS[kind]:
        raise ValidationFailed({"parent_key": [str(PLACEMENT_RULES[kind])]})
    return parent_section


PLACEMENT_RULES = {
    SectionKind.CHAPTER: _l("Kapitola patří na nejvyšší úroveň nebo do jiné kapitoly."),
    SectionKind.PRIORITY: _l("Priorita patří na nejvyšší úroveň nebo do kapitoly."),
    SectionKind.MEASURE: _l("Opatření patří pod prioritu."),
    SectionKind.ACTIVITY: _l("Aktivita patří pod opatření."),
}


def _next_position(version: DocumentVersion, parent_key: str | None) -> int:
    query = select(func.coalesce(func.max(DocumentSection.position), 0)).where(
        DocumentSection.version_id == version.id
    )
    query = query.where(
        DocumentSection.parent_key.is_(None)
        if parent_key is None
        else DocumentSection.parent_key == parent_key
    )
    return db.session.execute(query).scalar_one() + 1


def add_section(version: DocumentVersion, data: dict) -> DocumentSection:
    require("plans.manage", version)
    _check_editable(version)
    kind = _kind(data.get("kind"))
    parent_key = data.get("parent_key") or None
    _check_parent(version, kind, parent_key)
    values = section_values(data, kind)
    section = DocumentSection(
        version_id=version.id,
        key=new_key(version, values["title"]),
        parent_key=parent_key,
        position=_next_position(version, parent_key),
        kind=kind,
        **values,
    )
    db.session.add(section)
    db.session.flush()
    return section


def update_section(section: DocumentSection, data: dict) -> DocumentSection:
    """Change a section's text and fields; ``parent_key`` (when given) moves it."""
    require("plans.manage", section)
    version = section.version
    _check_editable(version)
    values = section_values(data, section.kind)
    if "parent_key" in data:
        parent_key = data.get("parent_key") or None
        if parent_key != section.parent_key:
            _check_parent(version, section.kind, parent_key)
            tree = document_tree(version)
            node = tree.node(section.key)
            if parent_key in {n.key for n in node.walk()}:
                raise ValidationFailed(
                    {"parent_key": [str(_l("Část nelze přesunout do sebe samé."))]}
                )
            section.parent_key = parent_key
            section.position = _next_position(version, parent_key)
    for key, value in values.items():
        setattr(section, key, value)
    db.session.flush()
    return section


def move_section(section: DocumentSection, direction: str) -> None:
    """Swap with the previous (``up``) or next (``down``) sibling."""
    require("plans.manage", section)
    _check_editable(section.version)
    siblings = [s for s in sections_of(section.version) if s.parent_key == section.parent_key]
    i = siblings.index(section)
    j = i - 1 if direction == "up" else i + 1
    if not 0 <= j < len(siblings):
        return
    for position, row in enumerate(siblings, start=1):
        row.position = position
    siblings[i].position, siblings[j].position = siblings[j].position, siblings[i].position
    db.session.flush()


def delete_section(section: DocumentSection) -> int:
    """Delete a section with everything under it; returns how many parts went."""
    require("plans.manage", section)
    version = section.version
    _check_editable(version)
    node = document_tree(version).node(section.key)
    doomed = list(node.walk())
    for child in reversed(doomed):  # leaves first: the parent_key references hold
        db.session.delete(child.section)
        db.session.flush()
    return len(doomed)


# --- immutability, enforced at the ORM level too ---------------------------------------------


def _published_before(version: DocumentVersion) -> bool:
    """Was the version published before the changes waiting in this flush?"""
    history = inspect(version).attrs.published_at.history
    if history.added or history.deleted:
        return bool(history.deleted) and history.deleted[0] is not None
    return version.published_at is not None


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_published(session: Session, flush_context: Any, instances: Any) -> None:
    """A published version and its sections never change, whoever tries (a service bug,
    a shell session, a pack): the flush is refused."""
    for obj in list(session.dirty) + list(session.deleted):
        if (
            isinstance(obj, DocumentVersion)
            and (obj in session.deleted or session.is_modified(obj))
            and _published_before(obj)
        ):
            raise PublishedVersionImmutable()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, DocumentSection) and (
            obj in session.new or obj in session.deleted or session.is_modified(obj)
        ):
            with session.no_autoflush:
                version = obj.version
            if version is not None and _published_before(version):
                raise PublishedVersionImmutable()
