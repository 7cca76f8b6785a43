"""The repository when the database fails: one error kind, the context, never a password."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from integration_health.errors import DatabaseError, ErrorKind
from integration_health.storage import IntegrationHealthRepository, create_engine
from tests.storage.support import T0, Forwarder, event, record


async def test_ping_says_whether_the_database_answers(repo: IntegrationHealthRepository) -> None:
    unreachable = create_engine("postgresql://postgres:hunter2@127.0.0.1:1/test")
    try:
        assert (True, False) == (
            await repo.ping(),
            await IntegrationHealthRepository(unreachable).ping(),
        )
    finally:
        await unreachable.dispose()


@pytest.mark.parametrize(
    ("call", "context"),
    [
        (lambda r: r.get_latest_health("jira"), "Failed to fetch integration health"),
        (
            lambda r: r.get_health_history("jira", T0, T0),
            "Failed to fetch integration health history",
        ),
        (lambda r: r.store_health_status(record()), "Failed to store health status"),
        (lambda r: r.store_event(event()), "Failed to store event"),
        (lambda r: r.get_events("jira", T0, T0), "Failed to fetch integration events"),
        (lambda r: r.load_states(), "Failed to load integration state"),
        (lambda r: r.prune(T0), "Failed to prune integration_health"),
    ],
)
async def test_a_failing_database_raises_the_database_kind_with_context_and_cause(
    empty_database_url: URL,
    call: Callable[[IntegrationHealthRepository], Awaitable[object]],
    context: str,
) -> None:
    engine = create_engine(empty_database_url)
    try:
        with pytest.raises(DatabaseError) as raised:
            await call(IntegrationHealthRepository(engine))
    finally:
        await engine.dispose()

    assert (ErrorKind.DATABASE, context) == (raised.value.kind, str(raised.value))
    assert isinstance(raised.value.__cause__, SQLAlchemyError)


async def test_an_unreachable_database_raises_without_revealing_the_password() -> None:
    engine = create_engine("postgresql://monitor:hunter2@127.0.0.1:1/health")
    try:
        with pytest.raises(DatabaseError) as raised:
            await IntegrationHealthRepository(engine).get_latest_health("jira")
    finally:
        await engine.dispose()

    error = raised.value
    assert "Failed to fetch integration health" == str(error)
    assert error.detail.startswith("ConnectionRefusedError")
    assert isinstance(error.__cause__, OSError)
    assert "hunter2" not in f"{error} {error.detail} {error!r}"


@pytest.mark.postgres
async def test_a_query_after_the_server_dropped_its_connections_succeeds(
    postgres_database: URL,
) -> None:
    forwarder = Forwarder(postgres_database.host or "127.0.0.1", postgres_database.port or 5432)
    await forwarder.start()
    engine = create_engine(postgres_database.set(host="127.0.0.1", port=forwarder.port))
    repo = IntegrationHealthRepository(engine)
    try:
        await repo.store_health_status(record())
        await forwarder.cut()

        latest = await repo.get_latest_health("jira")
    finally:
        await engine.dispose()
        await forwarder.close()

    assert latest is not None
