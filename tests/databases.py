"""Database fixtures: each test on SQLite and on PostgreSQL, in a database of its own.

PostgreSQL comes from ``TEST_DATABASE_URL`` (default: the local server's ``test`` database);
the run creates a database ``ih_test_<random>`` beside it and drops it at the end. Without a
reachable server the PostgreSQL cases are skipped, or fail when ``CI=true``.

``tests/conftest.py`` registers this module as a plugin, so every test can use them.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from integration_health.storage import create_engine, redact, upgrade
from integration_health.storage.tables import metadata
from integration_health.storage.urls import async_url
from tests.storage.support import admin

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def postgres_server() -> URL:
    """Return the URL of a reachable PostgreSQL server, or skip (fail under CI)."""
    url = async_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES))
    try:
        asyncio.run(admin(url, "SELECT 1"))
    except (OSError, SQLAlchemyError) as exc:
        reason = (
            f"PostgreSQL at {redact(url)} is unreachable ({type(exc).__name__}): start it or "
            "set TEST_DATABASE_URL"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return url


def _create_database(server: URL) -> URL:
    name = f"ih_test_{uuid4().hex[:12]}"
    asyncio.run(admin(server, f'CREATE DATABASE "{name}"'))
    return server.set(database=name)


def _drop(url: URL) -> str:
    return f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'


@pytest.fixture(scope="session")
def postgres_database(postgres_server: URL) -> Iterator[URL]:
    """Return a migrated PostgreSQL database that lives as long as the test run."""
    url = _create_database(postgres_server)
    try:
        asyncio.run(upgrade(url))
        yield url
    finally:
        asyncio.run(admin(postgres_server, _drop(url)))


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def backend(request: pytest.FixtureRequest) -> str:
    """Return the name of the database the test runs on."""
    name: str = request.param
    return name


@pytest.fixture
def empty_database_url(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[URL]:
    """Return the URL of a database of this test's own, without any table."""
    if backend == "sqlite":
        yield async_url(f"sqlite:///{tmp_path / 'empty.db'}")
        return
    server: URL = request.getfixturevalue("postgres_server")
    url = _create_database(server)
    try:
        yield url
    finally:
        asyncio.run(admin(server, _drop(url)))


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> URL:
    """Return the URL of a migrated database whose tables the ``engine`` fixture empties."""
    if backend == "sqlite":
        url = async_url(f"sqlite:///{tmp_path / 'health.db'}")
        asyncio.run(upgrade(url))
        return url
    postgres: URL = request.getfixturevalue("postgres_database")
    return postgres


@pytest.fixture
async def engine(database_url: URL) -> AsyncIterator[AsyncEngine]:
    """Return an engine on ``database_url``, every table empty."""
    engine = create_engine(database_url)
    try:
        await empty_tables(engine)
        yield engine
    finally:
        await engine.dispose()


async def empty_tables(engine: AsyncEngine) -> None:
    """Delete every row of every table."""
    async with engine.begin() as connection:
        for table in metadata.sorted_tables:
            await connection.execute(table.delete())
