"""Attachments of a cycle (statute, founding charter, survey outputs, presentations):
checked and stored by ``kpss.uploads`` under ``KPSS_UPLOAD_DIR/<tenant>/plans/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from kpss.auth.permissions import require
from kpss.db import utcnow
from kpss.errors import NotFound
from kpss.extensions import db
from kpss.plans.models import AttachmentKind, CycleAttachment, PlanCycle
from kpss.plans.services import Errors, text_value
from kpss.tenancy.scoping import require_tenant_id, scoped_get
from kpss.uploads import check as _check_upload
from kpss.uploads import discard_after_commit, human_size, store
from kpss.uploads import max_bytes as _max_bytes
from kpss.uploads import path as _upload_path

AREA = "plans"


def max_bytes() -> int:
    """A cycle attachment's limit: ``KPSS_PLANS_ATTACHMENT_MAX_BYTES`` if lower than the
    server's."""
    return _max_bytes("KPSS_PLANS_ATTACHMENT_MAX_BYTES")


def path_of(attachment: CycleAttachment) -> Path:
    return _upload_path(attachment.tenant_id, AREA, attachment.stored_name)


def forget_file(attachment: CycleAttachment) -> None:
    """Remove the attachment's file once the current transaction commits."""
    if attachment.has_file:
        discard_after_commit(path_of(attachment))


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


def _check_file(upload: Any, errors: Errors):
    """The checked upload, or None with the reason added to ``errors``."""
    checked, problem = _check_upload(upload, limit=max_bytes())
    if problem is not None:
        errors.add("file", problem)
    return checked


def _store(attachment: CycleAttachment, checked) -> None:
    stored = store(
        checked, tenant_id=require_tenant_id(), area=AREA, fallback_name=attachment.title
    )
    forget_file(attachment)  # the previous file, if this replaces one
    attachment.stored_name = stored.stored_name
    attachment.extension = stored.extension
    attachment.original_name = stored.original_name
    attachment.size = stored.size
    attachment.sha256 = stored.sha256
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
    _store(attachment, checked)
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
        _store(attachment, checked)
    db.session.flush()
    return attachment


def delete_attachment(attachment: CycleAttachment) -> None:
    require("plans.manage", attachment)
    forget_file(attachment)
    db.session.delete(attachment)
    db.session.flush()


def check_upload_limit_message() -> str:
    return str(_l("Soubor je příliš velký; nejvýše %(limit)s.", limit=human_size(max_bytes())))
