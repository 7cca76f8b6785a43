"""The history writer: batches, a bounded buffer, and rows kept through a database outage."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from integration_health.domain import HealthRecord, HealthStatus, IntegrationHealth
from integration_health.storage import (
    HistoryWriter,
    IntegrationHealthRepository,
    create_engine,
    upgrade,
)
from tests.storage.support import T0, Outage, event, eventually, record

LOGGER = "integration_health.storage"
MINUTE = timedelta(minutes=1)


def minutes(n: int) -> list[datetime]:
    """Return ``n`` check times a minute apart, oldest first."""
    return [T0 + i * MINUTE for i in range(n)]


async def stored_times(repo: IntegrationHealthRepository) -> list[datetime]:
    """Return the check times of jira's stored rows, oldest first."""
    history = await repo.get_health_history("jira", T0 - MINUTE, T0 + 1_000 * MINUTE)
    return sorted(r.last_checked for r in history)


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Return the error lines the storage logger wrote."""
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelname == "ERROR"]


async def test_a_flush_writes_rows_events_and_states(repo: IntegrationHealthRepository) -> None:
    writer = HistoryWriter(repo)
    writer.add_record(record(at=T0))
    writer.add_event(event(at=T0))
    writer.add_state(IntegrationHealth("jira", HealthStatus.ONLINE, T0))

    written = await writer.flush_once()

    assert (3, 0, True) == (written, writer.pending, writer.healthy)
    assert [T0] == await stored_times(repo)
    assert 1 == len(await repo.get_events("jira", T0, T0))
    assert ["jira"] == [s.integration for s in await repo.load_states()]


async def test_it_writes_one_statement_per_batch(
    repo: IntegrationHealthRepository, engine: AsyncEngine
) -> None:
    inserts: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("INSERT INTO integration_health"):
            inserts.append(statement)

    sa_event.listen(engine.sync_engine, "before_cursor_execute", count)
    writer = HistoryWriter(repo, batch_size=2)
    for at in minutes(5):
        writer.add_record(record(at=at))

    await writer.flush_once()

    assert 3 == len(inserts)
    assert minutes(5) == await stored_times(repo)


async def test_states_keep_only_the_latest_per_integration(
    repo: IntegrationHealthRepository,
) -> None:
    writer = HistoryWriter(repo)
    writer.add_state(IntegrationHealth("jira", HealthStatus.OFFLINE, T0, consecutive_failures=1))
    latest = IntegrationHealth("jira", HealthStatus.OFFLINE, T0 + MINUTE, consecutive_failures=2)
    writer.add_state(latest)

    assert 1 == writer.pending
    await writer.flush_once()
    assert [latest] == await repo.load_states()


async def test_a_full_buffer_drops_the_oldest_rows_and_says_so_once(
    repo: IntegrationHealthRepository, caplog: pytest.LogCaptureFixture
) -> None:
    writer = HistoryWriter(repo, max_pending=3)
    for at in minutes(5):
        writer.add_record(record(at=at))

    assert 3 == writer.pending
    await writer.flush_once()
    await writer.flush_once()

    assert minutes(5)[2:] == await stored_times(repo)
    assert ["History buffer full (3 rows): dropped the 2 oldest rows"] == errors(caplog)


async def test_rows_wait_out_an_outage_with_one_error_and_are_written_after(
    outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    repo = IntegrationHealthRepository(outage.engine)
    writer = HistoryWriter(repo)
    for at in minutes(3):
        writer.add_record(record(at=at))
    writer.add_event(event())

    attempts = [await writer.flush_once() for _ in range(3)]
    down = (writer.healthy, writer.pending, len(errors(caplog)))
    await outage.restore()
    written = await writer.flush_once()

    assert ([0, 0, 0], (False, 4, 1)) == (attempts, down)
    assert errors(caplog)[0].startswith("Cannot write history: Failed to store health statuses")
    assert (4, True, 0) == (written, writer.healthy, writer.pending)
    assert minutes(3) == await stored_times(repo)
    assert "History writes work again" in caplog.records[-1].getMessage()


async def test_rows_wait_for_missing_tables_instead_of_being_dropped(
    empty_database_url: URL, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(empty_database_url)
    repo = IntegrationHealthRepository(engine)
    writer = HistoryWriter(repo)
    for at in minutes(2):
        writer.add_record(record(at=at))
    try:
        await writer.flush_once()
        down = (writer.healthy, writer.pending, len(errors(caplog)))
        await upgrade(empty_database_url)
        await writer.flush_once()

        assert ((False, 2, 1), True) == (down, writer.healthy)
        assert minutes(2) == await stored_times(repo)
    finally:
        await engine.dispose()


async def test_the_buffer_stays_bounded_during_an_outage(outage: Outage) -> None:
    repo = IntegrationHealthRepository(outage.engine)
    writer = HistoryWriter(repo, max_pending=4)
    for at in minutes(3):
        writer.add_record(record(at=at))
    await writer.flush_once()
    for at in minutes(6)[3:]:
        writer.add_record(record(at=at))
    await writer.flush_once()
    await outage.restore()

    await writer.flush_once()

    assert minutes(6)[2:] == await stored_times(repo)


async def test_an_outage_log_line_never_shows_the_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine = create_engine("postgresql://monitor:hunter2@127.0.0.1:1/health")
    writer = HistoryWriter(IntegrationHealthRepository(engine))
    writer.add_record(record())
    try:
        await writer.flush_once()
    finally:
        await engine.dispose()

    assert 1 == len(errors(caplog))
    assert "hunter2" not in caplog.text


@pytest.mark.parametrize(
    ("refused", "reason"),
    [
        (
            record(at=datetime(2026, 1, 10, 12, 1)),
            "ValueError: a naive datetime cannot be stored: 2026-01-10T12:01:00",
        ),
        (record(at=T0 + MINUTE, response_time_ms=2**70), "OverflowError: "),
    ],
    ids=["naive-datetime", "huge-integer"],
)
async def test_a_row_the_database_refuses_is_dropped_and_the_rest_written(
    repo: IntegrationHealthRepository,
    caplog: pytest.LogCaptureFixture,
    refused: HealthRecord,
    reason: str,
) -> None:
    writer = HistoryWriter(repo)
    writer.add_record(record(at=T0))
    writer.add_record(refused)
    writer.add_record(record(at=T0 + 2 * MINUTE))

    written = await writer.flush_once()

    assert (2, 0, True) == (written, writer.pending, writer.healthy)
    assert [T0, T0 + 2 * MINUTE] == await stored_times(repo)
    [line] = errors(caplog)
    assert line.startswith(
        f"Dropped 1 rows the database refused: Failed to store health statuses ({reason}"
    )


async def test_run_flushes_as_soon_as_a_batch_is_waiting(
    repo: IntegrationHealthRepository,
) -> None:
    writer = HistoryWriter(repo, batch_size=3, interval=60)
    stop = asyncio.Event()
    task = asyncio.create_task(writer.run(stop))
    for at in minutes(3):
        writer.add_record(record(at=at))

    await eventually(lambda: writer.pending == 0)
    stop.set()
    await task

    assert minutes(3) == await stored_times(repo)


async def test_run_flushes_what_is_left_when_stopped(repo: IntegrationHealthRepository) -> None:
    writer = HistoryWriter(repo, interval=60)
    stop = asyncio.Event()
    task = asyncio.create_task(writer.run(stop))
    writer.add_record(record(at=T0))
    await asyncio.sleep(0)

    stop.set()
    async with asyncio.timeout(5):
        await task

    assert [T0] == await stored_times(repo)
