"""Translation catalogues: Czech is the source language, English the translation.

One catalogue per capability (its package and its templates) plus a core one for the
shell, so capabilities are translated independently. ``kpss translations update``
extracts the messages and updates every ``en`` catalogue; a test fails while any
message lacks its English translation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from kpss.config import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "platform" / "kpss"
TEMPLATES = PROJECT_ROOT / "templates"
#: English is a full translation. The Czech catalogue only holds plural forms: Czech has
#: three (1 obec, 2 obce, 5 obcí) and the source strings can carry only two.
LOCALES = ("en", "cs")
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
METHODS = [("**.py", "python"), ("**.html", "jinja2"), ("**.txt", "jinja2")]
OPTIONS = {"**.html": {"extensions": "jinja2.ext.do"}, "**.txt": {"extensions": "jinja2.ext.do"}}


@dataclass(frozen=True)
class MessageCatalog:
    name: str
    #: Folders whose messages belong here (a capability's package and templates).
    sources: tuple[Path, ...]
    #: Folders excluded from ``sources`` (the core leaves capabilities out).
    excluded: tuple[Path, ...] = ()

    @property
    def directory(self) -> Path:
        if self.name == "core":
            return PACKAGE / "translations"
        return PACKAGE / self.name / "translations"

    def po_path(self, locale: str) -> Path:
        return self.directory / locale / "LC_MESSAGES" / "messages.po"


def capability_names() -> list[str]:
    """Capabilities that keep a catalogue of their own (they have a translations/ folder)."""
    return sorted(p.parent.name for p in PACKAGE.glob("*/translations") if p.is_dir())


def catalogs() -> list[MessageCatalog]:
    own = capability_names()
    capability_sources = {
        name: tuple(p for p in (PACKAGE / name, TEMPLATES / name, TEMPLATES / "mail" / name))
        for name in own
    }
    excluded = tuple(p for paths in capability_sources.values() for p in paths)
    core = MessageCatalog("core", (PACKAGE, TEMPLATES), excluded)
    return [core] + [MessageCatalog(name, capability_sources[name]) for name in own]


def translation_directories() -> list[str]:
    return [str(c.directory) for c in catalogs() if c.directory.exists()]


def extract(catalog: MessageCatalog) -> Catalog:
    """Every message of the catalogue's sources, as a babel Catalog (the template)."""
    template = Catalog(locale=None, project="kpss", fuzzy=False)
    for source in catalog.sources:
        if not source.exists():
            continue
        for filename, lineno, message, comments, context in extract_from_dir(
            str(source), METHODS, OPTIONS, KEYWORDS, strip_comment_tags=True
        ):
            path = source / filename
            if any(path.is_relative_to(ex) for ex in catalog.excluded):
                continue
            if "translations" in path.parts:
                continue
            template.add(
                message,
                locations=[(str(path.relative_to(PROJECT_ROOT)), lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def load(catalog: MessageCatalog, locale: str) -> Catalog:
    path = catalog.po_path(locale)
    if not path.exists():
        return Catalog(locale=locale, project="kpss", fuzzy=False)
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def update(catalog: MessageCatalog, locale: str) -> list[str]:
    """Bring the ``locale`` catalogue in line with the sources; returns untranslated ids."""
    template = extract(catalog)
    existing = load(catalog, locale)
    existing.update(template, no_fuzzy_matching=True)
    existing.obsolete.clear()
    path = catalog.po_path(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, existing, width=100, omit_header=False, sort_output=False)
    return missing(catalog, locale, template)


def missing(catalog: MessageCatalog, locale: str, template: Catalog | None = None) -> list[str]:
    template = template or extract(catalog)
    existing = load(catalog, locale)
    gaps = []
    for message in template:
        if not message.id:
            continue
        if locale == "cs" and not message.pluralizable:
            continue
        translated = existing.get(message.id, context=message.context)
        strings = translated.string if translated is not None else None
        ok = all(strings) if isinstance(strings, tuple | list) else bool(strings)
        if not ok or (translated is not None and translated.fuzzy):
            gaps.append(message.id if isinstance(message.id, str) else message.id[0])
    return gaps
