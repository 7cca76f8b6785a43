"""Schema migrations, run from code: the scripts ship inside the package, no alembic.ini.

A migration that fails raises ``DatabaseError`` ("Failed to migrate the database").
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import SQLAlchemyError

from integration_health.errors import DatabaseError
from integration_health.storage.engine import create_engine

MIGRATIONS = Path(__file__).parent / "migrations"


async def upgrade(url: str | URL, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision``, creating the tables if needed."""
    await _run(url, command.upgrade, revision)


async def downgrade(url: str | URL, revision: str = "base") -> None:
    """Migrate the database at ``url`` down to ``revision``; ``base`` drops every table."""
    await _run(url, command.downgrade, revision)


async def current_revision(url: str | URL) -> str | None:
    """Return the revision the database at ``url`` is at, or None before the first."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    finally:
        await engine.dispose()


def alembic_config(connection: Connection | None = None) -> Config:
    """Return an alembic configuration that finds the packaged scripts and uses ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def _run(url: str | URL, step: Callable[[Config, str], None], revision: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: step(alembic_config(sync), revision))
    except (SQLAlchemyError, OSError, CommandError) as exc:
        raise DatabaseError.wrapping(
            "Failed to migrate the database", exc, engine.url.password
        ) from exc
    finally:
        await engine.dispose()
