"""Accounts: creating users, passwords, sign-in, password reset, roles, API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import contains_eager

from kpss.auth.models import ApiToken, Membership, Role, User
from kpss.auth.permissions import forget_roles
from kpss.db import utcnow
from kpss.errors import Conflict, DomainError, ValidationFailed
from kpss.extensions import db
from kpss.notifications import mail
from kpss.notifications.outbox import defer
from kpss.queue import job
from kpss.tenancy.scoping import require_tenant_id


@cache
def _hasher_for(params: tuple) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(**dict(params))
    # Verified against when the e-mail is unknown, so a wrong address costs the same time
    # as a wrong password (no account enumeration by timing).
    return hasher, hasher.hash(secrets.token_hex(16))


def _hasher() -> PasswordHasher:
    return _hasher_for(_argon2_params())[0]


def _dummy_hash() -> str:
    return _hasher_for(_argon2_params())[1]


def _argon2_params() -> tuple:
    """argon2's cost from ``KPSS_ARGON2`` (the test suite makes it cheap); the library's
    defaults otherwise."""
    return tuple(sorted((current_app.config.get("KPSS_ARGON2") or {}).items()))


MIN_PASSWORD_LENGTH = 10


class InvalidToken(DomainError):
    code = "invalid_token"
    default_message = _l("Odkaz pro obnovu hesla je neplatný nebo vypršel. Požádejte o nový.")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    return db.session.execute(
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def check_password_policy(password: str, email: str = "") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            {"password": [str(_l("Heslo musí mít alespoň %(n)d znaků.", n=MIN_PASSWORD_LENGTH))]}
        )
    if email and password.strip().lower() == normalise_email(email):
        raise ValidationFailed({"password": [str(_l("Heslo nesmí být stejné jako e-mail."))]})


def create_user(
    email: str, name: str, password: str | None = None, *, is_operator: bool = False
) -> User:
    email = normalise_email(email)
    if find_user(email) is not None:
        raise Conflict(_l("Účet s tímto e-mailem už existuje."), field="email")
    user = User(email=email, name=name.strip(), is_operator=is_operator)
    if password is not None:
        check_password_policy(password, email)
        user.password_hash = _hasher().hash(password)
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    check_password_policy(password, user.email)
    user.password_hash = _hasher().hash(password)
    user.session_version = (user.session_version or 0) + 1


def authenticate(email: str, password: str) -> User | None:
    """The user with this e-mail and password, or None — one answer for every failure."""
    user = find_user(email)
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    try:
        _hasher().verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.password_hash or not user.active:
        return None
    if _hasher().check_needs_rehash(stored):
        user.password_hash = _hasher().hash(password)
    user.last_login_at = utcnow()
    return user


def user_by_session_id(session_id: str) -> User | None:
    """Flask-Login's loader: ``"<id>:<session_version>"``; an old version is signed out."""
    try:
        user_id, version = (int(part) for part in session_id.split(":", 1))
    except (ValueError, AttributeError):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    return user


# --- password reset and invitations -----------------------------------------------------
# Both are a signed, expiring link to the "set your password" page. The token names its
# purpose and is tied to the current password, so it stops working once used.

TOKEN_MAX_AGE = {"reset": None, "invite": 7 * 24 * 3600}  # None: KPSS_PASSWORD_RESET_MAX_AGE


def _token_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="kpss-password-token")


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "-").encode()).hexdigest()[:16]


def _max_age(purpose: str) -> int:
    return TOKEN_MAX_AGE.get(purpose) or current_app.config["KPSS_PASSWORD_RESET_MAX_AGE"]


def make_password_token(user: User, purpose: str = "reset") -> str:
    return _token_serializer().dumps({"u": user.id, "p": _password_fingerprint(user), "k": purpose})


def user_for_password_token(token: str) -> tuple[User, str]:
    """The user and purpose of a valid token; raises :class:`InvalidToken` otherwise."""
    serializer = _token_serializer()
    try:
        data, signed_at = serializer.loads(token, return_timestamp=True)
    except BadSignature as exc:
        raise InvalidToken() from exc
    purpose = data.get("k", "reset") if isinstance(data, dict) else ""
    if purpose not in TOKEN_MAX_AGE or (utcnow() - signed_at).total_seconds() > _max_age(purpose):
        raise InvalidToken()
    user = db.session.get(User, data.get("u"))
    if (
        user is None
        or not user.active
        or not hmac.compare_digest(str(data.get("p", "")), _password_fingerprint(user))
    ):
        raise InvalidToken()
    return user, purpose


def request_password_reset(email: str, *, locale: str = "cs") -> None:
    """Queue a reset e-mail if the address has an account; say nothing either way."""
    user = find_user(email)
    if user is None or not user.active:
        return
    defer("auth.send_password_reset", tenant_id=None, user_id=user.id, locale=locale)


@job("auth.send_password_reset", queue="mail")
def send_password_reset(user_id: int, locale: str = "cs") -> None:
    """The token is made now, at sending time, so no secret waits in the outbox."""
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return
    context = {
        "name": user.name,
        "reset_url": mail.external_url(
            "auth.reset_password", token=make_password_token(user, "reset")
        ),
        "minutes": _max_age("reset") // 60,
    }
    mail.send(mail.render(user.email, "auth/password_reset", context, locale=locale))


def reset_password(token: str, password: str) -> User:
    user, _purpose = user_for_password_token(token)
    set_password(user, password)
    return user


