"""Uploaded files, for every capability: checked, stored, served back safely.

A file is accepted when its extension is on the list *and* its first bytes say the
same (a renamed executable is not a PDF). It is stored under
``KPSS_UPLOAD_DIR/<tenant>/<area>/`` with a random name; the name the person uploaded is
kept only for the download. Files are written before the row is committed and removed
again if the transaction rolls back; a file that is replaced or deleted goes once the
change is committed.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from kpss.errors import NotFound
from kpss.extensions import db

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class FileType:
    extension: str
    mimetype: str
    label: str
    inline: bool = False  # shown in the browser rather than downloaded


_OOXML = "application/vnd.openxmlformats-officedocument"
_ODF = "application/vnd.oasis.opendocument"
FILE_TYPES = {
    t.extension: t
    for t in (
        FileType("pdf", "application/pdf", "PDF", inline=True),
        FileType("docx", f"{_OOXML}.wordprocessingml.document", "Word (DOCX)"),
        FileType("xlsx", f"{_OOXML}.spreadsheetml.sheet", "Excel (XLSX)"),
        FileType("pptx", f"{_OOXML}.presentationml.presentation", "PowerPoint (PPTX)"),
        FileType("odt", f"{_ODF}.text", "OpenDocument (ODT)"),
        FileType("ods", f"{_ODF}.spreadsheet", "OpenDocument (ODS)"),
        FileType("odp", f"{_ODF}.presentation", "OpenDocument (ODP)"),
        FileType("png", "image/png", "PNG", inline=True),
        FileType("jpg", "image/jpeg", "JPEG", inline=True),
    )
}
ALIASES = {"jpeg": "jpg"}
_OOXML_PART = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}


def max_bytes(setting: str | None = None) -> int:
    """The size limit of one file: the server's request limit (``MAX_CONTENT_LENGTH``, set
    by ``KPSS_MAX_UPLOAD_BYTES``) unless the capability's own ``setting`` is lower."""
    config = current_app.config
    limits = [config.get(setting) if setting else None, config.get("MAX_CONTENT_LENGTH")]
    return int(min((v for v in limits if v), default=DEFAULT_MAX_BYTES))


def allowed_extensions_text() -> str:
    return ", ".join(ext.upper() for ext in FILE_TYPES)


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} kB"
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


def extension_of(filename: str) -> str:
    ext = Path(filename or "").suffix.lower().lstrip(".")
    return ALIASES.get(ext, ext)


def content_matches(extension: str, head: bytes, stream: BinaryIO) -> bool:
    """Does the content look like ``extension``? Checks the signature, and for the
    office formats (ZIP containers) the parts that make them what they claim to be."""
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension == "jpg":
        return head.startswith(b"\xff\xd8\xff")
    if not head.startswith(b"PK\x03\x04"):
        return False
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
            if extension in _OOXML_PART:
                return "[Content_Types].xml" in names and any(
                    n.startswith(_OOXML_PART[extension]) for n in names
                )
            if "mimetype" not in names:
                return False
            declared = archive.read("mimetype").decode("ascii", "replace").strip()
            return declared == FILE_TYPES[extension].mimetype
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return False
    finally:
        stream.seek(0)


def safe_download_name(name: str, extension: str, fallback: str) -> str:
    """The uploaded name without paths or control characters, ending in the real type."""
    base = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name)
    base = re.sub(r"[\x00-\x1f\x7f\"<>:|?*/]", "", base).strip(" .")
    stem = Path(base).stem if base else ""
    stem = (stem or fallback or "priloha")[:120]
    return f"{stem}.{extension}"


# --- checking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedUpload:
    extension: str
    content: bytes
    filename: str


