"""Storage fixtures: every test runs on SQLite and on PostgreSQL (see ``databases``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from integration_health.storage import IntegrationHealthRepository, create_engine
from integration_health.storage.urls import async_url
from tests.databases import empty_tables
from tests.storage.support import Clock, Forwarder, Outage


@pytest.fixture
def clock() -> Clock:
    """Return a clock that stands still until advanced."""
    return Clock()


@pytest.fixture
def repo(engine: AsyncEngine, clock: Clock) -> IntegrationHealthRepository:
    """Return a repository on the test's database, timed by ``clock``."""
    return IntegrationHealthRepository(engine, clock=clock)


@pytest.fixture
async def outage(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Outage]:
    """Return a database that is down until restored: a missing directory, or a silent port."""
    if backend == "sqlite":
        url = async_url(f"sqlite:///{tmp_path / 'not-yet' / 'health.db'}")
        target = create_engine(url)
        try:
            yield Outage(target, url)
        finally:
            await target.dispose()
        return
    postgres: URL = request.getfixturevalue("postgres_database")
    forwarder = Forwarder(postgres.host or "127.0.0.1", postgres.port or 5432)
    target = create_engine(postgres.set(host="127.0.0.1", port=forwarder.port))
    try:
        direct = create_engine(postgres)
        try:
            await empty_tables(direct)
        finally:
            await direct.dispose()
        yield Outage(target, forwarder)
    finally:
        await target.dispose()
        await forwarder.close()
