"""Public pages of development proposals: the decided and published proposals of a year
and one proposal's public record. What the public sees is fixed by the templates: the
content, the group's opinion and the committee's decision — never the internal note,
the department's statement, the contact or the attachments."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from kpss.proposals import services
from kpss.proposals.labels import CHANGE_KINDS, DECISIONS, OPINIONS, UNITS
from kpss.reference.services import load as reference

bp = Blueprint("proposals", __name__, url_prefix="/<tenant_slug>/rozvojove-zamery")


def _labels() -> dict:
    return {
        "change_labels": CHANGE_KINDS,
        "unit_labels": UNITS,
        "opinion_labels": OPINIONS,
        "decision_labels": DECISIONS,
        "ref": reference(),
    }


@bp.get("/")
def decided():
    years = services.public_years()
    wanted = request.args.get("rok", "")
    year = int(wanted) if wanted.isdigit() and int(wanted) in years else None
    if year is None and years:
        year = years[0]
    proposals = services.published_proposals(year) if year is not None else []
    cost, capacity = services.totals(proposals)
    return render_template(
        "proposals/public/list.html",
        years=years,
        year=year,
        proposals=proposals,
        cost_years=sorted({y for p in proposals for y in p.costs_by_year()}),
        total_cost=cost,
        total_capacity=capacity,
        **_labels(),
    )


@bp.get("/<int:proposal_id>")
def proposal(proposal_id: int):
    return render_template(
        "proposals/public/proposal.html",
        proposal=services.public_proposal(proposal_id),
        **_labels(),
    )
