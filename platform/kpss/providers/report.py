"""A run's report as plain lines (the CLI prints them; the web page shows the same
report as tables)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from kpss.providers.models import ImportStatus, ProviderImport

COUNT_LABELS = {
    "created": _l("nových služeb"),
    "updated": _l("změněných"),
    "unchanged": _l("beze změny"),
    "ended": _l("ukončených"),
    "malformed": _l("vadných záznamů"),
    "outside": _l("mimo území"),
    "providers_created": _l("nových poskytovatelů"),
    "providers_updated": _l("změněných poskytovatelů"),
}

FIELD_LABELS = {
    "provider_id": _l("poskytovatel"),
    "name": _l("název"),
    "service_type_code": _l("druh"),
    "delivery_form_codes": _l("formy"),
    "target_group_codes": _l("cílové skupiny"),
    "age_group_codes": _l("věkové skupiny"),
    "municipality_codes": _l("území"),
    "contact_email": _l("e-mail"),
    "contact_phone": _l("telefon"),
    "web": _l("web"),
    "started_on": _l("zahájení"),
    "description": _l("popis"),
    "opening_hours": _l("provozní doba"),
    "capacities": _l("kapacity"),
    "facilities": _l("zařízení"),
    "reactivated": _l("znovu v registru"),
    "is_registered": _l("registrace"),
    "related_kind": _l("druh související služby"),
}


STATUS_LABELS = {
    ImportStatus.QUEUED: _l("čeká ve frontě"),
    ImportStatus.RUNNING: _l("probíhá"),
    ImportStatus.DONE: _l("hotovo"),
    ImportStatus.FAILED: _l("selhal"),
}


def describe(run: ProviderImport) -> list[str]:
    report = run.report or {}
    status = STATUS_LABELS[run.status]
    lines = [str(_l("Import %(file)s: %(status)s", file=run.file_name, status=status))]
    if run.status == ImportStatus.FAILED:
        lines.append(str(_l("Soubor nelze načíst: %(error)s", error=run.error or "")))
        return lines
    counts = report.get("counts", {})
    lines.append(", ".join(f"{label} {counts.get(key, 0)}" for key, label in COUNT_LABELS.items()))
    for change in report.get("capacity_changes", []):
        lines.append(
            str(
                _l(
                    "kapacita %(service)s (%(id)s), %(form)s, %(unit)s: %(old)s → %(new)s",
                    service=change["service"],
                    id=change["registry_id"],
                    form=change["form"],
                    unit=change["unit"],
                    old=change["old"] if change["old"] is not None else "–",
                    new=change["new"] if change["new"] is not None else "–",
                )
            )
        )
    for ended in report.get("ended_services", []):
        lines.append(
            str(
                _l(
                    "ukončeno: %(service)s (%(id)s)",
                    service=ended["service"],
                    id=ended["registry_id"],
                )
            )
        )
    for bad in report.get("malformed", []):
        lines.append(
            str(
                _l(
                    "vadný záznam polozky[%(n)d]: %(reason)s",
                    n=bad["position"],
                    reason=bad["reason"],
                )
            )
        )
    for warning in report.get("warnings", []):
        lines.append(str(_l("upozornění: %(text)s", text=warning)))
    for key, more in (report.get("truncated") or {}).items():
        lines.append(str(_l("… a dalších %(n)d položek (%(key)s)", n=more, key=key)))
    if not (counts.get("created") or counts.get("updated") or counts.get("ended")):
        lines.append(str(_l("Beze změny.")))
    return lines
