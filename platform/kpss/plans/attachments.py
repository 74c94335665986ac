"""Attachments of a cycle: checked, stored under ``KPSS_UPLOAD_DIR/<tenant>/plans/``
and served back with a safe name.

A file is accepted when its extension is on the list *and* its first bytes say the
same (a renamed executable is not a PDF). The stored name is random; the name the
person uploaded is kept only for the download. Files are written before the row is
committed and removed again if the transaction rolls back; a deleted attachment's file
goes once the deletion is committed.
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

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from kpss.auth.permissions import require
from kpss.db import utcnow
from kpss.errors import NotFound
from kpss.extensions import db
from kpss.plans.models import AttachmentKind, CycleAttachment, PlanCycle
from kpss.plans.services import Errors, text_value
from kpss.tenancy.scoping import require_tenant_id, scoped_get

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


def max_bytes() -> int:
    """The size limit of one attachment: the server's request limit (``MAX_CONTENT_LENGTH``,
    set by ``KPSS_MAX_UPLOAD_BYTES``) unless ``KPSS_PLANS_ATTACHMENT_MAX_BYTES`` is lower."""
    config = current_app.config
    limits = [config.get("KPSS_PLANS_ATTACHMENT_MAX_BYTES"), config.get("MAX_CONTENT_LENGTH")]
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


def storage_dir(tenant_id: int) -> Path:
    return Path(current_app.config["KPSS_UPLOAD_DIR"]) / str(tenant_id) / "plans"


def path_of(attachment: CycleAttachment) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}\.[a-z]{3,4}", attachment.stored_name or ""):
        raise NotFound()
    return storage_dir(attachment.tenant_id) / attachment.stored_name


# --- files follow the transaction ------------------------------------------------------------

_WRITTEN, _DOOMED = "kpss_plans_written_files", "kpss_plans_doomed_files"


def forget_file(attachment: CycleAttachment) -> None:
    """Remove the attachment's file once the current transaction commits."""
    if attachment.has_file:
        db.session.info.setdefault(_DOOMED, []).append(path_of(attachment))


@event.listens_for(Session, "after_commit")
def _remove_doomed(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    for path in session.info.pop(_DOOMED, []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_soft_rollback")
def _remove_written(session: Session, previous_transaction: Any) -> None:
    if session.in_transaction():
        return  # a savepoint rolled back; the outer transaction decides
    session.info.pop(_DOOMED, None)
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)


# --- the service ------------------------------------------------------------------------------


def attachments_of(cycle: PlanCycle) -> list[CycleAttachment]:
    return list(
        db.session.execute(
            select(CycleAttachment)
            .where(CycleAttachment.cycle_id == cycle.id)
            .order_by(CycleAttachment.position, CycleAttachment.id)
        ).scalars()
    )


def get_attachment_or_404(cycle_attachment_id: Any) -> CycleAttachment:
    row = scoped_get(CycleAttachment, cycle_attachment_id)
    if row is None:
        raise NotFound()
    return row


def _details(data: dict) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    values: dict[str, Any] = {
        "title": text_value(data, "title", errors, required=True, max_len=300),
        "description": text_value(data, "description", errors, max_len=2000),
    }
    try:
        values["kind"] = AttachmentKind(data.get("kind") or AttachmentKind.OTHER)
    except ValueError:
        errors.add("kind", _l("Neznámý druh přílohy."))
    return values, errors


def _check_file(upload: Any, errors: Errors) -> tuple[str, bytes, str] | None:
    """(extension, content, original name) of an acceptable upload, else None."""
    filename = getattr(upload, "filename", "") or ""
    if not filename:
        errors.add("file", _l("Vyberte soubor."))
        return None
    extension = extension_of(filename)
    if extension not in FILE_TYPES:
        errors.add(
            "file",
            _l(
                "Soubory typu „%(ext)s“ nepřijímáme. Povolené typy: %(allowed)s.",
                ext=extension or "?",
                allowed=allowed_extensions_text(),
            ),
        )
        return None
    limit = max_bytes()
    content = upload.stream.read(limit + 1)
    if len(content) > limit:
        errors.add(
            "file",
            _l(
                "Soubor je příliš velký; nejvýše %(limit)s. Zmenšete ho (např. nižší "
                "rozlišení obrázků v PDF) nebo ho rozdělte.",
                limit=human_size(limit),
            ),
        )
        return None
    if not content:
        errors.add("file", _l("Soubor je prázdný."))
        return None
    if not content_matches(extension, content[:16], io.BytesIO(content)):
        errors.add(
            "file",
            _l(
                "Obsah souboru neodpovídá příponě .%(ext)s; soubor je poškozený nebo jde "
                "o jiný typ souboru.",
                ext=extension,
            ),
        )
        return None
    return extension, content, filename


def _store(attachment: CycleAttachment, extension: str, content: bytes, filename: str) -> None:
    folder = storage_dir(require_tenant_id())
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    target = folder / stored_name
    tmp = target.with_suffix(".part")
    tmp.write_bytes(content)
    os.replace(tmp, target)
    db.session.info.setdefault(_WRITTEN, []).append(target)
    forget_file(attachment)  # the previous file, if this replaces one
    attachment.stored_name = stored_name
    attachment.extension = extension
    attachment.original_name = safe_download_name(filename, extension, attachment.title)
    attachment.size = len(content)
    attachment.sha256 = hashlib.sha256(content).hexdigest()
    attachment.uploaded_at = utcnow()


def add_attachment(cycle: PlanCycle, data: dict, upload: Any, *, user_id: int | None):
    require("plans.manage", cycle)
    values, errors = _details(data)
    checked = _check_file(upload, errors)
    errors.raise_if_any()
    position = db.session.execute(
        select(func.coalesce(func.max(CycleAttachment.position), 0)).where(
            CycleAttachment.cycle_id == cycle.id
        )
    ).scalar_one()
    attachment = CycleAttachment(cycle_id=cycle.id, position=position + 1, **values)
    attachment.uploaded_by_id = user_id
    _store(attachment, *checked)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def update_attachment(
    attachment: CycleAttachment, data: dict, upload: Any = None, *, user_id: int | None
) -> CycleAttachment:
    """Change the details; a new file (optional) replaces the old one."""
    require("plans.manage", attachment)
    values, errors = _details(data)
    checked = None
    if upload is not None and getattr(upload, "filename", ""):
        checked = _check_file(upload, errors)
    elif not attachment.has_file and data.get("require_file"):
        errors.add("file", _l("Vyberte soubor."))
    errors.raise_if_any()
    for key, value in values.items():
        setattr(attachment, key, value)
    if checked is not None:
        attachment.uploaded_by_id = user_id
        _store(attachment, *checked)
    db.session.flush()
    return attachment


def delete_attachment(attachment: CycleAttachment) -> None:
    require("plans.manage", attachment)
    forget_file(attachment)
    db.session.delete(attachment)
    db.session.flush()


def check_upload_limit_message() -> str:
    return str(_l("Soubor je příliš velký; nejvýše %(limit)s.", limit=human_size(max_bytes())))
