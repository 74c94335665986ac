"""Settings from the environment; production refuses to start without a real secret."""

import pytest

from kpss.config import ConfigError, from_environment, normalise_database_url


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("KPSS_ENV", "production")
    monkeypatch.setenv("KPSS_DATABASE_URL", "postgresql://db/kpss")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        from_environment(str(tmp_path))


def test_production_refuses_a_short_or_embedded_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("KPSS_ENV", "production")
    monkeypatch.setenv("KPSS_DATABASE_URL", "postgresql://db/kpss")
    for weak in ("short", "embedded-" + "a" * 64):
        monkeypatch.setenv("SECRET_KEY", weak)
        with pytest.raises(ConfigError):
            from_environment(str(tmp_path))


def test_production_refuses_sqlite(monkeypatch, tmp_path):
    monkeypatch.setenv("KPSS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.delenv("KPSS_DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="PostgreSQL"):
        from_environment(str(tmp_path))


def test_production_with_real_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("KPSS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("KPSS_DATABASE_URL", "postgres://u@db/kpss")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    config = from_environment(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/kpss"
    assert config["REDIS_URL"] == "redis://cache:6379/0"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"


def test_embedded_defaults_need_no_servers(monkeypatch, tmp_path):
    for name in ("KPSS_ENV", "SECRET_KEY", "KPSS_DATABASE_URL", "REDIS_URL", "KPSS_SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    config = from_environment(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert config["REDIS_URL"] is None
    assert config["KPSS_SMTP_HOST"] is None  # mail goes to a folder
    assert config["KPSS_MAIL_DIR"] == str(tmp_path / "mail")
    # the embedded secret is generated once and kept
    assert from_environment(str(tmp_path))["SECRET_KEY"] == config["SECRET_KEY"]


def test_database_url_spellings():
    assert normalise_database_url("postgres://x/y") == "postgresql+psycopg://x/y"
    assert normalise_database_url("postgresql://x/y") == "postgresql+psycopg://x/y"
    assert normalise_database_url("sqlite:///a.db") == "sqlite:///a.db"
