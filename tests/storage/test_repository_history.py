"""The repository's history: the latest row, windows of rows, and upserts of one check."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from integration_health.domain import HealthStatus
from integration_health.errors import DatabaseError
from integration_health.storage import IntegrationHealthRepository
from integration_health.storage.tables import integration_health
from tests.storage.support import RATE, T0, Clock, record, root_cause

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


async def test_it_returns_the_newest_row_as_the_latest_health(
    repo: IntegrationHealthRepository,
) -> None:
    newest = record(at=T0 + HOUR, status=HealthStatus.DEGRADED)
    for row in (record(at=T0), newest, record(at=T0 - HOUR), record("testmo", at=T0 + 2 * HOUR)):
        await repo.store_health_status(row)

    latest = await repo.get_latest_health("jira")

    assert latest is not None
    assert (newest.id, newest.status, newest.last_checked) == (
        latest.id,
        latest.status,
        latest.last_checked,
    )


async def test_an_integration_without_history_has_no_latest_health(
    repo: IntegrationHealthRepository,
) -> None:
    assert await repo.get_latest_health("nobody") is None


async def test_it_returns_only_the_window_with_both_bounds_newest_first(
    repo: IntegrationHealthRepository,
) -> None:
    await repo.store_health_statuses([record(at=T0 + n * HOUR) for n in range(-2, 6)])
    await repo.store_health_status(record("testmo", at=T0 + HOUR))

    history = await repo.get_health_history("jira", T0, T0 + 3 * HOUR)

    assert [T0 + n * HOUR for n in (3, 2, 1, 0)] == [r.last_checked for r in history]


async def test_a_history_limit_keeps_the_newest_rows(repo: IntegrationHealthRepository) -> None:
    await repo.store_health_statuses([record(at=T0 + n * HOUR) for n in range(5)])

    history = await repo.get_health_history("jira", T0, T0 + 4 * HOUR, limit=2)

    assert [T0 + 4 * HOUR, T0 + 3 * HOUR] == [r.last_checked for r in history]


async def test_an_empty_window_is_an_empty_list(repo: IntegrationHealthRepository) -> None:
    await repo.store_health_status(record(at=T0))

    assert [] == await repo.get_health_history("jira", T0 + HOUR, T0 + 2 * HOUR)


async def test_storing_the_same_check_twice_updates_the_row_instead_of_adding_one(
    repo: IntegrationHealthRepository, engine: AsyncEngine, clock: Clock
) -> None:
    first = record(at=T0, response_time_ms=100)
    await repo.store_health_status(first)
    stored_at = clock.now
    updated_at = clock.advance(timedelta(seconds=5))

    await repo.store_health_status(
        record(
            at=T0,
            status=HealthStatus.OFFLINE,
            response_time_ms=None,
            error_message="connection refused",
            pricing_sync_status="failed",
            error_rate=RATE,
        )
    )

    async with engine.connect() as connection:
        count = await connection.scalar(select(func.count()).select_from(integration_health))
    latest = await repo.get_latest_health("jira")
    assert latest is not None
    assert 1 == count
    assert (first.id, HealthStatus.OFFLINE, None, "connection refused", "failed", RATE) == (
        latest.id,
        latest.status,
        latest.response_time_ms,
        latest.error_message,
        latest.pricing_sync_status,
        latest.error_rate,
    )
    assert (stored_at, updated_at) == (latest.created_at, latest.updated_at)


async def test_a_batch_holding_the_same_check_twice_keeps_the_last(
    repo: IntegrationHealthRepository,
) -> None:
    written = await repo.store_health_statuses(
        [record(at=T0, response_time_ms=1), record(at=T0, response_time_ms=2)]
    )

    history = await repo.get_health_history("jira", T0, T0)

    assert 1 == written
    assert [2] == [r.response_time_ms for r in history]


async def test_a_batch_beyond_the_bind_variable_limit_is_stored_whole(
    repo: IntegrationHealthRepository,
) -> None:
    # 12 columns x 3,000 rows is past SQLite's 32,766 and asyncpg's 32,767 parameters.
    times = [T0 + n * MINUTE for n in range(3_000)]

    written = await repo.store_health_statuses([record(at=at) for at in times])

    history = await repo.get_health_history("jira", times[0], times[-1])
    assert (3_000, times[::-1]) == (written, [r.last_checked for r in history])


async def test_every_stored_field_comes_back_as_it_went_in(
    repo: IntegrationHealthRepository, clock: Clock
) -> None:
    row = record(
        at=T0,
        status=HealthStatus.DEGRADED,
        response_time_ms=2_500,
        error_message="slow: 2.5 s",
        pricing_sync_status="ok",
        fees_sync_status="delayed",
        booking_loss_rate=Decimal("0.000123456789"),
        error_rate=Decimal("1.50"),
    )
    await repo.store_health_status(row)

    latest = await repo.get_latest_health("jira")

    assert replace(row, created_at=clock.now, updated_at=clock.now) == latest


async def test_times_come_back_as_the_same_instant_in_aware_utc(
    repo: IntegrationHealthRepository,
) -> None:
    brasilia = timezone(timedelta(hours=-3))
    checked = datetime(2026, 1, 10, 9, 0, 0, 123456, tzinfo=brasilia)
    await repo.store_health_status(record(at=checked))

    latest = await repo.get_latest_health("jira")

    assert latest is not None
    assert checked == latest.last_checked
    assert UTC == latest.last_checked.tzinfo


async def test_times_in_other_offsets_still_sort_and_filter_as_instants(
    repo: IntegrationHealthRepository,
) -> None:
    tokyo = timezone(timedelta(hours=9))
    await repo.store_health_status(record(at=(T0 + HOUR).astimezone(tokyo)))
    await repo.store_health_status(record(at=T0 + 2 * HOUR))

    history = await repo.get_health_history("jira", (T0 + HOUR).astimezone(tokyo), T0 + HOUR)

    assert [T0 + HOUR] == [r.last_checked for r in history]


async def test_a_naive_time_is_refused_as_a_database_error(
    repo: IntegrationHealthRepository,
) -> None:
    with pytest.raises(DatabaseError, match="Failed to store health status") as raised:
        await repo.store_health_status(record(at=datetime(2026, 1, 10, 12, 0)))

    assert isinstance(root_cause(raised.value), ValueError)
