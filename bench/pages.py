"""Public pages against bare Flask on the same server, and SQL statements per page.

The ratio says what the platform costs over a "hello" Flask page served the same way
(same WSGI server, same client, same run); the query count must not grow with data.
"""

from __future__ import annotations

from _common import fresh_app, measure, serve, write_result
from flask import Flask

PAGES = [
    ("directory", "/"),
    ("tenant home (Domažlice, 58 obcí)", "/domazlice/"),
    ("accessibility statement", "/praha/pristupnost"),
    ("API: tenant with territory", "/api/v1/pribram"),
]
REQUESTS = 300


def bare_flask() -> Flask:
    bare = Flask("bare")
    html = "<!doctype html><html lang=cs><title>x</title><p>" + "Ahoj " * 400 + "</p></html>"

    @bare.get("/")
    def index():
        return html

    return bare


def count_statements(app, path: str) -> int:
    from sqlalchemy import event

    from kpss.extensions import db

    with app.app_context():
        engine = db.engine
    seen = []

    def record(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    app.test_client().get(path)
    event.remove(engine, "before_cursor_execute", record)
    return len(seen)


def main() -> None:
    app = fresh_app()
    with serve(bare_flask()) as base:
        baseline = measure(base + "/", REQUESTS)
    rows = [
        "| page | mean ms | p95 ms | × bare Flask | SQL statements |",
        "|---|---|---|---|---|",
        f"| bare Flask (baseline) | {baseline['mean_ms']:.2f} | {baseline['p95_ms']:.2f} "
        "| 1.0 | 0 |",
    ]
    with serve(app) as base:
        for label, path in PAGES:
            result = measure(base + path, REQUESTS)
            ratio = result["mean_ms"] / baseline["mean_ms"]
            rows.append(
                f"| {label} `{path}` | {result['mean_ms']:.2f} | {result['p95_ms']:.2f} "
                f"| {ratio:.1f} | {count_statements(app, path)} |"
            )
    write_result(
        "pages",
        "Public pages against bare Flask",
        f"{REQUESTS} sequential requests per page, werkzeug threaded server, SQLite "
        "(embedded default) unless KPSS_BENCH_DATABASE_URL is set.\n\n" + "\n".join(rows),
    )


if __name__ == "__main__":
    main()
