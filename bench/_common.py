"""Shared by the benchmarks: a throwaway instance with the tenant packs loaded, a server
in a thread, a sequential HTTP client, and the results file."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE.parent))


def fresh_app(**config):
    """An app on a new SQLite file (or KPSS_BENCH_DATABASE_URL), migrated, packs loaded."""
    tmp = Path(tempfile.mkdtemp(prefix="kpss-bench-"))
    os.environ.setdefault("KPSS_INSTANCE_PATH", str(tmp))
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 40)
    from flask_migrate import upgrade

    from kpss import create_app
    from kpss.tenancy.packs import sync_packs

    url = os.environ.get("KPSS_BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "KPSS_MAIL_DIR": str(tmp / "mail"),
            "KPSS_UPLOAD_DIR": str(tmp / "uploads"),
            "KPSS_RATE_LIMITS": False,
            **config,
        }
    )
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.ERROR)
    with app.app_context():
        upgrade()
        sync_packs()
    return app


@contextmanager
def serve(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def measure(url: str, n: int) -> dict:
    timings = []
    for _ in range(3):  # warm up
        urllib.request.urlopen(url).read()
    for _ in range(n):
        start = time.perf_counter()
        with urllib.request.urlopen(url) as response:
            response.read()
            assert response.status == 200, url
        timings.append(time.perf_counter() - start)
    timings.sort()
    return {
        "mean_ms": statistics.mean(timings) * 1000,
        "p95_ms": timings[int(len(timings) * 0.95) - 1] * 1000,
    }


def machine() -> str:
    return (
        f"{platform.node()} · {platform.machine()} · {os.cpu_count()} CPU · "
        f"Python {platform.python_version()}"
    )


def write_result(name: str, title: str, body: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.md"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    path.write_text(f"# {title}\n\nRun {stamp} on {machine()}.\n\n{body}\n")
    print(path.read_text())
    return path
