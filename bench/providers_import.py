"""Benchmark: the registry import of a 10,000-service file.

Generates a file in the registry's open-data shape (see
kpss.providers.registry_import), migrates a fresh SQLite database (and the PostgreSQL
database named by KPSS_BENCH_DATABASE_URL, whose public schema is dropped first), and
imports it into one tenant whose territory holds 90 % of the services: the first run
creates everything, the second finds nothing to change. The baseline is ``json.load``
of the same file, so the ratio says what the import costs over merely reading it.

    .venv/bin/python bench/providers_import.py [--services 10000] [--no-record]

The result is appended to bench/results/providers_import.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform as stdlib_platform
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "providers_import.md"
TYPES = ["37", "39", "40", "43", "44", "45", "46", "48", "49", "50", "51", "57", "60a", "69", "70"]
FORMS = {
    "pobytové": "počet lůžek",
    "ambulantní": "počet klientů v daný okamžik",
    "terénní": "počet klientů v daný okamžik",
}
GROUPS = [
    "senioři",
    "osoby se zdravotním postižením",
    "rodiny s dítětem/dětmi",
    "osoby bez přístřeší",
    "osoby v krizi",
    "osoby s chronickým duševním onemocněním",
]
AGES = ["dospělí (27 – 64 let)", "mladší senioři (65 – 80 let)", "starší senioři (nad 80 let)"]


def ico(n: int) -> str:
    base = f"{n:07d}"[-7:]
    total = sum(int(d) * w for d, w in zip(base, (8, 7, 6, 5, 4, 3, 2), strict=True))
    return base + str((11 - total % 11) % 10)


def generate(path: Path, services: int, obce: list[str], outside: list[str]) -> None:
    rnd = random.Random(108)
    providers = max(1, services // 3)
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"datumAktualizace": "2026-11-20", "polozky": [\n')
        for i in range(services):
            p = rnd.randrange(providers)
            home = outside if rnd.random() < 0.1 else obce
            obec = rnd.choice(home)
            forms = rnd.sample(list(FORMS), rnd.randint(1, 2))
            item = {
                "identifikator": str(1_000_000 + i),
                "nazev": f"Služba {i} poskytovatele {p}",
                "druhSocialniSluzby": {"kod": "S" + rnd.choice(TYPES)},
                "poskytovatel": {
                    "ico": ico(1_000_000 + p),
                    "nazev": f"Poskytovatel sociálních služeb č. {p}, z. ú.",
                    "pravniForma": {"kod": "161", "nazev": "Ústav"},
                    "adresa": {
                        "kodAdresnihoMista": 20_000_000 + p,
                        "obec": {"kod": obec},
                        "ulice": "Hlavní",
                        "cisloDomovni": str(p % 300 + 1),
                        "psc": "11000",
                    },
                    "email": f"info{p}@example.cz",
                    "telefon": "+420 100 200 300",
                    "statutarniOrgany": [{"jmeno": "Jan", "prijmeni": "Novák"}],
                },
                "zarizeni": [
                    {
                        "nazev": f"Zařízení {i}",
                        "adresa": {
                            "kodAdresnihoMista": 30_000_000 + i,
                            "obec": {"kod": obec},
                            "ulice": "Nádražní",
                            "cisloDomovni": str(i % 500 + 1),
                            "psc": "11000",
                        },
                    }
                ],
                "uzemniPusobnost": [{"obec": {"kod": c}} for c in rnd.sample(home, 3)],
                "ciloveSkupiny": [{"nazev": g} for g in rnd.sample(GROUPS, 2)],
                "vekoveSkupiny": [{"nazev": a} for a in rnd.sample(AGES, 2)],
                "formy": [
                    {
                        "forma": {"nazev": f},
                        "kapacity": [{"pocet": rnd.randint(1, 120), "typ": FORMS[f]}],
                    }
                    for f in forms
                ],
                "popis": "Služba poskytuje pomoc a podporu lidem v nepříznivé sociální situaci. "
                * 3,
            }
            fh.write(("," if i else "") + json.dumps(item, ensure_ascii=False) + "\n")
        fh.write("]}\n")


def run(database_url: str, path: Path, obce: list[str], services: int) -> dict:
    os.environ["KPSS_ENV"] = "test"
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 40)
    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from kpss import create_app
    from kpss.extensions import db
    from kpss.providers.models import ProviderImport, Service
    from kpss.providers.registry_import import execute
    from kpss.tenancy.models import Tenant, TenantKind, TerritoryMunicipality
    from kpss.tenancy.scoping import bind_tenant, platform_scope

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "KPSS_JOBS_EAGER": True})
    timings = {}
    with app.app_context():
        if database_url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        with platform_scope("benchmark setup"):
            tenant = Tenant(
                slug="bench",
                name="Benchmarkov",
                kind=TenantKind.REGION,
                region="Kraj",
                contact_name="-",
            )
            db.session.add(tenant)
            db.session.commit()
            tenant_id = tenant.id
        with bind_tenant(tenant_id):
            db.session.add_all(TerritoryMunicipality(code=c, name=f"Obec {c}") for c in obce)
            db.session.commit()
            for label in ("first", "second"):
                run_row = ProviderImport(file_name=path.name)
                db.session.add(run_row)
                db.session.commit()
                start = time.perf_counter()
                execute(run_row, path)
                timings[label] = time.perf_counter() - start
                timings[label + "_counts"] = dict(run_row.report["counts"])
            timings["stored"] = db.session.execute(select(func.count(Service.id))).scalar()
        db.engine.dispose()
    return timings


def machine() -> str:
    return (
        f"{stdlib_platform.machine()}, {os.cpu_count()} CPU, "
        f"{stdlib_platform.python_implementation()} {stdlib_platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {stdlib_platform.system()} {stdlib_platform.release()}, "
        f"load average {os.getloadavg()[0]:.1f} when it ended (a shared machine)"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "platform"))
    obce = [f"{500000 + i}" for i in range(300)]
    outside = [f"{600000 + i}" for i in range(50)]
    with tempfile.TemporaryDirectory(prefix="kpss-bench-") as tmp:
        tmp_path = Path(tmp)
        os.environ["KPSS_INSTANCE_PATH"] = str(tmp_path / "instance")
        path = tmp_path / "registr.json"
        generate(path, args.services, obce, outside)
        size_mb = path.stat().st_size / 1e6
        start = time.perf_counter()
        with path.open(encoding="utf-8") as fh:
            json.load(fh)
        baseline = time.perf_counter() - start
        targets = [("SQLite", f"sqlite:///{tmp_path / 'bench.sqlite3'}")]
        if os.environ.get("KPSS_BENCH_DATABASE_URL"):
            from kpss.config import normalise_database_url

            targets.append(
                ("PostgreSQL", normalise_database_url(os.environ["KPSS_BENCH_DATABASE_URL"]))
            )
        rows = []
        for name, url in targets:
            t = run(url, path, obce, args.services)
            created = t["first_counts"]["created"]
            rows.append((name, t, created))
            print(
                f"{name}: first run {t['first']:.1f} s ({created / t['first']:.0f} services/s, "
                f"{t['first'] / baseline:.0f}× json.load), second run {t['second']:.1f} s "
                f"(unchanged {t['second_counts']['unchanged']}), stored {t['stored']}"
            )
    print(f"json.load baseline: {baseline:.2f} s for {size_mb:.1f} MB")
    if args.no_record:
        return 0
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    new = not RESULTS.exists()
    with RESULTS.open("a", encoding="utf-8") as out:
        if new:
            out.write(
                "# Registry import benchmark\n\n"
                "`bench/providers_import.py`: a generated registry file imported into one "
                "tenant whose territory holds ~90 % of the services (first run: all new; "
                "second run: nothing to change). Ratio = import time / `json.load` of the "
                "same file.\n"
            )
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        out.write(
            f"\n## {now}\n\n{machine()}; file {args.services} services, {size_mb:.1f} MB; "
            f"`json.load` {baseline:.2f} s\n\n"
            "| database | first run | services/s | × json.load | second run (unchanged) |\n"
            "|---|---|---|---|---|\n"
        )
        for name, t, created in rows:
            out.write(
                f"| {name} | {t['first']:.1f} s ({created} created) | "
                f"{created / t['first']:.0f} | {t['first'] / baseline:.0f}× | "
                f"{t['second']:.1f} s ({t['second_counts']['unchanged']}) |\n"
            )
    print(f"recorded in {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
