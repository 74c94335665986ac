"""Settings, read from the environment in one place (as Redash does).

Two modes: ``embedded`` (the default: SQLite file, in-process jobs, mail written to a
folder) and ``production`` (PostgreSQL, Redis, SMTP), plus ``test`` for the suite.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

#: Repository root: templates/, tenants/ and migrations/ live next to platform/.
PROJECT_ROOT = Path(__file__).resolve().parents[2]

DEV_SECRET_PREFIX = "embedded-"  # noqa: S105  (a marker, not a secret)


class ConfigError(RuntimeError):
    """The environment does not describe a runnable instance."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ano"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def normalise_database_url(url: str) -> str:
    """Accept the usual ``postgres://`` spellings and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def from_environment(instance_path: str) -> dict:
    env = os.environ.get("KPSS_ENV", "embedded").strip().lower()
    if env not in {"embedded", "production", "test"}:
        raise ConfigError(f"KPSS_ENV must be embedded, production or test, not {env!r}")
    instance = Path(instance_path)

    secret = os.environ.get("SECRET_KEY", "")
    if env == "production":
        if len(secret) < 32 or secret.startswith(DEV_SECRET_PREFIX):
            raise ConfigError(
                "SECRET_KEY must be set to a random value of at least 32 characters "
                "in production (e.g. python -c 'import secrets; print(secrets.token_hex(32))')"
            )
    elif not secret:
        # Embedded: a per-instance secret kept in the instance folder, so sessions
        # survive restarts of `make run` but no two installations share one.
        secret = _embedded_secret(instance)

    database_url = os.environ.get("KPSS_DATABASE_URL") or f"sqlite:///{instance / 'kpss.sqlite3'}"
    redis_url = os.environ.get("REDIS_URL") or None
    if env == "production" and database_url.startswith("sqlite"):
        raise ConfigError("production needs KPSS_DATABASE_URL pointing at PostgreSQL")

    return {
        "KPSS_ENV": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "REDIS_URL": redis_url,
        "KPSS_BASE_URL": os.environ.get("KPSS_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # Mail: SMTP when KPSS_SMTP_HOST is set, otherwise files in KPSS_MAIL_DIR.
        "KPSS_MAIL_FROM": os.environ.get("KPSS_MAIL_FROM", "KPSS <noreply@kpss.example.cz>"),
        "KPSS_SMTP_HOST": os.environ.get("KPSS_SMTP_HOST") or None,
        "KPSS_SMTP_PORT": _int("KPSS_SMTP_PORT", 587),
        "KPSS_SMTP_USER": os.environ.get("KPSS_SMTP_USER") or None,
        "KPSS_SMTP_PASSWORD": os.environ.get("KPSS_SMTP_PASSWORD") or None,
        "KPSS_SMTP_STARTTLS": _bool(os.environ.get("KPSS_SMTP_STARTTLS"), True),
        "KPSS_MAIL_DIR": os.environ.get("KPSS_MAIL_DIR") or str(instance / "mail"),
        "KPSS_UPLOAD_DIR": os.environ.get("KPSS_UPLOAD_DIR") or str(instance / "uploads"),
        # In-process jobs: run right after commit (tests) or on a background thread.
        "KPSS_JOBS_EAGER": _bool(os.environ.get("KPSS_JOBS_EAGER"), False),
        "KPSS_JOB_MAX_ATTEMPTS": _int("KPSS_JOB_MAX_ATTEMPTS", 6),
        "RATELIMIT_STORAGE_URI": os.environ.get("KPSS_RATELIMIT_STORAGE_URI")
        or (redis_url or "memory://"),
        "KPSS_RATE_LIMITS": _bool(os.environ.get("KPSS_RATE_LIMITS"), True),
        "KPSS_LOGIN_RATE_LIMIT": os.environ.get("KPSS_LOGIN_RATE_LIMIT", "10 per minute"),
        # Reverse proxies in front of the app (nginx: 1). Their X-Forwarded-For names the
        # client, so rate limits count people, not the proxy's address.
        "KPSS_TRUSTED_PROXIES": _int("KPSS_TRUSTED_PROXIES", 0),
        # A rate-limit store that is down (Redis) must not refuse a request: count in
        # memory meanwhile, and never turn a storage error into a 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # Public comments on drafts (kpss.comments): stored comments per address, the
        # largest attachment, and how long commenters' e-mails are kept after the
        # settlement is published.
        "KPSS_COMMENT_RATE_LIMIT": os.environ.get("KPSS_COMMENT_RATE_LIMIT", "10 per hour"),
        "KPSS_COMMENT_ATTACHMENT_MAX_BYTES": _int(
            "KPSS_COMMENT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024
        ),
        "KPSS_COMMENT_RETENTION_DAYS": _int("KPSS_COMMENT_RETENTION_DAYS", 365),
        "KPSS_PASSWORD_RESET_MAX_AGE": _int("KPSS_PASSWORD_RESET_MAX_AGE", 3600),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "MAX_CONTENT_LENGTH": _int("KPSS_MAX_UPLOAD_BYTES", 20 * 1024 * 1024),
        "BABEL_DEFAULT_LOCALE": "cs",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Prague",
        "KPSS_LOCALES": ("cs", "en"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }


def _embedded_secret(instance: Path) -> str:
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    value = DEV_SECRET_PREFIX + secrets.token_hex(32)
    path.write_text(value)
    path.chmod(0o600)
    return value
