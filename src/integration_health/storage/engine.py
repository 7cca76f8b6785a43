"""The async engine: one per process, created from a user's database URL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from integration_health.storage.urls import async_url, is_memory, is_sqlite

SQLITE_BUSY_TIMEOUT_MS = 5_000
CONNECT_TIMEOUT_S = 5.0
COMMAND_TIMEOUT_S = 30.0
"""A statement still unanswered after this long fails instead of stalling its caller."""


def create_engine(
    url: str | URL, *, pool_size: int = 10, max_overflow: int = 10, echo: bool = False
) -> AsyncEngine:
    """Return an engine for ``url`` (sqlite:// or postgresql://); it connects on first use."""
    # hide_parameters: logged errors would otherwise carry row values, and an upstream's
    # error message stored in history may quote a credential.
    target = async_url(url)
    if is_sqlite(target):
        return _sqlite_engine(target, echo=echo)
    return create_async_engine(
        target,
        echo=echo,
        hide_parameters=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=CONNECT_TIMEOUT_S,
        # No pool_pre_ping: on asyncpg it costs three round trips per checkout, more than
        # the query itself. The repository retries once on a connection that died instead.
        pool_recycle=1_800,
        connect_args={"timeout": CONNECT_TIMEOUT_S, "command_timeout": COMMAND_TIMEOUT_S},
    )


def _sqlite_engine(url: URL, *, echo: bool) -> AsyncEngine:
    if is_memory(url):
        # Every connection to :memory: is a new, empty database: share exactly one. Good
        # for demos and tests; a service that writes while it serves wants a file.
        engine = create_async_engine(url, echo=echo, hide_parameters=True, poolclass=StaticPool)
    else:
        engine = create_async_engine(url, echo=echo, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _tune_sqlite)
    return engine


def _tune_sqlite(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # WAL lets API reads run while the writer commits; the busy timeout makes a writer
    # wait for another's lock instead of failing at once with "database is locked";
    # synchronous=NORMAL is safe under WAL and may lose only the last commits on power loss.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()