def check(upload: Any, *, limit: int) -> tuple[CheckedUpload | None, Any]:
    """``(file, None)`` for an acceptable upload, else ``(None, message)``."""
    filename = getattr(upload, "filename", "") or ""
    if not filename:
        return None, _l("Vyberte soubor.")
    extension = extension_of(filename)
    if extension not in FILE_TYPES:
        return None, _l(
            "Soubory typu „%(ext)s“ nepřijímáme. Povolené typy: %(allowed)s.",
            ext=extension or "?",
            allowed=allowed_extensions_text(),
        )
    content = upload.stream.read(limit + 1)
    if len(content) > limit:
        return None, _l(
            "Soubor je příliš velký; nejvýše %(limit)s. Zmenšete ho (např. nižší "
            "rozlišení obrázků v PDF) nebo ho rozdělte.",
            limit=human_size(limit),
        )
    if not content:
        return None, _l("Soubor je prázdný.")
    if not content_matches(extension, content[:16], io.BytesIO(content)):
        return None, _l(
            "Obsah souboru neodpovídá příponě .%(ext)s; soubor je poškozený nebo jde "
            "o jiný typ souboru.",
            ext=extension,
        )
    return CheckedUpload(extension, content, filename), None


# --- storing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    extension: str
    original_name: str
    size: int
    sha256: str


def folder(tenant_id: int, area: str) -> Path:
    return Path(current_app.config["KPSS_UPLOAD_DIR"]) / str(tenant_id) / area


def path(tenant_id: int, area: str, stored_name: str | None) -> Path:
    """Where a stored file lives; a name that is not one of ours is a 404."""
    if not re.fullmatch(r"[0-9a-f]{32}\.[a-z]{3,4}", stored_name or ""):
        raise NotFound()
    return folder(tenant_id, area) / stored_name


def store(checked: CheckedUpload, *, tenant_id: int, area: str, fallback_name: str) -> StoredFile:
    target_dir = folder(tenant_id, area)
    target_dir.mkdir(parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.{checked.extension}"
    target = target_dir / stored_name
    tmp = target.with_suffix(".part")
    tmp.write_bytes(checked.content)
    os.replace(tmp, target)
    db.session.info.setdefault(_WRITTEN, []).append(target)
    return StoredFile(
        stored_name=stored_name,
        extension=checked.extension,
        original_name=safe_download_name(checked.filename, checked.extension, fallback_name),
        size=len(checked.content),
        sha256=hashlib.sha256(checked.content).hexdigest(),
    )


# --- files follow the transaction ------------------------------------------------------------

_WRITTEN, _DOOMED = "kpss_uploads_written", "kpss_uploads_doomed"


def discard_after_commit(file_path: Path) -> None:
    """Remove a file once the current transaction commits (it was replaced or deleted)."""
    db.session.info.setdefault(_DOOMED, []).append(file_path)


@event.listens_for(Session, "after_commit")
def _remove_doomed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the outer transaction decides
    session.info.pop(_WRITTEN, None)
    for doomed in session.info.pop(_DOOMED, []):
        doomed.unlink(missing_ok=True)


@event.listens_for(Session, "after_soft_rollback")
def _remove_written(session: Session, previous_transaction: Any) -> None:
    if session.in_transaction():
        return  # a savepoint rolled back; the outer transaction decides
    session.info.pop(_DOOMED, None)
    for written in session.info.pop(_WRITTEN, []):
        written.unlink(missing_ok=True)


# --- bodies larger than MAX_CONTENT_LENGTH --------------------------------------------------
# The provider registry's open data is ~100 MB; every other form stays under the global
# limit. The larger limit must be set before anything reads the body (the CSRF check does),
# and only for a signed-in person: an anonymous request never gets it.

LARGE_BODY_ENDPOINTS: dict[str, int] = {}


def allow_large_body(endpoint: str, max_bytes: int) -> None:
    LARGE_BODY_ENDPOINTS[endpoint] = max_bytes


def init_app(app: Flask) -> None:
    @app.before_request
    def raise_body_limit() -> None:
        limit = LARGE_BODY_ENDPOINTS.get(request.endpoint or "")
        if limit and current_user.is_authenticated:
            request.max_content_length = limit
