"""Differences between two versions of a plan document, section by section.

Sections are matched by their stable key: a key only in the newer version is *added*,
only in the older *removed*; present in both, a section is *changed* when a compared
field or its place in the tree differs, else *unchanged*. Text is compared word by word
(``difflib``), so a reader sees which words went and came.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from kpss.plans.documents import DocumentTree, SectionNode

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"

FIELD_LABELS = {
    "title": _l("Název"),
    "body": _l("Text"),
    "responsible_party": _l("Odpovědný subjekt"),
    "funding_source": _l("Zdroj financování"),
    "indicator": _l("Ukazatel"),
    "timeframe": _l("Termín"),
    "target_groups": _l("Cílové skupiny"),
    "service_types": _l("Druhy služeb"),
}

_TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass
class Segment:
    op: str  # "equal", "insert", "delete"
    text: str


@dataclass
class FieldChange:
    name: str
    old: Any
    new: Any
    segments: list[Segment]

    @property
    def label(self) -> str:
        return str(FIELD_LABELS[self.name])


@dataclass
class SectionDiff:
    key: str
    status: str
    old: SectionNode | None
    new: SectionNode | None
    changes: list[FieldChange] = field(default_factory=list)
    moved: bool = False

    @property
    def node(self) -> SectionNode:
        return self.new or self.old  # type: ignore[return-value]

    @property
    def depth(self) -> int:
        return self.node.depth


@dataclass
class DocumentDiff:
    old: DocumentTree
    new: DocumentTree
    sections: list[SectionDiff]
    title_change: FieldChange | None = None

    def count(self, status: str) -> int:
        return sum(1 for s in self.sections if s.status == status)

    @property
    def has_changes(self) -> bool:
        return self.title_change is not None or any(s.status != UNCHANGED for s in self.sections)


def word_diff(old: str, new: str) -> list[Segment]:
    """Word-level differences; whitespace stays with the words around it."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    segments: list[Segment] = []

    def emit(op: str, text: str) -> None:
        if not text:
            return
        if segments and segments[-1].op == op:
            segments[-1].text += text
        else:
            segments.append(Segment(op, text))

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            emit("equal", "".join(a[i1:i2]))
        else:
            emit("delete", "".join(a[i1:i2]))
            emit("insert", "".join(b[j1:j2]))
    return segments


def _as_text(value: Any) -> str:
    return "; ".join(value) if isinstance(value, list) else (value or "")


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    changes = []
    for name in FIELD_LABELS:
        if old.get(name) != new.get(name):
            a, b = _as_text(old.get(name)), _as_text(new.get(name))
            changes.append(FieldChange(name, old.get(name), new.get(name), word_diff(a, b)))
    return changes


def diff_documents(old: DocumentTree, new: DocumentTree) -> DocumentDiff:
    old_nodes = {n.key: n for n in old.walk()}
    new_nodes = {n.key: n for n in new.walk()}
    result: list[SectionDiff] = []
    for key, node in new_nodes.items():
        before = old_nodes.get(key)
        if before is None:
            result.append(SectionDiff(key, ADDED, None, node))
            continue
        changes = field_changes(before.section.content(), node.section.content())
        moved = before.section.parent_key != node.section.parent_key
        status = CHANGED if changes or moved else UNCHANGED
        result.append(SectionDiff(key, status, before, node, changes, moved))
    # A removed section is shown where it used to be: after the nearest section before
    # it (in the older version's order) that is still shown.
    old_order = list(old_nodes)
    for index, key in enumerate(old_order):
        if key in new_nodes:
            continue
        entry = SectionDiff(key, REMOVED, old_nodes[key], None)
        anchor = next(
            (k for k in reversed(old_order[:index]) if any(d.key == k for d in result)), None
        )
        at = 0 if anchor is None else [d.key for d in result].index(anchor) + 1
        while at < len(result) and result[at].status == REMOVED:
            at += 1
        result.insert(at, entry)
    title_change = None
    if old.version.title != new.version.title:
        title_change = FieldChange(
            "title",
            old.version.title,
            new.version.title,
            word_diff(old.version.title, new.version.title),
        )
    return DocumentDiff(old, new, result, title_change)
