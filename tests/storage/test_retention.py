"""Retention: what is older than the retention period goes; the rest stays."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from integration_health.storage import (
    IntegrationHealthRepository,
    create_engine,
    prune_once,
    retention,
)
from tests.storage.support import T0, Clock, event, eventually, record

DAY = timedelta(days=1)


async def test_prune_once_removes_what_is_older_than_the_retention(
    repo: IntegrationHealthRepository,
) -> None:
    await repo.store_health_statuses([record(at=T0 - n * DAY) for n in range(10)])
    await repo.store_event(event(at=T0 - 8 * DAY))

    removed = await prune_once(repo, now=T0, retention=7 * DAY)

    history = await repo.get_health_history("jira", T0 - 30 * DAY, T0)
    assert 2 + 1 == removed
    assert [T0 - n * DAY for n in range(8)] == [r.last_checked for r in history]


async def test_the_loop_prunes_at_start_and_stops_when_told(
    repo: IntegrationHealthRepository,
) -> None:
    await repo.store_health_statuses([record(at=T0 - 10 * DAY), record(at=T0)])
    stop = asyncio.Event()
    task = asyncio.create_task(retention.run(repo, 7 * DAY, stop, Clock(T0)))

    async def pruned() -> bool:
        return [T0] == [
            r.last_checked for r in await repo.get_health_history("jira", T0 - 30 * DAY, T0)
        ]

    await eventually(pruned)
    stop.set()
    async with asyncio.timeout(5):
        await task


async def test_a_failed_prune_is_logged_without_ending_the_loop(
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine = create_engine("postgresql://monitor:hunter2@127.0.0.1:1/health")
    stop = asyncio.Event()
    task = asyncio.create_task(
        retention.run(IntegrationHealthRepository(engine), 7 * DAY, stop, Clock(T0))
    )
    try:
        await eventually(lambda: "Failed to prune integration_health" in caplog.text)
        stop.set()
        async with asyncio.timeout(5):
            await task
    finally:
        await engine.dispose()

    assert "hunter2" not in caplog.text
