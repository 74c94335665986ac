"""Czech names of verdicts, weights and triad sides, shared by pages, e-mails and exports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from kpss.bodies.services import TRIAD_LABEL_ONE, TRIAD_LABELS
from kpss.comments.models import Comment, Verdict, Weight

VERDICTS = {
    Verdict.ACCEPTED: _l("akceptováno"),
    Verdict.PARTIALLY_ACCEPTED: _l("částečně akceptováno"),
    Verdict.REJECTED: _l("neakceptováno"),
    Verdict.NOTED: _l("vzato na vědomí"),
    Verdict.EXPLAINED: _l("vysvětleno"),
}
VERDICT_HINTS = {
    Verdict.ACCEPTED: _l("návrh se do dokumentu zapracuje"),
    Verdict.PARTIALLY_ACCEPTED: _l("zapracuje se zčásti; odůvodnění říká, co a proč ne"),
    Verdict.REJECTED: _l("nezapracuje se; odůvodnění je povinné"),
    Verdict.NOTED: _l("podnět bez návrhu změny dokumentu"),
    Verdict.EXPLAINED: _l("připomínka vychází z nedorozumění; odůvodnění ho vysvětlí"),
}
WEIGHTS = {
    Weight.FUNDAMENTAL: _l("zásadní"),
    Weight.RECOMMENDED: _l("doporučující"),
}
# The triad's names are the bodies' (one wording across the platform).
SIDES = TRIAD_LABEL_ONE
SIDES_SHORT = TRIAD_LABELS
CITIZEN = _l("občan")


def public_author(comment: Comment) -> str:
    """Who the public sees as the author: the name only with its owner's consent;
    otherwise the organisation, or "občan"."""
    if comment.consent_publish_name and comment.author_name:
        if comment.organisation:
            return f"{comment.author_name} ({comment.organisation})"
        return comment.author_name
    return comment.organisation or str(CITIZEN)
