"""Comment periods, public comments and their settlement: the domain, shared by the pages,
the JSON API and the jobs.

Rules every way in shares (a form, the API, a queued job):

* A comment is accepted only while its period is open: from local midnight of the first
  day to local midnight after the last day, in the tenant's zone (Europe/Prague), so
  the last day counts whole whatever daylight saving does. Outside, :class:`PeriodClosed`
  and nothing is stored.
* Receipt numbers are sequential per period under any concurrency: the submission takes
  its number with one ``UPDATE comment_periods SET comment_seq = comment_seq + 1 …
  RETURNING`` (a row lock on PostgreSQL, the write lock on SQLite) and
  ``UNIQUE (tenant_id, period_id, number)`` backs it up. A duplicate found under that
  lock gives its number back, so the sequence has no holes.
* One submission is stored once: the same ``submission_key`` (the form's one-time key,
  the API's ``Idempotency-Key``, or a digest of the content) returns the first receipt.
* The comment and its outbox row (receipt or confirmation e-mail) commit together.
* Once the settlement is published, the table is frozen (refused at flush, too).

Nothing here commits: the caller does, once.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import event, func, inspect, select, update
from sqlalchemy.orm import Session

from kpss import uploads
from kpss.auth.models import Role, User
from kpss.auth.permissions import require, roles_of, rule
from kpss.bodies.models import TriadSide
from kpss.comments.models import Channel, Comment, CommentPeriod, Verdict, Weight
from kpss.db import utcnow
from kpss.errors import Conflict, DomainError, NotFound, ValidationFailed
from kpss.extensions import db
from kpss.notifications.outbox import defer
from kpss.plans import documents
from kpss.plans.dates import DateInputError, parse_partial
from kpss.plans.models import DatePrecision, DocumentVersion, PlanCycle, SectionKind
from kpss.plans.services import Errors, text_value
from kpss.tenancy.models import Tenant
from kpss.tenancy.scoping import require_tenant_id, scoped_get
from kpss.ui.formatting import DEFAULT_TZ, format_date, format_date_range

TEXT_MAX = 20_000
NAME_MAX = 200
ORGANISATION_MAX = 300
INTRO_MAX = 20_000
JUSTIFICATION_MAX = 20_000
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,100}$")
PREFIX_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/._-]{0,14}$")
#: Verdicts that need a justification (Czech practice: whatever is not simply accepted
#: or noted is explained to the commenter).
JUSTIFICATION_REQUIRED = frozenset(
    {Verdict.PARTIALLY_ACCEPTED, Verdict.REJECTED, Verdict.EXPLAINED}
)
#: Verdicts that may point at the section of a later version that changed.
CHANGING = frozenset({Verdict.ACCEPTED, Verdict.PARTIALLY_ACCEPTED})
#: The tenant setting (``[tenant] settings`` of a pack) that asks commenters to confirm
#: by e-mail before their comment counts.
CONFIRMATION_SETTING = "comments_require_email_confirmation"


# --- errors --------------------------------------------------------------------------------


class PeriodClosed(DomainError):
    status = 409
    code = "period_closed"
    default_message = _l("Připomínkování teď neprobíhá; připomínky nelze podávat.")


class SubmissionReused(DomainError):
    """The same one-time key came with a different text (a form sent again after edits)."""

    status = 409
    code = "submission_key_reused"


class SettlementPublished(Conflict):
    code = "settlement_published"
    default_message = _l("Vypořádání je zveřejněné a už se nemění.")


class InvalidLink(DomainError):
    status = 404
    code = "invalid_link"
    default_message = _l("Odkaz je neplatný nebo neúplný. Zkopírujte ho z e-mailu celý.")


# --- permissions ---------------------------------------------------------------------------


@rule("comments.manage")
def _manage(user, tenant_id, obj) -> bool:
    """Periods, hiding spam, publishing the settlement: the coordinator's."""
    return Role.COORDINATOR in roles_of(user, tenant_id)


@rule("comments.settle")
def _settle(user, tenant_id, period) -> bool:
    """Verdicts: the coordinator, or a group manager where the period allows it. With no
    period: may this person settle somewhere (the administration's menu)?"""
    roles = roles_of(user, tenant_id)
    if Role.COORDINATOR in roles:
        return True
    if Role.GROUP_MANAGER not in roles:
        return False
    return period is None or bool(period.managers_may_settle)


# --- time ----------------------------------------------------------------------------------


def now() -> datetime:
    """The current instant (tests replace this function)."""
    return utcnow()


