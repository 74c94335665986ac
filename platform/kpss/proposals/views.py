"""Public pages of development proposals (placeholder: being written)."""

from flask import Blueprint

bp = Blueprint("proposals", __name__, url_prefix="/<tenant_slug>/rozvojove-zamery")


@bp.get("/")
def decided(tenant_slug: str) -> str:
    return ""
