"""Reference data: the legal typology of social services (zákon 108/2006 Sb.), delivery
forms, target groups and age groups. Platform-wide (not tenant-owned): in Citus terms
these are reference tables, copied to every node."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from kpss.reference.cli import reference

    app.cli.add_command(reference)
