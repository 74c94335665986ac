"""Administration of development proposals (placeholder: being written)."""

from flask import Blueprint

bp = Blueprint("proposals_admin", __name__, url_prefix="/<tenant_slug>/sprava/rozvojove-zamery")


@bp.get("/")
def index(tenant_slug: str) -> str:
    return ""


@bp.get("/<int:proposal_id>")
def proposal(tenant_slug: str, proposal_id: int) -> str:
    return ""
