"""Fixtures: an app on SQLite (default) or on the PostgreSQL/Redis named by
KPSS_TEST_DATABASE_URL / KPSS_TEST_REDIS_URL, two tenants, users of every role,
a mailbox, a query counter.

The schema is built once per run by the real migrations; each test gets a new app and
the tables are emptied after it.
"""

from __future__ import annotations

import email
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from sqlalchemy import event, text

_SESSION_TMP = Path(tempfile.mkdtemp(prefix="kpss-tests-"))
# Before the app is imported: no embedded secret file in the repository, no stray env.
os.environ["KPSS_INSTANCE_PATH"] = str(_SESSION_TMP / "instance")
os.environ["SECRET_KEY"] = "test-secret-key-" + "x" * 32
os.environ.pop("REDIS_URL", None)
os.environ.pop("KPSS_DATABASE_URL", None)
os.environ["KPSS_ENV"] = "test"

from kpss import create_app  # noqa: E402
from kpss.config import normalise_database_url  # noqa: E402
from kpss.extensions import db  # noqa: E402
from kpss.tenancy.scoping import bind_tenant, platform_scope  # noqa: E402

pytest_plugins = ["tests.meetings_support", "tests.proposals_support"]

DATABASE_URL = os.environ.get("KPSS_TEST_DATABASE_URL") or ""
REDIS_URL = os.environ.get("KPSS_TEST_REDIS_URL") or ""
ON_POSTGRES = DATABASE_URL.startswith("postgres")
PASSWORD = "heslo-pro-testy-123"
CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set KPSS_TEST_DATABASE_URL"))
        if "redis" in item.keywords and not REDIS_URL:
            item.add_marker(pytest.mark.skip(reason="needs Redis: set KPSS_TEST_REDIS_URL"))
        if "browser" in item.keywords and not Path(CHROMIUM).exists():
            item.add_marker(
                pytest.mark.skip(reason=f"no browser at {CHROMIUM} (.ci/run installs chromium)")
            )


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_SESSION_TMP, ignore_errors=True)


def base_config(database_url: str, tmp: Path) -> dict:
    return {
        "TESTING": True,
        "KPSS_ENV": "test",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": None,
        "KPSS_JOBS_EAGER": True,
        "KPSS_MAIL_DIR": str(tmp / "mail"),
        "KPSS_UPLOAD_DIR": str(tmp / "uploads"),
        "KPSS_BASE_URL": "http://kpss.test",
        "WTF_CSRF_ENABLED": False,
        "KPSS_RATE_LIMITS": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # argon2 at its cheapest: the suite signs people in hundreds of times
        "KPSS_ARGON2": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
    }


@pytest.fixture(scope="session")
def database_url() -> str:
    """Migrate an empty database once per run, with the project's real migrations."""
    from flask_migrate import upgrade

    if DATABASE_URL:
        url = normalise_database_url(DATABASE_URL)
    else:
        url = f"sqlite:///{_SESSION_TMP / 'kpss-test.sqlite3'}"
    app = create_app(base_config(url, _SESSION_TMP))
    with app.app_context():
        if ON_POSTGRES:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()
    return url


def _empty_tables() -> None:
    # Reference tables (code lists the migrations seed, table.info["reference"]) stay.
    tables = [
        t
        for t in reversed(db.metadata.sorted_tables)
        if t.name != "kpss_id_counter" and not t.info.get("reference")
    ]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def app_factory(app, database_url, tmp_path):
    """Build an app with config overrides. It shares the default app's mailbox and
    upload folder (emptied for each test) and its tables are emptied with them."""
    built = []

    def make(**overrides):
        shared = {key: app.config[key] for key in ("KPSS_MAIL_DIR", "KPSS_UPLOAD_DIR")}
        new = create_app({**base_config(database_url, tmp_path), **shared, **overrides})
        built.append(new)
        return new

    yield make
    for new in built:
        with new.app_context():
            db.engine.dispose()
    if built:
        from kpss.extensions import limiter

        # The Limiter is one object: the last app built chose its store. Give it back.
        limiter.init_app(app)


@pytest.fixture(scope="session")
def shared_app(database_url, tmp_path_factory):
    """Building an app compiles every route (~0.25 s): the default one is built once."""
    app = create_app(base_config(database_url, tmp_path_factory.mktemp("shared-app")))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(shared_app):
    """The default app, with empty tables, mailbox and upload folder for each test.
    Tests that need other settings use ``app_factory``."""
    from kpss.extensions import limiter

    for key in ("KPSS_MAIL_DIR", "KPSS_UPLOAD_DIR"):
        shutil.rmtree(shared_app.config[key], ignore_errors=True)
    with shared_app.app_context():
        limiter.reset()  # counts of an earlier test's limits
    yield shared_app
    with shared_app.app_context():
        _empty_tables()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- tenants and people --------------------------------------------------------------


