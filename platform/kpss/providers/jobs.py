"""The queued registry import: the upload view stores the file and defers this job."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from kpss.extensions import db
from kpss.providers.models import ImportStatus, ProviderImport
from kpss.providers.registry_import import execute
from kpss.queue import job

log = logging.getLogger(__name__)


@job("providers.import", own_transactions=True)
def import_registry(provider_import_id: int) -> str:
    """Safe to run again: only a queued run starts; the stored file is removed when the
    run ends either way (the registry file names people of statutory bodies)."""
    run = db.session.execute(
        select(ProviderImport).where(ProviderImport.id == provider_import_id)
    ).scalar_one_or_none()
    if run is None or run.status != ImportStatus.QUEUED:
        return "skipped"
    root = Path(current_app.config["KPSS_UPLOAD_DIR"])
    path = root / (run.stored_path or "")
    try:
        execute(run, path)
    finally:
        try:
            if run.stored_path:
                path.unlink(missing_ok=True)
        except OSError:
            log.warning("could not remove %s", path)
        run.stored_path = None
        db.session.commit()
    return run.status.value
