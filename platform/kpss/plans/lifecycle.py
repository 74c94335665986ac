"""The lifecycle of a plan cycle: which moves are allowed, and why the others are not.

preparation → analysis → working groups → draft → comment period → settlement →
approval → in force → evaluation → archived. Besides the next step a few moves back
exist because planning goes back in practice (the assembly returns a draft; comments
call for a new draft), and a cycle may be closed (archived) from any state.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from kpss.plans.models import CycleStatus as S

ORDER: tuple[S, ...] = tuple(S)

LABELS = {
    S.PREPARATION: _l("příprava"),
    S.ANALYSIS: _l("analýza potřeb a zdrojů"),
    S.WORKING_GROUPS: _l("pracovní skupiny"),
    S.DRAFT: _l("návrh plánu"),
    S.COMMENT_PERIOD: _l("připomínkování"),
    S.SETTLEMENT: _l("vypořádání připomínek"),
    S.APPROVAL: _l("schvalování"),
    S.IN_FORCE: _l("plán platí"),
    S.EVALUATION: _l("vyhodnocování"),
    S.ARCHIVED: _l("archiv"),
}

DESCRIPTIONS = {
    S.PREPARATION: _l("Hledání partnerů, ustavení řídící skupiny, harmonogram."),
    S.ANALYSIS: _l("Mapování potřeb a zdrojů: dotazníky, rozhovory, data o službách."),
    S.WORKING_GROUPS: _l("Pracovní skupiny navrhují cíle, opatření a aktivity."),
    S.DRAFT: _l("Koordinátor sestavuje návrh plánu."),
    S.COMMENT_PERIOD: _l("Návrh je zveřejněný a kdokoli se k němu může vyjádřit."),
    S.SETTLEMENT: _l("Připomínky se vypořádávají a zapracovávají."),
    S.APPROVAL: _l("Plán projednává rada nebo zastupitelstvo."),
    S.IN_FORCE: _l("Plán je schválený a naplňuje se."),
    S.EVALUATION: _l("Vyhodnocuje se, co se z plánu podařilo."),
    S.ARCHIVED: _l("Cyklus je uzavřený; zůstává v archivu i s dokumenty."),
}

#: Moves other than "one step forward" and "archive".
BACKWARD: dict[S, frozenset[S]] = {
    S.ANALYSIS: frozenset({S.PREPARATION}),
    S.WORKING_GROUPS: frozenset({S.ANALYSIS}),
    S.DRAFT: frozenset({S.WORKING_GROUPS}),
    S.COMMENT_PERIOD: frozenset({S.DRAFT}),
    S.SETTLEMENT: frozenset({S.DRAFT}),  # comments call for a new draft
    S.APPROVAL: frozenset({S.DRAFT}),  # the council or assembly returns it
    S.EVALUATION: frozenset({S.IN_FORCE}),  # a yearly evaluation is done
}


def next_status(status: S) -> S | None:
    i = ORDER.index(status)
    return ORDER[i + 1] if i + 1 < len(ORDER) else None


def allowed_targets(status: S) -> list[S]:
    """Where a cycle in ``status`` may go, in lifecycle order."""
    if status == S.ARCHIVED:
        return []
    targets = set(BACKWARD.get(status, frozenset())) | {S.ARCHIVED}
    if (following := next_status(status)) is not None:
        targets.add(following)
    return [s for s in ORDER if s in targets]


def refusal(current: S, target: S) -> str | None:
    """Why ``current`` → ``target`` is not allowed (None when it is)."""
    if target == current:
        return str(_l("Cyklus už je ve stavu „%(state)s“.", state=LABELS[current]))
    if current == S.ARCHIVED:
        return str(_l("Archivovaný cyklus je uzavřený; jeho stav už nelze měnit."))
    if target in allowed_targets(current):
        return None
    following = next_status(current)
    return str(
        _l(
            "Ze stavu „%(current)s“ nelze přejít do stavu „%(target)s“; "
            "dalším krokem je „%(next)s“.",
            current=LABELS[current],
            target=LABELS[target],
            next=LABELS[following] if following else "",
        )
    )


def step_of(status: S) -> int:
    """1-based position in the lifecycle (for "krok 3 z 10")."""
    return ORDER.index(status) + 1