# --- roles -----------------------------------------------------------------------------


def grant_role(user: User, role: Role) -> Membership:
    """Give ``user`` a role in the bound tenant (idempotent)."""
    require_tenant_id()
    existing = db.session.execute(
        select(Membership).where(Membership.user_id == user.id, Membership.role == role)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    membership = Membership(user_id=user.id, role=role)
    db.session.add(membership)
    db.session.flush()
    forget_roles()
    return membership


def revoke_role(user: User, role: Role) -> bool:
    membership = db.session.execute(
        select(Membership).where(Membership.user_id == user.id, Membership.role == role)
    ).scalar_one_or_none()
    if membership is None:
        return False
    db.session.delete(membership)
    forget_roles()
    return True


def invite(email: str, name: str, role: Role, *, actor: User) -> Membership:
    """Give a person a role in the bound tenant; a new person gets an account and an
    e-mail to set a password, an existing one is told of the new role."""
    from kpss.auth.permissions import require

    require("tenant.manage", user=actor)
    user = find_user(email) or create_user(email, name)
    membership = grant_role(user, role)
    defer(
        "auth.send_invitation",
        dedupe_key=f"invite:{membership.tenant_id}:{user.id}:{role.value}",
        user_id=user.id,
        role=role.value,
        invited_by=actor.name,
    )
    return membership


@job("auth.send_invitation", queue="mail")
def send_invitation(user_id: int, role: str, invited_by: str) -> None:
    from kpss.tenancy.models import Tenant
    from kpss.tenancy.scoping import require_tenant_id

    user = db.session.get(User, user_id)
    tenant = db.session.get(Tenant, require_tenant_id())
    if user is None or tenant is None or not user.active:
        return
    if user.password_hash:
        action_url = mail.external_url("tenancy.admin_home", tenant_slug=tenant.slug)
    else:
        action_url = mail.external_url(
            "auth.reset_password", token=make_password_token(user, "invite")
        )
    context = {
        "name": user.name,
        "tenant_name": tenant.name,
        "role": role,
        "invited_by": invited_by,
        "action_url": action_url,
        "needs_password": not user.password_hash,
        "days": TOKEN_MAX_AGE["invite"] // 86400,
    }
    mail.send(mail.render(user.email, "auth/invitation", context, locale=user.locale))


def members() -> list[tuple[User, list[Role]]]:
    """People with a role in the bound tenant, with their roles."""
    rows = db.session.execute(
        select(Membership)
        .join(Membership.user)
        .options(contains_eager(Membership.user))
        .order_by(User.name, Membership.role)
    ).scalars()
    by_user: dict[int, tuple[User, list[Role]]] = {}
    for membership in rows:
        by_user.setdefault(membership.user_id, (membership.user, []))[1].append(membership.role)
    return list(by_user.values())


def remove_member(user_id: int, *, actor: User) -> bool:
    """Take every role of ``user_id`` in the bound tenant (a coordinator cannot remove
    themself, so a tenant is never left without one by accident)."""
    from kpss.auth.permissions import require

    require("tenant.manage", user=actor)
    if user_id == actor.id:
        raise Conflict(_l("Sami sebe odebrat nemůžete; požádejte jiného koordinátora."))
    rows = db.session.execute(select(Membership).where(Membership.user_id == user_id)).scalars()
    removed = False
    for membership in rows:
        db.session.delete(membership)
        removed = True
    forget_roles()
    return removed


def tenants_of(user: User) -> list[tuple[object, list[Role]]]:
    """Every tenant where ``user`` has a role (the account page, the landing after login)."""
    from kpss.tenancy.models import Tenant
    from kpss.tenancy.scoping import platform_scope

    with platform_scope("a person's own roles across tenants"):
        rows = db.session.execute(
            select(Tenant, Membership.role)
            .join(Membership, Membership.tenant_id == Tenant.id)
            .where(Membership.user_id == user.id, Tenant.active.is_(True))
            .order_by(Tenant.name)
        ).all()
    out: dict[int, tuple[object, list[Role]]] = {}
    for tenant, role in rows:
        out.setdefault(tenant.id, (tenant, []))[1].append(role)
    return list(out.values())


# --- API tokens ------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(user: User, name: str) -> str:
    """Returns the token once; only its hash is stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed({"name": [str(_l("Pojmenujte klíč, ať víte, k čemu slouží."))]})
    token = "kpss_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, name=name[:100], token_hash=_token_hash(token)))
    return token


def api_token_for(token: str) -> ApiToken | None:
    """The live token row for a ``Bearer`` value (its user active), or None."""
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _token_hash(token))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    return row


def token_needs_touch(row: ApiToken) -> bool:
    """``last_used_at`` is kept to the minute, not rewritten on every request."""
    return row.last_used_at is None or utcnow() - row.last_used_at > timedelta(minutes=1)


def touch_api_token(token_id: int) -> None:
    """Record that a token was used, in a transaction of its own: called when the
    request's session is closed (a read-only request commits nothing, and on SQLite a
    second connection's commit would stop the request's own later writes)."""
    with db.engine.begin() as conn:
        conn.execute(
            update(ApiToken.__table__)
            .where(ApiToken.__table__.c.id == token_id)
            .values(last_used_at=utcnow())
        )


def revoke_api_token(user: User, token_id: int) -> bool:
    row = db.session.execute(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True


def api_tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.execute(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at)
        ).scalars()
    )
