"""What each capability adds to the shared pages: navigation entries and home panels.

Capabilities register here at import time; the layout and the tenant home page read
the registries, so adding a capability touches no shared template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any  # a lazy translated string
    order: int
    permission: str | None = None


PUBLIC_NAV: list[NavItem] = []
ADMIN_NAV: list[NavItem] = []
#: (order, function(tenant) -> (template, context) | None)
HOME_PANELS: list[tuple[int, Callable[[Any], tuple[str, dict] | None]]] = []


def _add(registry: list[NavItem], item: NavItem) -> None:
    if any(existing.endpoint == item.endpoint for existing in registry):
        return
    registry.append(item)
    registry.sort(key=lambda i: i.order)


def public_nav(endpoint: str, label: Any, order: int) -> None:
    _add(PUBLIC_NAV, NavItem(endpoint, label, order))


def admin_nav(endpoint: str, label: Any, order: int, permission: str = "tenant.admin") -> None:
    _add(ADMIN_NAV, NavItem(endpoint, label, order, permission))


def home_panel(order: int) -> Callable:
    def register(func: Callable[[Any], tuple[str, dict] | None]) -> Callable:
        if func not in [f for _, f in HOME_PANELS]:
            HOME_PANELS.append((order, func))
            HOME_PANELS.sort(key=lambda p: p[0])
        return func

    return register
