"""The repository's events and saved states, and the pruning of old history."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from integration_health.domain import (
    EventSeverity,
    HealthStatus,
    IntegrationHealth,
    PmsMetrics,
    SyncStatus,
)
from integration_health.storage import IntegrationHealthRepository
from tests.storage.support import RATE, T0, Clock, event, record

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


async def test_event_metadata_round_trips_nested_objects_and_unicode(
    repo: IntegrationHealthRepository, clock: Clock
) -> None:
    metadata = {
        "previousStatus": "online",
        "error": "Zeitüberschreitung — 接続タイムアウト 🚨",
        "nested": {"attempts": [1, 2.5, None, True], "empty": {}, "quote": "\"'"},
    }
    stored = event(metadata=metadata, message="jira ist offline ✗")
    await repo.store_event(stored)

    found = await repo.get_events("jira", T0, T0)

    assert [replace(stored, created_at=clock.now)] == found


async def test_events_come_from_the_window_only_newest_first(
    repo: IntegrationHealthRepository,
) -> None:
    await repo.store_events([event(at=T0 + n * HOUR) for n in range(-1, 4)])
    await repo.store_event(event("testmo", at=T0))

    found = await repo.get_events("jira", T0, T0 + 2 * HOUR)

    assert [T0 + 2 * HOUR, T0 + HOUR, T0] == [e.occurred_at for e in found]


async def test_events_can_be_filtered_by_severity_and_limited(
    repo: IntegrationHealthRepository,
) -> None:
    await repo.store_events(
        [
            event(at=T0, severity=EventSeverity.CRITICAL),
            event(at=T0 + HOUR, severity=EventSeverity.INFO),
            event(at=T0 + 2 * HOUR, severity=EventSeverity.CRITICAL),
            event(at=T0 + 3 * HOUR, severity=EventSeverity.CRITICAL),
        ]
    )

    found = await repo.get_events(
        "jira", T0, T0 + 3 * HOUR, severity=EventSeverity.CRITICAL, limit=2
    )

    assert [T0 + 3 * HOUR, T0 + 2 * HOUR] == [e.occurred_at for e in found]


async def test_storing_an_event_again_keeps_one_copy(repo: IntegrationHealthRepository) -> None:
    stored = event()
    await repo.store_event(stored)
    await repo.store_events([stored, stored])

    assert 1 == len(await repo.get_events("jira", T0, T0))


async def test_states_round_trip_through_the_database(
    repo: IntegrationHealthRepository,
) -> None:
    states = [
        IntegrationHealth(
            integration="jira",
            status=HealthStatus.OFFLINE,
            last_check=T0,
            last_successful_check=T0 - HOUR,
            error_message="HTTP 503",
            consecutive_failures=7,
            downtime_start=T0 - 30 * MINUTE,
            alert_open=True,
        ),
        IntegrationHealth(
            integration="booking",
            status=HealthStatus.DEGRADED,
            last_check=T0,
            last_successful_check=T0,
            response_time_ms=2_100,
            metrics=PmsMetrics(SyncStatus.OK, SyncStatus.DELAYED, RATE, Decimal("0")),
        ),
        IntegrationHealth(integration="testmo", status=HealthStatus.ONLINE, last_check=T0),
    ]
    await repo.upsert_states(states)

    assert sorted(states, key=lambda s: s.integration) == await repo.load_states()


async def test_saving_a_state_again_replaces_it(repo: IntegrationHealthRepository) -> None:
    down = IntegrationHealth("jira", HealthStatus.OFFLINE, T0, downtime_start=T0, alert_open=True)
    up = IntegrationHealth("jira", HealthStatus.ONLINE, T0 + HOUR, last_successful_check=T0 + HOUR)
    await repo.upsert_states([down])
    await repo.upsert_states([up])

    assert [up] == await repo.load_states()


async def test_prune_removes_only_rows_and_events_older_than_the_cutoff(
    repo: IntegrationHealthRepository,
) -> None:
    await repo.store_health_statuses([record(at=T0 + n * MINUTE) for n in range(-7, 3)])
    await repo.store_events([event(at=T0 + n * MINUTE) for n in range(-4, 2)])

    removed = await repo.prune(T0, batch_size=3)

    assert 7 + 4 == removed
    assert [T0 + 2 * MINUTE, T0 + MINUTE, T0] == [
        r.last_checked for r in await repo.get_health_history("jira", T0 - HOUR, T0 + HOUR)
    ]
    assert [T0 + MINUTE, T0] == [
        e.occurred_at for e in await repo.get_events("jira", T0 - HOUR, T0 + HOUR)
    ]


async def test_prune_with_nothing_old_removes_nothing(repo: IntegrationHealthRepository) -> None:
    await repo.store_health_status(record(at=T0))

    assert 0 == await repo.prune(T0)