def zone_of(tenant_id: int | None = None) -> ZoneInfo:
    tenant_id = tenant_id if tenant_id is not None else require_tenant_id()
    name = db.session.execute(select(Tenant.timezone).where(Tenant.id == tenant_id)).scalar()
    return ZoneInfo(name or DEFAULT_TZ)


def bounds(starts_on: date, ends_on: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants a period opens and closes: local midnight of the first day, and
    local midnight after the last day (exclusive), as aware UTC. ``datetime.combine``
    with the zone resolves each midnight's own offset (CET or CEST)."""
    opens = datetime.combine(starts_on, time(0), zone).astimezone(UTC)
    closes = datetime.combine(ends_on + timedelta(days=1), time(0), zone).astimezone(UTC)
    return opens, closes


UPCOMING, OPEN, CLOSED, SETTLED = "upcoming", "open", "closed", "settled"


def state(period: CommentPeriod, at: datetime | None = None) -> str:
    at = at or now()
    if period.is_settlement_published:
        return SETTLED
    if at < period.opens_at:
        return UPCOMING
    if at < period.closes_at:
        return OPEN
    return CLOSED


def is_open(period: CommentPeriod, at: datetime | None = None) -> bool:
    at = at or now()
    return period.opens_at <= at < period.closes_at


def closed_message(period: CommentPeriod, at: datetime | None = None) -> str:
    at = at or now()
    if at < period.opens_at:
        return str(
            _l(
                "Připomínkování ještě nezačalo: připomínky lze podávat od %(start)s do "
                "%(end)s (včetně).",
                start=format_date(period.starts_on),
                end=format_date(period.ends_on),
            )
        )
    return str(
        _l(
            "Připomínkování skončilo %(end)s; připomínky už nelze podávat. Jak se podané "
            "připomínky vypořádají, uvidíte na stránce připomínkování.",
            end=format_date(period.ends_on),
        )
    )


def require_open(period: CommentPeriod) -> None:
    if not is_open(period):
        raise PeriodClosed(closed_message(period))


# --- loading -------------------------------------------------------------------------------


def get_period_or_404(comment_period_id: Any) -> CommentPeriod:
    period = scoped_get(CommentPeriod, comment_period_id)
    if period is None:
        raise NotFound()
    return period


def period_of_cycle_or_404(cycle: PlanCycle, comment_period_id: Any) -> CommentPeriod:
    period = get_period_or_404(comment_period_id)
    if period.cycle_id != cycle.id:
        raise NotFound()
    return period


def get_comment_or_404(comment_id: Any) -> Comment:
    comment = scoped_get(Comment, comment_id)
    if comment is None:
        raise NotFound()
    return comment


def list_periods() -> list[CommentPeriod]:
    """Every period of the bound tenant, newest first."""
    return list(
        db.session.execute(
            select(CommentPeriod).order_by(CommentPeriod.starts_on.desc(), CommentPeriod.id.desc())
        ).scalars()
    )


def periods_of(cycle: PlanCycle) -> list[CommentPeriod]:
    return list(
        db.session.execute(
            select(CommentPeriod)
            .where(CommentPeriod.cycle_id == cycle.id)
            .order_by(CommentPeriod.starts_on.desc(), CommentPeriod.id.desc())
        ).scalars()
    )


def open_periods(at: datetime | None = None) -> list[CommentPeriod]:
    at = at or now()
    return list(
        db.session.execute(
            select(CommentPeriod)
            .where(CommentPeriod.opens_at <= at, CommentPeriod.closes_at > at)
            .order_by(CommentPeriod.closes_at)
        ).scalars()
    )


# --- sections --------------------------------------------------------------------------------

KIND_LABELS = {
    SectionKind.CHAPTER: _l("Kapitola"),
    SectionKind.PRIORITY: _l("Priorita"),
    SectionKind.MEASURE: _l("Opatření"),
    SectionKind.ACTIVITY: _l("Aktivita"),
}
WHOLE_DOCUMENT = _l("Dokument jako celek")


@dataclass(frozen=True)
class SectionRef:
    key: str
    number: str
    title: str
    kind: SectionKind
    depth: int

    @property
    def label(self) -> str:
        """ "Opatření 1.1 Terénní služby", "2 Analytická část"."""
        if self.kind == SectionKind.CHAPTER:
            return f"{self.number} {self.title}"
        return f"{KIND_LABELS[self.kind]} {self.number} {self.title}"


def sections_in(version: DocumentVersion) -> list[SectionRef]:
    """The version's sections in document order, with their numbers (one query)."""
    return [
        SectionRef(n.key, n.number, n.section.title, n.kind, n.depth)
        for n in documents.document_tree(version).walk()
    ]


def open_sections(period: CommentPeriod, sections: list[SectionRef] | None = None):
    sections = sections_in(period.version) if sections is None else sections
    if period.all_sections:
        return sections
    wanted = set(period.section_keys or [])
    return [s for s in sections if s.key in wanted]


def section_label(key: str | None, sections: dict[str, SectionRef]) -> str:
    if not key:
        return str(WHOLE_DOCUMENT)
    ref = sections.get(key)
    return ref.label if ref else key


# --- periods -------------------------------------------------------------------------------


def commentable_versions() -> list[DocumentVersion]:
    """Published drafts a period can be opened on (final versions are not drafts)."""
    return list(
        db.session.execute(
            select(DocumentVersion)
            .where(DocumentVersion.published_at.is_not(None), DocumentVersion.is_final.is_(False))
            .order_by(DocumentVersion.cycle_id.desc(), DocumentVersion.number.desc())
        ).scalars()
    )


def _day(data: dict, name: str, errors: Errors) -> date | None:
    raw = data.get(name)
    if raw in (None, ""):
        errors.add(name, _l("Vyplňte datum, např. 1. 3. 2025."))
        return None
    try:
        value, precision = parse_partial(raw)
    except DateInputError as exc:
        errors.add(name, exc.args[0])
        return None
    if precision != DatePrecision.DAY:
        errors.add(name, _l("Zadejte den, např. 1. 3. 2025."))
        return None
    return value


def _period_values(data: dict, version: DocumentVersion, period: CommentPeriod | None):
    errors = Errors()
    values: dict[str, Any] = {
        "title": text_value(data, "title", errors, max_len=300),
        "intro": text_value(data, "intro", errors, max_len=INTRO_MAX),
        "managers_may_settle": bool(data.get("managers_may_settle")),
    }
    starts_on, ends_on = _day(data, "starts_on", errors), _day(data, "ends_on", errors)
    if starts_on and ends_on and ends_on < starts_on:
        errors.add("ends_on", _l("Připomínkování nemůže skončit dřív, než začne."))
    elif starts_on and ends_on and (ends_on - starts_on).days > 366:
        errors.add("ends_on", _l("Připomínkování může trvat nejvýše rok."))
    keys = [str(k) for k in (data.get("section_keys") or []) if str(k).strip()]
    all_sections = bool(data.get("all_sections", not keys))
    in_order = [s.key for s in sections_in(version)]
    known = set(in_order)
    if not all_sections:
        if not keys:
            errors.add("section_keys", _l("Vyberte alespoň jednu část, nebo celý dokument."))
        elif unknown := [k for k in keys if k not in known]:
            errors.add(
                "section_keys",
                _l("Tyto části ve verzi nejsou: %(keys)s.", keys=", ".join(unknown)),
            )
    values["all_sections"] = all_sections
    values["section_keys"] = [] if all_sections else [k for k in in_order if k in set(keys)]
    prefix = str(data.get("number_prefix") or "").strip()
    used = _prefixes_in_use(period)
    if not prefix and starts_on:
        prefix = period.number_prefix if period else _default_prefix(starts_on.year, used)
    if prefix and not PREFIX_PATTERN.fullmatch(prefix):
        errors.add(
            "number_prefix",
            _l("Předpona čísel: písmena bez diakritiky, číslice, pomlčka; nejvýše 15 znaků."),
        )
    elif prefix in used:
        errors.add(
            "number_prefix",
            _l(
                "Předponu %(prefix)s už má jiné připomínkování; čísla připomínek musí být "
                "jednoznačná.",
                prefix=prefix,
            ),
        )
    if period is not None and period.comment_seq and prefix != period.number_prefix:
        errors.add(
            "number_prefix",
            _l("K připomínkám už byla vydána čísla; jejich předponu nelze změnit."),
        )
    values["number_prefix"] = prefix
    errors.raise_if_any()
    values["starts_on"], values["ends_on"] = starts_on, ends_on
    values["opens_at"], values["closes_at"] = bounds(starts_on, ends_on, zone_of())
    if not values["title"]:
        values["title"] = str(_l("Připomínkování návrhu %(n)d", n=version.number))
    return values


def _prefixes_in_use(period: CommentPeriod | None) -> set[str]:
    query = select(CommentPeriod.number_prefix)
    if period is not None:
        query = query.where(CommentPeriod.id != period.id)
    return set(db.session.execute(query).scalars())


def _default_prefix(year: int, used: set[str]) -> str:
    """``P-2025``; a second period of the year gets ``P-2025-2``, so a receipt number
    names one comment of the tenant, whichever period it belongs to."""
    prefix, n = f"P-{year}", 2
    while prefix in used:
        prefix = f"P-{year}-{n}"
        n += 1
    return prefix


def create_period(data: dict) -> CommentPeriod:
    """Open ``data["version_id"]`` (a published draft) for comments."""
    require("comments.manage")
    version = scoped_get(DocumentVersion, data.get("version_id"))
    if version is None or not version.is_published or version.is_final:
        raise ValidationFailed(
            {"version_id": [str(_l("Připomínkovat lze jen zveřejněný návrh plánu."))]}
        )
    period = CommentPeriod(
        cycle_id=version.cycle_id, version_id=version.id, **_period_values(data, version, None)
    )
    db.session.add(period)
    db.session.flush()
    return period


def update_period(period: CommentPeriod, data: dict) -> CommentPeriod:
    require("comments.manage", period)
    if period.is_settlement_published:
        raise SettlementPublished()
    for key, value in _period_values(data, period.version, period).items():
        setattr(period, key, value)
    db.session.flush()
    return period


def delete_period(period: CommentPeriod) -> None:
    """Only a period nobody has commented on: comments are never deleted."""
    require("comments.manage", period)
    if period.comment_seq:
        raise Conflict(
            _l("K připomínkování už přišly připomínky; nelze ho smazat, jen ukončit dřív.")
        )
    db.session.delete(period)
    db.session.flush()


def period_input(period: CommentPeriod) -> dict[str, Any]:
    return {
        "version_id": period.version_id,
        "title": period.title,
        "intro": period.intro,
        "starts_on": f"{period.starts_on.day}. {period.starts_on.month}. {period.starts_on.year}",
        "ends_on": f"{period.ends_on.day}. {period.ends_on.month}. {period.ends_on.year}",
        "all_sections": period.all_sections,
        "section_keys": list(period.section_keys or []),
        "number_prefix": period.number_prefix,
        "managers_may_settle": period.managers_may_settle,
    }


# --- submitting a comment ----------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(value: Any) -> str:
    """Text as typed, minus what is not text: line ends unified, control characters (a
    NUL would be refused by PostgreSQL) removed, outer whitespace trimmed."""
    text = "" if value is None else str(value)
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _long_text(data: dict, name: str, errors: Errors, *, required: bool, label: Any) -> str:
    value = clean(data.get(name))
    if required and not value:
        errors.add(name, _l("Napište text připomínky."))
    elif len(value) > TEXT_MAX:
        errors.add(
            name,
            _l(
                "%(label)s může mít nejvýše %(max)s znaků (teď %(len)s). Rozdělte ho do "
                "více připomínek, nebo ho přiložte jako soubor.",
                label=label,
                max=f"{TEXT_MAX:,}".replace(",", " "),
                len=f"{len(value):,}".replace(",", " "),
            ),
        )
    return value


def _short_text(data: dict, name: str, errors: Errors, *, max_len: int) -> str:
    value = " ".join(clean(data.get(name)).split())
    if len(value) > max_len:
        errors.add(name, _l("Nejvýše %(n)d znaků (teď %(len)d).", n=max_len, len=len(value)))
    return value


def requires_confirmation(tenant_id: int | None = None) -> bool:
    tenant_id = tenant_id if tenant_id is not None else require_tenant_id()
    settings = db.session.execute(select(Tenant.settings).where(Tenant.id == tenant_id)).scalar()
    return bool((settings or {}).get(CONFIRMATION_SETTING))


@dataclass
class CommentInput:
    section_key: str | None
    text: str
    suggested_change: str
    weight: Weight | None
    author_name: str
    email: str | None
    organisation: str
    triad_side: TriadSide
    consent_publish_name: bool

    def digest(self) -> str:
        parts = [
            self.section_key or "",
            self.text,
            self.suggested_change,
            self.author_name,
            (self.email or "").lower(),
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def validate_comment(
    period: CommentPeriod, data: dict, sections: list[SectionRef], *, staff: bool = False
):
    """The fields of a comment, checked; raises ``ValidationFailed`` naming them."""
    errors = Errors()
    if not staff and clean(data.get("website")):
        # The honeypot: a field people do not see and robots fill in.
        errors.add(
            "website",
            _l(
                "Formulář vypadá jako vyplněný automaticky, a proto jsme ho neuložili. "
                "Nechte pole „Web“ prázdné a odešlete ho znovu."
            ),
        )
    key = clean(data.get("section_key")) or None
    if key is not None and key not in {s.key for s in open_sections(period, sections)}:
        errors.add(
            "section_key",
            _l(
                "K této části dokumentu se připomínky nepodávají; vyberte jinou část, "
                "nebo dokument jako celek."
            ),
        )
    text = _long_text(data, "text", errors, required=True, label=_l("Text připomínky"))
    suggested = _long_text(
        data, "suggested_change", errors, required=False, label=_l("Návrh úpravy")
    )
    weight = None
    if data.get("weight"):
        try:
            weight = Weight(data["weight"])
        except ValueError:
            errors.add("weight", _l("Vyberte „zásadní“ nebo „doporučující“, nebo nic."))
    name = _short_text(data, "author_name", errors, max_len=NAME_MAX)
    if not name and not staff:  # a letter may come unsigned; the coordinator records it
        errors.add(
            "author_name",
            _l("Napište své jméno; zveřejní se jen s vaším souhlasem."),
        )
    organisation = _short_text(data, "organisation", errors, max_len=ORGANISATION_MAX)
    email = clean(data.get("email")) or None
    if email is not None:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors.add("email", _l("Neplatná e-mailová adresa (např. jana@example.cz)."))
    elif not staff and requires_confirmation(period.tenant_id):
        errors.add(
            "email",
            _l(
                "Vyplňte e-mail: připomínka se započítá, až ji potvrdíte odkazem, který "
                "vám na něj pošleme."
            ),
        )
    try:
        side = TriadSide(data.get("triad_side") or TriadSide.PUBLIC)
    except ValueError:
        errors.add("triad_side", _l("Vyberte jednu z nabízených možností."))
        side = TriadSide.PUBLIC
    errors.raise_if_any()
    return CommentInput(
        section_key=key,
        text=text,
        suggested_change=suggested,
        weight=weight,
        author_name=name,
        email=email,
        organisation=organisation,
        triad_side=side,
        consent_publish_name=bool(data.get("consent_publish_name")),
    )


@dataclass
class Submission:
    comment: Comment
    created: bool  # False: the same submission came again; this is its first receipt


def submission_key(given: Any, digest: str) -> str:
    """The key that makes a submission idempotent: the one the client sent, or the
    digest of the content (the same text from the same person is stored once)."""
    key = str(given or "").strip()
    if not key:
        return "h:" + digest
    if not KEY_PATTERN.fullmatch(key):
        raise ValidationFailed(
            {
                "submission_key": [
                    str(_l("Klíč odeslání: 1 až 100 znaků ASCII bez mezer (např. UUID)."))
                ]
            }
        )
    return key


def _existing(period_id: int, key: str) -> Comment | None:
    return db.session.execute(
        select(Comment)
        .where(Comment.period_id == period_id, Comment.submission_key == key)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _replay(existing: Comment, digest: str) -> Submission:
    if existing.content_digest != digest:
        raise SubmissionReused(
            _l(
                "Tento formulář už byl jednou odeslán (připomínka %(number)s) a změněný text "
                "jsme neuložili. Zkontrolujte ho a odešlete jako novou připomínku.",
                number=existing.number,
            ),
        )
    return Submission(existing, False)


def take_number(period_id: int) -> int:
    """The next receipt number of the period, and its lock until commit: one UPDATE …
    RETURNING (a row lock on PostgreSQL, the database's write lock on SQLite)."""
    seq = db.session.execute(
        update(CommentPeriod)
        .where(CommentPeriod.id == period_id)
        .values(comment_seq=CommentPeriod.comment_seq + 1)
        .returning(CommentPeriod.comment_seq),
        execution_options={"synchronize_session": False},
    ).scalar_one_or_none()
    if seq is None:
        raise NotFound()
    return seq


def give_number_back(period_id: int) -> None:
    db.session.execute(
        update(CommentPeriod)
        .where(CommentPeriod.id == period_id)
        .values(comment_seq=CommentPeriod.comment_seq - 1),
        execution_options={"synchronize_session": False},
    )


def format_number(prefix: str, seq: int) -> str:
    return f"{prefix}-{seq:04d}"


def attachment_limit() -> int:
    return int(current_app.config.get("KPSS_COMMENT_ATTACHMENT_MAX_BYTES") or 10 * 1024**2)


AREA = "comments"  # the folder of comment attachments in a tenant's uploads


def attachment_path(comment: Comment) -> Path:
    return uploads.path(comment.tenant_id, AREA, comment.attachment_stored)


def submit_comment(
    comment_period_id: Any,
    data: dict,
    upload: Any = None,
    *,
    key: Any = None,
    locale: str = "cs",
    channel: Channel = Channel.WEB,
    actor: User | None = None,
) -> Submission:
    """Store a comment and queue its e-mail: from the public (form, API), or recorded by
    the coordinator (``actor``) from a letter or a data box, with the day it arrived
    (``data["received_on"]``), which must fall within the period.

    Order matters: a submission seen before returns its receipt even after the period
    has closed (a retry of a request that made it in time); then the dates, then the
    fields — all before anything is written.
    """
    period = get_period_or_404(comment_period_id)
    staff = actor is not None
    if staff:
        require("comments.manage", period, user=actor)
        channel = Channel.STAFF
    sections = sections_in(period.version)
    given_key = str(key or "").strip()
    if given_key and (seen := _existing(period.id, submission_key(given_key, ""))) is not None:
        data_digest = _digest_or_none(period, data, sections, staff=staff)
        return _replay(seen, data_digest or seen.content_digest)
    received_on = _received_on(period, data) if staff else None
    if not staff:
        require_open(period)
    values = validate_comment(period, data, sections, staff=staff)
    digest = values.digest()
    key = submission_key(given_key, digest)
    if not given_key and (seen := _existing(period.id, key)) is not None:
        return _replay(seen, digest)
    checked = None
    if upload is not None and getattr(upload, "filename", ""):
        checked, problem = uploads.check(upload, limit=attachment_limit())
        if problem is not None:
            raise ValidationFailed({"attachment": [str(problem)]})

    seq = take_number(period.id)
    # Under the lock: a twin of this submission may have committed while we waited.
    if (twin := _existing(period.id, key)) is not None:
        give_number_back(period.id)
        return _replay(twin, digest)
    confirmed = staff or not requires_confirmation(period.tenant_id)
    comment = Comment(
        period_id=period.id,
        seq=seq,
        number=format_number(period.number_prefix, seq),
        submission_key=key,
        content_digest=digest,
        section_key=values.section_key,
        text=values.text,
        suggested_change=values.suggested_change,
        weight=values.weight,
        author_name=values.author_name,
        email=values.email,
        organisation=values.organisation,
        triad_side=values.triad_side,
        consent_publish_name=values.consent_publish_name,
        locale=locale if locale in ("cs", "en") else "cs",
        channel=channel,
        received_on=received_on,
        submitted_at=now(),
        confirmed_at=now() if confirmed else None,
    )
    if checked is not None:
        stored = uploads.store(
            checked, tenant_id=require_tenant_id(), area=AREA, fallback_name="priloha"
        )
        comment.attachment_stored = stored.stored_name
        comment.attachment_extension = stored.extension
        comment.attachment_name = stored.original_name
        comment.attachment_size = stored.size
    db.session.add(comment)
    db.session.flush()
    if comment.email:
        defer(
            "comments.send_receipt" if confirmed else "comments.send_confirmation",
            dedupe_key=f"comments:receipt:{comment.tenant_id}:{comment.id}",
            comment_id=comment.id,
        )
    return Submission(comment, True)


def _received_on(period: CommentPeriod, data: dict) -> date:
    """The day a letter or data-box message arrived: recorded comments obey the
    period's dates too (and may be typed in after it, until the settlement is out)."""
    _check_not_published(period)
    errors = Errors()
    day = _day(data, "received_on", errors)
    if day is not None and not period.starts_on <= day <= period.ends_on:
        errors.add(
            "received_on",
            _l(
                "Připomínka doručená %(day)s přišla mimo připomínkování (%(range)s), a proto "
                "ji nelze zapsat.",
                day=format_date(day),
                range=format_date_range(period.starts_on, period.ends_on),
            ),
        )
    errors.raise_if_any()
    return day


def _digest_or_none(
    period: CommentPeriod, data: dict, sections: list[SectionRef], *, staff: bool = False
) -> str | None:
    """The digest of a replayed submission, if its fields are valid at all."""
    try:
        return validate_comment(period, data, sections, staff=staff).digest()
    except ValidationFailed:
        return None


# --- links sent to commenters ------------------------------------------------------------------


def _serializer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"kpss-comment-{purpose}")


def make_token(comment: Comment, purpose: str) -> str:
    """A signed link token: ``receipt`` (the receipt page, valid for good) or ``confirm``
    (the e-mail confirmation). Made when needed, never stored."""
    return _serializer(purpose).dumps([comment.tenant_id, comment.id])


def comment_for_token(token: str, purpose: str, period: CommentPeriod) -> Comment:
    try:
        tenant_id, comment_id = _serializer(purpose).loads(token)
    except (BadSignature, ValueError, TypeError):
        raise InvalidLink() from None
    if tenant_id != require_tenant_id():
        raise InvalidLink()
    comment = scoped_get(Comment, comment_id)
    if comment is None or comment.period_id != period.id:
        raise InvalidLink()
    return comment


def confirm_comment(comment: Comment) -> bool:
    """The commenter followed the link: the comment counts from now. Returns False when
    it was confirmed before. Possible until the settlement is published."""
    if comment.confirmed_at is not None:
        return False
    if comment.period.is_settlement_published:
        raise SettlementPublished(
            _l("Vypořádání už je zveřejněné; nepotvrzenou připomínku už nelze potvrdit.")
        )
    comment.confirmed_at = now()
    db.session.flush()
    return True


# --- the coordinator: spam ---------------------------------------------------------------------


def hide_comment(comment: Comment, reason: str, *, actor: User) -> Comment:
    """Hide as spam: kept in the record with who, when and why; left out of the table."""
    require("comments.manage", comment.period)
    _check_not_published(comment.period)
    errors = Errors()
    reason = text_value({"reason": reason}, "reason", errors, required=True, max_len=500)
    errors.raise_if_any()
    comment.hidden_at = now()
    comment.hidden_by_id = actor.id
    comment.hidden_reason = reason
    db.session.flush()
    return comment


def unhide_comment(comment: Comment) -> Comment:
    require("comments.manage", comment.period)
    _check_not_published(comment.period)
    comment.hidden_at = None
    comment.hidden_by_id = None
    comment.hidden_reason = ""
    db.session.flush()
    return comment


def _check_not_published(period: CommentPeriod) -> None:
    if period.is_settlement_published:
        raise SettlementPublished()


# --- settlement ---------------------------------------------------------------------------------


def later_versions(period: CommentPeriod) -> list[DocumentVersion]:
    """Versions after the commented one (published or the working draft): where an
    accepted comment may have changed a section."""
    return [v for v in documents.versions_of(period.cycle) if v.number > period.version.number]


def settle(comment: Comment, data: dict, *, actor: User) -> Comment:
    """Record the verdict on one comment, with its justification and, for an accepted
    one, the section of a later version it changed."""
    period = comment.period
    require("comments.settle", period, user=actor)
    _check_not_published(period)
    if now() < period.closes_at:
        raise Conflict(
            _l(
                "Připomínky se vypořádávají až po skončení připomínkování (%(end)s).",
                end=format_date(period.ends_on),
            )
        )
    if not comment.counts:
        raise Conflict(_l("Skrytá nebo nepotvrzená připomínka se nevypořádává."))
    errors = Errors()
    verdict = None
    try:
        verdict = Verdict(data.get("verdict") or "")
    except ValueError:
        errors.add("verdict", _l("Vyberte, jak je připomínka vypořádána."))
    justification = clean(data.get("justification"))
    if len(justification) > JUSTIFICATION_MAX:
        errors.add(
            "justification",
            _l("Nejvýše %(n)d znaků (teď %(len)d).", n=JUSTIFICATION_MAX, len=len(justification)),
        )
    elif verdict in JUSTIFICATION_REQUIRED and not justification:
        errors.add("justification", _l("U tohoto vypořádání napište odůvodnění."))
    change_version_id, change_key = None, None
    raw_change = str(data.get("change") or "").strip()
    if raw_change:
        version_part, _sep, change_key = raw_change.partition(":")
        version = next((v for v in later_versions(period) if str(v.id) == version_part), None)
        if verdict is not None and verdict not in CHANGING:
            errors.add(
                "change",
                _l("Změněnou část lze uvést jen u akceptované připomínky (i částečně)."),
            )
        elif version is None or documents.section_by_key(version, change_key) is None:
            errors.add("change", _l("Vyberte část z některé z dalších verzí dokumentu."))
        else:
            change_version_id = version.id
    errors.raise_if_any()
    comment.verdict = verdict
    comment.justification = justification
    comment.change_version_id = change_version_id
    comment.change_section_key = change_key if change_version_id else None
    comment.settled_at = now()
    comment.settled_by_id = actor.id
    db.session.flush()
    return comment


def settle_input(comment: Comment) -> dict[str, Any]:
    change = (
        f"{comment.change_version_id}:{comment.change_section_key}"
        if comment.change_version_id
        else ""
    )
    return {
        "verdict": comment.verdict.value if comment.verdict else "",
        "justification": comment.justification,
        "change": change,
    }


@dataclass(frozen=True)
class Progress:
    total: int  # counted comments
    settled: int
    hidden: int
    unconfirmed: int

    @property
    def unsettled(self) -> int:
        return self.total - self.settled

    @property
    def percent(self) -> int:
        return round(100 * self.settled / self.total) if self.total else 100


def progress(period: CommentPeriod) -> Progress:
    """ "38 z 52 vypořádáno", in one query."""
    counted = Comment.confirmed_at.is_not(None) & Comment.hidden_at.is_(None)
    row = db.session.execute(
        select(
            func.count().filter(counted),
            func.count().filter(counted & Comment.verdict.is_not(None)),
            func.count().filter(Comment.hidden_at.is_not(None)),
            func.count().filter(Comment.confirmed_at.is_(None) & Comment.hidden_at.is_(None)),
        ).where(Comment.period_id == period.id)
    ).one()
    return Progress(*row)


def publish_settlement(period: CommentPeriod, data: dict, *, actor: User) -> CommentPeriod:
    """Publish the settlement table: refused while a counted comment is unsettled. Every
    commenter with an e-mail gets one message with the outcome of all their comments."""
    require("comments.manage", period, user=actor)
    _check_not_published(period)
    if now() < period.closes_at:
        raise Conflict(_l("Vypořádání lze zveřejnit až po skončení připomínkování."))
    done = progress(period)
    if done.unsettled:
        raise Conflict(
            lazy_ngettext(
                "Zbývá vypořádat %(num)d připomínku; teprve pak lze vypořádání zveřejnit.",
                "Zbývá vypořádat %(num)d připomínek; teprve pak lze vypořádání zveřejnit.",
                done.unsettled,
            )
        )
    errors = Errors()
    intro = text_value(data, "settlement_intro", errors, max_len=INTRO_MAX)
    errors.raise_if_any()
    period.settlement_intro = intro
    period.settlement_published_at = now()
    period.settlement_published_by_id = actor.id
    db.session.flush()
    by_address: dict[str, list[int]] = {}
    for comment in counted_comments(period):
        if comment.email:
            by_address.setdefault(comment.email.lower(), []).append(comment.id)
    for address, ids in by_address.items():
        digest = hashlib.sha256(address.encode()).hexdigest()[:32]
        defer(
            "comments.send_outcome",
            dedupe_key=f"comments:outcome:{period.tenant_id}:{period.id}:{digest}",
            period_id=period.id,
            comment_ids=ids,
        )
    return period


def counted_comments(period: CommentPeriod) -> list[Comment]:
    """The settlement table's rows: confirmed, not hidden, by number."""
    return list(
        db.session.execute(
            select(Comment)
            .where(
                Comment.period_id == period.id,
                Comment.confirmed_at.is_not(None),
                Comment.hidden_at.is_(None),
            )
            .order_by(Comment.seq)
        ).scalars()
    )


# --- a published settlement never changes -------------------------------------------------------

#: What a published table shows; e-mail addresses (and names nobody may see) may still be
#: erased by the retention job.
_FROZEN_COMMENT = frozenset(
    {
        "period_id",
        "seq",
        "number",
        "section_key",
        "text",
        "suggested_change",
        "weight",
        "organisation",
        "triad_side",
        "consent_publish_name",
        "confirmed_at",
        "hidden_at",
        "verdict",
        "justification",
        "change_version_id",
        "change_section_key",
    }
)
_MUTABLE_PERIOD = frozenset({"anonymised_at"})


def _changed(obj: Any) -> set[str]:
    state_ = inspect(obj)
    return {a.key for a in state_.attrs if a.history.has_changes()}


def _published_before_flush(period: CommentPeriod) -> bool:
    history = inspect(period).attrs.settlement_published_at.history
    if history.added or history.deleted:
        return bool(history.deleted) and history.deleted[0] is not None
    return period.settlement_published_at is not None


@event.listens_for(Session, "before_flush")
def _forget_links_to_discarded_drafts(session: Session, flush_context: Any, instances: Any) -> None:
    """A working draft a settlement pointed at may be discarded: the links go with it."""
    doomed = [obj.id for obj in session.deleted if isinstance(obj, DocumentVersion)]
    if doomed:
        session.execute(
            update(Comment)
            .where(Comment.change_version_id.in_(doomed))
            .values(change_version_id=None, change_section_key=None),
            execution_options={"synchronize_session": False},
        )


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_published(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, CommentPeriod) and _published_before_flush(obj):
            if obj in session.deleted or _changed(obj) - _MUTABLE_PERIOD:
                raise SettlementPublished()
        elif isinstance(obj, Comment):
            with session.no_autoflush:
                period = obj.period
            if period is None or not _published_before_flush(period):
                continue
            changed = _changed(obj)
            if obj.consent_publish_name and obj.counts:
                changed &= _FROZEN_COMMENT | {"author_name"}
            else:
                changed &= _FROZEN_COMMENT
            if obj in session.deleted or changed:
                raise SettlementPublished()
