"""The coordinator's inbox: every comment of a period, filtered by section, verdict,
status and author, with the counts per section the chart shows.

Filters come from the query string (``?cast=uvod&stav=nove&autor=provider``) so a view
of the inbox is a link; the export takes the same filters. The page runs a fixed number
of queries whatever the number of comments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from kpss.bodies.models import TriadSide
from kpss.comments.models import Comment, CommentPeriod, Verdict
from kpss.comments.services import SectionRef, section_label
from kpss.extensions import db

PAGE_SIZE = 50
WHOLE = "celek"  # the "section" of comments on the document as a whole
UNSETTLED = "zadne"

STATUS_LABELS = {
    "nove": _l("nevypořádané"),
    "vyporadane": _l("vypořádané"),
    "skryte": _l("skryté jako spam"),
    "nepotvrzene": _l("nepotvrzené e-mailem"),
}


@dataclass(frozen=True)
class InboxFilters:
    section: str | None = None  # a key, WHOLE, or None for all
    verdict: str | None = None  # a Verdict value, UNSETTLED, or None
    status: str | None = None  # a key of STATUS_LABELS, or None
    side: str | None = None  # a TriadSide value, or None

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> InboxFilters:
        """Unknown values are ignored, not errors: a link stays usable."""
        verdicts = {v.value for v in Verdict} | {UNSETTLED}
        return cls(
            section=(args.get("cast") or None),
            verdict=args.get("vyporadani") if args.get("vyporadani") in verdicts else None,
            status=args.get("stav") if args.get("stav") in STATUS_LABELS else None,
            side=args.get("autor") if args.get("autor") in {s.value for s in TriadSide} else None,
        )

    def args(self) -> dict[str, str]:
        pairs = {
            "cast": self.section,
            "vyporadani": self.verdict,
            "stav": self.status,
            "autor": self.side,
        }
        return {k: v for k, v in pairs.items() if v}

    @property
    def active(self) -> bool:
        return bool(self.args())


def _filtered(period: CommentPeriod, filters: InboxFilters):
    query = select(Comment).where(Comment.period_id == period.id)
    if filters.section == WHOLE:
        query = query.where(Comment.section_key.is_(None))
    elif filters.section:
        query = query.where(Comment.section_key == filters.section)
    if filters.verdict == UNSETTLED:
        query = query.where(Comment.verdict.is_(None))
    elif filters.verdict:
        query = query.where(Comment.verdict == Verdict(filters.verdict))
    counted = Comment.confirmed_at.is_not(None) & Comment.hidden_at.is_(None)
    if filters.status == "nove":
        query = query.where(counted, Comment.verdict.is_(None))
    elif filters.status == "vyporadane":
        query = query.where(counted, Comment.verdict.is_not(None))
    elif filters.status == "skryte":
        query = query.where(Comment.hidden_at.is_not(None))
    elif filters.status == "nepotvrzene":
        query = query.where(Comment.confirmed_at.is_(None), Comment.hidden_at.is_(None))
    if filters.side:
        query = query.where(Comment.triad_side == TriadSide(filters.side))
    return query


def comments(period: CommentPeriod, filters: InboxFilters) -> list[Comment]:
    """Every comment the filters let through, by number (for the export)."""
    return list(db.session.execute(_filtered(period, filters).order_by(Comment.seq)).scalars())


@dataclass
class Page:
    rows: list[Comment]
    total: int
    number: int
    pages: int


def page(period: CommentPeriod, filters: InboxFilters, number: int = 1) -> Page:
    query = _filtered(period, filters)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(1, number), pages)
    rows = db.session.execute(
        query.order_by(Comment.seq).limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)
    ).scalars()
    return Page(list(rows), total, number, pages)


@dataclass
class SectionCount:
    key: str  # a section key or WHOLE
    label: str
    count: int
    depth: int = 0


@dataclass
class Chart:
    rows: list[SectionCount] = field(default_factory=list)

    @property
    def biggest(self) -> int:
        return max((r.count for r in self.rows), default=0)


def section_chart(period: CommentPeriod, sections: list[SectionRef]) -> Chart:
    """Counted comments per section, in document order (one grouped query): which parts
    of the plan drew most comments. Sections nobody commented on are left out."""
    counted = Comment.confirmed_at.is_not(None) & Comment.hidden_at.is_(None)
    counts = dict(
        db.session.execute(
            select(Comment.section_key, func.count())
            .where(Comment.period_id == period.id, counted)
            .group_by(Comment.section_key)
        ).all()
    )
    by_key = {s.key: s for s in sections}
    rows = []
    if counts.get(None):
        rows.append(SectionCount(WHOLE, section_label(None, by_key), counts[None]))
    for ref in sections:
        if counts.get(ref.key):
            rows.append(SectionCount(ref.key, ref.label, counts[ref.key], ref.depth))
    # A key the version does not know cannot be stored; shown anyway if it ever is.
    for key, count in counts.items():
        if key is not None and key not in by_key:
            rows.append(SectionCount(key, key, count))
    return Chart(rows)