@dataclass(frozen=True)
class TenantRef:
    id: int
    slug: str
    name: str


def make_tenant(
    slug: str,
    name: str,
    *,
    region: str = "Testovací kraj",
    active: bool = True,
    territory: tuple[tuple[str, str], ...] = (),
) -> TenantRef:
    from kpss.tenancy.models import Tenant, TenantKind, TerritoryMunicipality

    with platform_scope("test setup"):
        tenant = Tenant(
            slug=slug,
            name=name,
            kind=TenantKind.MUNICIPALITY,
            region=region,
            contact_name="Koordinátor",
            contact_email=f"kpss@{slug}.example.cz",
            active=active,
        )
        db.session.add(tenant)
        db.session.flush()
        ref = TenantRef(tenant.id, slug, name)
    with bind_tenant(ref.id):
        for i, (code, mname) in enumerate(territory):
            db.session.add(TerritoryMunicipality(code=code, name=mname, is_seat=i == 0))
        db.session.commit()
    return ref


@pytest.fixture
def tenant_a(app) -> TenantRef:
    with app.app_context():
        return make_tenant("alfa", "Alfov", territory=(("500001", "Alfov"), ("500002", "Čáslavky")))


@pytest.fixture
def tenant_b(app) -> TenantRef:
    with app.app_context():
        return make_tenant("beta", "Betov", region="Jiný kraj", territory=(("600001", "Betov"),))


@dataclass(frozen=True)
class UserRef:
    id: int
    email: str
    name: str


def make_user(
    email_addr: str,
    *,
    roles: dict[int, list] | None = None,
    operator: bool = False,
    password: str = PASSWORD,
) -> UserRef:
    from kpss.auth.services import create_user, grant_role

    with platform_scope("test setup"):
        user = create_user(
            email_addr, email_addr.split("@")[0].title(), password, is_operator=operator
        )
        db.session.commit()
        ref = UserRef(user.id, user.email, user.name)
    for tenant_id, tenant_roles in (roles or {}).items():
        with bind_tenant(tenant_id):
            for role in tenant_roles:
                grant_role(db.session.get(type(user), ref.id), role)
            db.session.commit()
    return ref


@pytest.fixture
def coordinator_a(app, tenant_a) -> UserRef:
    from kpss.auth.models import Role

    with app.app_context():
        return make_user("koordinator@alfa.example.cz", roles={tenant_a.id: [Role.COORDINATOR]})


@pytest.fixture
def coordinator_b(app, tenant_b) -> UserRef:
    from kpss.auth.models import Role

    with app.app_context():
        return make_user("koordinator@beta.example.cz", roles={tenant_b.id: [Role.COORDINATOR]})


@pytest.fixture
def users_a(app, tenant_a) -> dict:
    """One user of each role in tenant A (plus one with none), keyed by role value."""
    from kpss.auth.models import Role

    with app.app_context():
        users = {
            role.value: make_user(f"{role.value}@alfa.example.cz", roles={tenant_a.id: [role]})
            for role in Role
        }
        users["none"] = make_user("nikdo@alfa.example.cz")
    return users


def login(client, user: UserRef | str, password: str = PASSWORD):
    address = user if isinstance(user, str) else user.email
    return client.post("/prihlaseni", data={"email": address, "password": password})


@contextmanager
def in_tenant(app, tenant: TenantRef) -> Iterator[None]:
    with app.app_context(), bind_tenant(tenant.id):
        yield


# --- observing side effects -------------------------------------------------------------


class Mailbox:
    """The mails the embedded mail transport wrote to KPSS_MAIL_DIR."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @property
    def messages(self) -> list[EmailMessage]:
        if not self.folder.exists():
            return []
        return [
            email.message_from_bytes(p.read_bytes(), policy=default_policy)
            for p in sorted(self.folder.glob("*.eml"))
        ]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def text(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    def __len__(self) -> int:
        return len(self.messages)


@pytest.fixture
def mailbox(app) -> Mailbox:
    return Mailbox(Path(app.config["KPSS_MAIL_DIR"]))


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries(app) -> Iterator[QueryCounter]:
    """Count SQL statements the app runs (N+1 shows as a count that grows with data)."""
    counter = QueryCounter()
    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
            counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)
