"""The health store's transitions and the downtime alert rule, with time passed in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from integration_health.domain import (
    AlertOpened,
    AlertResolved,
    HealthCheckResult,
    HealthStatus,
    IntegrationHealth,
    StatusChanged,
)
from integration_health.state import HealthStore

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
ONLINE, DEGRADED, OFFLINE = HealthStatus.ONLINE, HealthStatus.DEGRADED, HealthStatus.OFFLINE


def store(alert_after: timedelta = timedelta(minutes=2)) -> HealthStore:
    return HealthStore(alert_after=lambda _: alert_after)


def result(status: HealthStatus, seconds: float, name: str = "jira") -> HealthCheckResult:
    at = T0 + timedelta(seconds=seconds)
    if status is ONLINE:
        return HealthCheckResult.online(name, 120, at)
    if status is DEGRADED:
        return HealthCheckResult.degraded(name, 2500, "Response time exceeds 2s threshold", at)
    return HealthCheckResult.offline(name, "HTTP 503", at)


def feed(health: HealthStore, *steps: tuple[HealthStatus, float]) -> IntegrationHealth:
    for status, seconds in steps:
        health.record(result(status, seconds), T0 + timedelta(seconds=seconds))
    current = health.get("jira")
    assert current is not None
    return current


@pytest.mark.parametrize(
    ("steps", "failures", "downtime_start", "last_success"),
    [
        ([(ONLINE, 0)], 0, None, 0),
        ([(DEGRADED, 0)], 0, None, 0),
        ([(OFFLINE, 0)], 1, 0, None),
        ([(OFFLINE, 0), (OFFLINE, 60)], 2, 0, None),
        ([(ONLINE, 0), (OFFLINE, 60), (OFFLINE, 120)], 2, 60, 0),
        ([(OFFLINE, 0), (OFFLINE, 60), (ONLINE, 120)], 0, None, 120),
        ([(OFFLINE, 0), (DEGRADED, 60)], 0, None, 60),
        ([(OFFLINE, 0), (ONLINE, 60), (OFFLINE, 120)], 1, 120, 60),
    ],
)
def test_transitions_count_failures_and_track_downtime(
    steps: list[tuple[HealthStatus, float]],
    failures: int,
    downtime_start: float | None,
    last_success: float | None,
) -> None:
    current = feed(store(), *steps)

    def at(seconds: float | None) -> datetime | None:
        return None if seconds is None else T0 + timedelta(seconds=seconds)

    assert (failures, at(downtime_start), at(last_success)) == (
        current.consecutive_failures,
        current.downtime_start,
        current.last_successful_check,
    )


def test_it_keeps_the_latest_response_time_and_error() -> None:
    current = feed(store(), (DEGRADED, 0))

    assert (DEGRADED, 2500, "Response time exceeds 2s threshold") == (
        current.status,
        current.response_time_ms,
        current.error_message,
    )


def test_the_first_result_is_a_status_change_from_nothing() -> None:
    events = store().record(result(ONLINE, 0), T0)

    assert [StatusChanged("jira", None, ONLINE, 120, None, T0)] == events


def test_an_unchanged_status_is_no_event() -> None:
    health = store()
    health.record(result(ONLINE, 0), T0)

    assert [] == health.record(result(ONLINE, 60), T0 + timedelta(seconds=60))


def test_no_alert_at_exactly_the_threshold() -> None:
    health = store()
    feed(health, (OFFLINE, 0), (OFFLINE, 60))

    events = health.record(result(OFFLINE, 120), T0 + timedelta(seconds=120))

    assert [] == events


def test_an_alert_opens_once_the_outage_is_longer_than_alert_after() -> None:
    health = store()
    feed(health, (OFFLINE, 0), (OFFLINE, 60), (OFFLINE, 120))

    events = health.record(result(OFFLINE, 180), T0 + timedelta(seconds=180))

    opened = AlertOpened("jira", T0, 4, "HTTP 503", T0 + timedelta(seconds=180))
    assert [opened] == events


def test_one_alert_per_outage_however_long_it_lasts() -> None:
    health = store()
    opened = [
        event
        for seconds in range(0, 3600, 60)
        for event in health.record(result(OFFLINE, seconds), T0 + timedelta(seconds=seconds))
        if isinstance(event, AlertOpened)
    ]

    assert 1 == len(opened)


def test_recovery_closes_the_alert_with_the_outage_duration() -> None:
    health = store()
    feed(health, (OFFLINE, 0), (OFFLINE, 180))

    events = health.record(result(ONLINE, 300), T0 + timedelta(seconds=300))

    resolved = [event for event in events if isinstance(event, AlertResolved)]
    assert [timedelta(minutes=5)] == [event.downtime for event in resolved]
    current = health.get("jira")
    assert current is not None
    assert not current.alert_open


def test_a_degraded_answer_also_ends_the_outage() -> None:
    health = store()
    feed(health, (OFFLINE, 0), (OFFLINE, 180))

    events = health.record(result(DEGRADED, 240), T0 + timedelta(seconds=240))

    assert [StatusChanged, AlertResolved] == [type(event) for event in events]


def test_a_short_outage_recovers_without_an_alert() -> None:
    health = store()
    feed(health, (ONLINE, 0), (OFFLINE, 60))

    events = health.record(result(ONLINE, 90), T0 + timedelta(seconds=90))

    assert [
        StatusChanged(
            "jira", OFFLINE, ONLINE, 120, None, events[0].occurred_at, T0 + timedelta(seconds=60)
        )
    ] == events


def test_a_new_outage_after_recovery_opens_a_new_alert() -> None:
    health = store()
    feed(health, (OFFLINE, 0), (OFFLINE, 180), (ONLINE, 200), (OFFLINE, 300))

    events = health.record(result(OFFLINE, 500), T0 + timedelta(seconds=500))

    assert [
        AlertOpened("jira", T0 + timedelta(seconds=300), 2, "HTTP 503", T0 + timedelta(seconds=500))
    ] == events


def test_sweep_opens_an_alert_between_results() -> None:
    health = store()
    feed(health, (OFFLINE, 0))

    early = health.sweep(T0 + timedelta(seconds=100))
    late = health.sweep(T0 + timedelta(seconds=121))
    again = health.sweep(T0 + timedelta(seconds=200))

    assert ([], 1, []) == (early, len(late), again)


def test_alert_after_is_per_integration() -> None:
    health = HealthStore(alert_after=lambda name: timedelta(seconds=10 if name == "fast" else 120))
    health.record(result(OFFLINE, 0, "fast"), T0)
    health.record(result(OFFLINE, 0, "slow"), T0)

    events = health.sweep(T0 + timedelta(seconds=30))

    assert ["fast"] == [event.integration for event in events]


def test_all_is_sorted_by_name() -> None:
    health = store()
    for name in ("testmo", "jira", "postman"):
        health.record(result(ONLINE, 0, name), T0)

    assert ["jira", "postman", "testmo"] == [item.integration for item in health.all()]


def test_restored_state_carries_an_open_alert_across_a_restart() -> None:
    health = store()
    remembered = IntegrationHealth(
        integration="jira",
        status=OFFLINE,
        last_check=T0 + timedelta(seconds=170),
        consecutive_failures=4,
        downtime_start=T0,
        alert_open=True,
    )
    health.restore([remembered])

    still_down = health.record(result(OFFLINE, 240), T0 + timedelta(seconds=240))
    back = health.record(result(ONLINE, 300), T0 + timedelta(seconds=300))

    assert ([], [StatusChanged, AlertResolved]) == (still_down, [type(event) for event in back])


def window(start_s: float, end_s: float) -> Callable[[str, datetime], datetime | None]:
    start, end = T0 + timedelta(seconds=start_s), T0 + timedelta(seconds=end_s)

    def quiet(_: str, now: datetime) -> datetime | None:
        return end if start <= now < end else None

    return quiet


def test_no_alert_opens_during_maintenance() -> None:
    health = HealthStore(lambda _: timedelta(minutes=2), quiet=window(0, 3600))

    opened = [
        event
        for seconds in range(0, 3600, 60)
        for event in health.record(result(OFFLINE, seconds), T0 + timedelta(seconds=seconds))
        if isinstance(event, AlertOpened)
    ]

    assert [] == opened


def test_an_outage_outlasting_maintenance_counts_from_the_window_end() -> None:
    health = HealthStore(lambda _: timedelta(minutes=2), quiet=window(0, 600))
    feed(health, (OFFLINE, 0), (OFFLINE, 300))

    after_end = health.record(result(OFFLINE, 660), T0 + timedelta(seconds=660))
    current = health.get("jira")
    later = health.record(result(OFFLINE, 721), T0 + timedelta(seconds=721))

    assert current is not None
    assert ([], T0 + timedelta(seconds=600)) == (after_end, current.downtime_start)
    assert [AlertOpened] == [type(event) for event in later]


def test_no_alert_opens_before_the_start_up_grace_ends() -> None:
    grace = T0 + timedelta(minutes=3)
    health = HealthStore(lambda _: timedelta(minutes=2), grace_until=lambda _: grace)
    feed(health, (OFFLINE, 0), (OFFLINE, 150))

    early = health.sweep(T0 + timedelta(seconds=170))
    late = health.sweep(T0 + timedelta(seconds=181))

    assert ([], [AlertOpened]) == (early, [type(event) for event in late])
