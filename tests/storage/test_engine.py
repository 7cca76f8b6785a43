"""The engine: made without connecting, and SQLite tuned for a writer beside readers."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from integration_health.storage import create_engine
from integration_health.storage.engine import SQLITE_BUSY_TIMEOUT_MS


async def test_creating_an_engine_connects_to_nothing() -> None:
    engine = create_engine("postgresql://monitor:hunter2@127.0.0.1:1/health")

    assert "postgresql+asyncpg" == engine.url.drivername
    await engine.dispose()


async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'health.db'}")
    try:
        async with engine.connect() as connection:
            mode = await connection.scalar(text("PRAGMA journal_mode"))
            timeout = await connection.scalar(text("PRAGMA busy_timeout"))
    finally:
        await engine.dispose()

    assert ("wal", SQLITE_BUSY_TIMEOUT_MS) == (mode, timeout)


async def test_an_in_memory_sqlite_database_is_one_database_for_every_connection() -> None:
    engine = create_engine("sqlite://")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (x INTEGER)"))
            await connection.execute(text("INSERT INTO t VALUES (1)"))
        async with engine.connect() as connection:
            count = await connection.scalar(text("SELECT count(*) FROM t"))
    finally:
        await engine.dispose()

    assert 1 == count
