"""Background jobs: a registry of named jobs and two transports.

* ``RQTransport`` — real rq on Redis (production, CI): queues named by purpose
  (``mail``, ``default``, ``periodic``), delays through rq's scheduler, periodic work
  through rq's cron scheduler.
* ``InProcessTransport`` — embedded mode (no ``REDIS_URL``): the same jobs, run on a
  background thread, or at once after commit when ``KPSS_JOBS_EAGER`` (tests).

Every job runs through :func:`execute`, which builds its own app context and session
and binds the job's tenant before the job touches data. Jobs are not enqueued by
domain code directly: it writes an outbox row (``kpss.notifications.outbox.defer``) in
its own transaction, and the relay enqueues after commit.
"""

from __future__ import annotations

import logging
import queue as stdlib_queue
import threading
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, has_app_context

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: Callable[..., Any]
    queue: str
    #: A long job that commits its own progress (an import). Its outbox row is marked
    #: done when it starts; the job keeps its own state and must be safe to run again.
    own_transactions: bool = False


@dataclass(frozen=True)
class PeriodicSpec:
    name: str
    interval: int  # seconds


JOBS: dict[str, JobSpec] = {}
PERIODIC: dict[str, PeriodicSpec] = {}


def job(
    name: str, *, queue: str = "default", own_transactions: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a job function under a stable name (names, not import paths, are stored
    in the outbox, so code can move without breaking queued work)."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        if name in JOBS and JOBS[name].func is not func:
            raise RuntimeError(f"job {name!r} registered twice")
        JOBS[name] = JobSpec(name, func, queue, own_transactions)
        return func

    return register


def periodic(name: str, *, every: int) -> None:
    """Run the registered job ``name`` every ``every`` seconds (platform scope)."""
    PERIODIC[name] = PeriodicSpec(name, every)


# --- the one entry point rq calls ------------------------------------------------------

_worker_app: Flask | None = None
_worker_app_lock = threading.Lock()


def _app() -> Flask:
    """The current app in-process; in an rq worker, one app per process, made on the
    first job (never at import time, unlike microblog's task module)."""
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    with _worker_app_lock:
        if _worker_app is None:
            from kpss import create_app

            _worker_app = create_app()
        return _worker_app


def execute(name: str, tenant_id: int | None, args: dict[str, Any]) -> Any:
    """Run job ``name`` in a fresh app context and session, bound to ``tenant_id``."""
    from kpss.extensions import db
    from kpss.tenancy.scoping import bind_tenant, platform_scope

    spec = JOBS[name]
    app = _app()
    with app.app_context():
        scope = (
            bind_tenant(tenant_id)
            if tenant_id is not None
            else platform_scope(f"platform job {name}")
        )
        try:
            with scope:
                result = spec.func(**args)
                db.session.commit()
                return result
        except BaseException:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


def execute_in(app: Flask, name: str, tenant_id: int | None = None, **args: Any) -> Any:
    """Run a job now in ``app`` (the CLI, tests, the in-process transport)."""
    with app.app_context():
        return execute(name, tenant_id, args)


# --- transports -----------------------------------------------------------------------


class QueueUnavailable(RuntimeError):
    """The transport could not take the job now (e.g. Redis is down)."""


class RQTransport:
    def __init__(self, redis_url: str) -> None:
        from redis import Redis

        # Short timeouts: a request must not hang when Redis is down; the outbox sweep
        # relays later.
        self.redis = Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=5)

    def queue(self, name: str):
        from rq import Queue

        return Queue(name, connection=self.redis)

    def enqueue(
        self,
        name: str,
        args: dict[str, Any],
        *,
        tenant_id: int | None,
        delay: float | None = None,
        queue: str | None = None,
    ) -> None:
        from redis.exceptions import RedisError

        q = self.queue(queue or JOBS[name].queue)
        meta = {"tenant_id": tenant_id, "job": name}
        try:
            if delay:
                q.enqueue_in(
                    timedelta(seconds=delay),
                    execute,
                    name,
                    tenant_id,
                    args,
                    meta=meta,
                    failure_ttl=7 * 24 * 3600,
                )
            else:
                q.enqueue_call(
                    execute, args=(name, tenant_id, args), meta=meta, failure_ttl=7 * 24 * 3600
                )
        except RedisError as exc:
            raise QueueUnavailable(str(exc)) from exc

    def run_worker(self, queues: list[str], *, burst: bool = False) -> None:
        """An rq worker with rq's scheduler, which runs delayed jobs (retries, offers)."""
        from rq import Worker

        Worker([self.queue(q) for q in queues], connection=self.redis).work(
            burst=burst, with_scheduler=True
        )

    def run_cron(self) -> None:
        """rq's cron scheduler for the periodic jobs (its own process: it installs
        signal handlers, which only the main thread may do)."""
        from rq.cron import CronScheduler

        cron = CronScheduler(connection=self.redis, name="kpss-cron")
        for spec in PERIODIC.values():
            cron.register(
                execute,
                "periodic",
                args=(spec.name, None, {}),
                interval=spec.interval,
                name=spec.name,
            )
        cron.start()


class InProcessTransport:
    """Embedded mode: same jobs, no server. Eager runs a job right after the commit that
    relayed it; otherwise one background thread works through them in order."""

    def __init__(self, app: Flask, *, eager: bool) -> None:
        self.app = app
        self.eager = eager
        self._pending: stdlib_queue.Queue[tuple[str, int | None, dict[str, Any]]] = (
            stdlib_queue.Queue()
        )
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def enqueue(
        self,
        name: str,
        args: dict[str, Any],
        *,
        tenant_id: int | None,
        delay: float | None = None,
        queue: str | None = None,
    ) -> None:
        if self.eager:
            # Delayed work in eager mode waits for the next sweep (tests call it).
            if not delay:
                self._run(name, tenant_id, args)
            return
        if delay:
            timer = threading.Timer(delay, self._pending.put, args=((name, tenant_id, args),))
            timer.daemon = True
            timer.start()
        else:
            self._pending.put((name, tenant_id, args))
        self._ensure_thread()

    def _run(self, name: str, tenant_id: int | None, args: dict[str, Any]) -> None:
        ctx = nullcontext() if has_app_context() else self.app.app_context()
        with ctx:
            try:
                execute(name, tenant_id, args)
            except Exception:
                log.exception("in-process job %s failed", name)

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="kpss-jobs", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            self._run(*self._pending.get())

    def start_periodic(self) -> None:
        """Run the periodic jobs on timers (``make run``)."""

        def tick(spec: PeriodicSpec) -> None:
            self._pending.put((spec.name, None, {}))
            timer = threading.Timer(spec.interval, tick, args=(spec,))
            timer.daemon = True
            timer.start()

        for spec in PERIODIC.values():
            tick(spec)
        self._ensure_thread()


def init_app(app: Flask) -> None:
    if app.config.get("REDIS_URL"):
        transport: Any = RQTransport(app.config["REDIS_URL"])
    else:
        transport = InProcessTransport(app, eager=app.config["KPSS_JOBS_EAGER"])
    app.extensions["kpss_queue"] = transport


def transport() -> RQTransport | InProcessTransport:
    return current_app.extensions["kpss_queue"]
