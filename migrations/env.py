"""Alembic environment for Flask-Migrate (``kpss db upgrade`` / ``kpss db migrate``)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from kpss.db import migration_filter, render_migration_item

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def _configure_args(dialect):
    return {
        "target_metadata": db.metadata,
        "include_object": migration_filter(dialect),
        "render_item": render_migration_item,
        "compare_type": True,
        # SQLite cannot ALTER most things: batch mode recreates the table instead.
        "render_as_batch": True,
        **current_app.extensions["migrate"].configure_args,
    }


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        literal_binds=True,
        **_configure_args(db.engine.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def skip_empty(context_, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    args = _configure_args(db.engine.dialect.name)
    args.setdefault("process_revision_directives", skip_empty)
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild a table (create, copy, drop, rename). With foreign
            # keys on, dropping the old table would cascade into the rows that reference
            # it. The PRAGMA works only outside a transaction: on the raw connection.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            context.configure(connection=connection, **args)
            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                connection.rollback()
                if broken:
                    raise RuntimeError(f"migration left broken references: {broken[:5]}")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
