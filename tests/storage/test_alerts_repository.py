"""Alerts and their outbox: stored together, one open alert per integration, read in order."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import cast
from uuid import UUID, uuid4

import pytest
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from integration_health.alerts import outbox
from integration_health.alerts.notification import Notification
from integration_health.domain import AlertOpened, AlertResolved, HealthStatus
from integration_health.errors import DatabaseError
from integration_health.storage import (
    AlertRepository,
    ListedAlert,
    create_engine,
    current_revision,
    downgrade,
    upgrade,
)
from tests.storage.support import T0, tables_in

MINUTE = timedelta(minutes=1)
CHANNELS = ("ops-hook", "slack")
ALERT_TABLES = {"alerts", "notifications"}


def opened(integration: str = "jira", at: timedelta = 3 * MINUTE) -> AlertOpened:
    return AlertOpened(
        integration=integration,
        downtime_start=T0,
        consecutive_failures=4,
        error="HTTP 503",
        occurred_at=T0 + at,
    )


def resolved(integration: str = "jira", at: timedelta = 10 * MINUTE) -> AlertResolved:
    return AlertResolved(
        integration=integration,
        downtime_start=T0,
        status=HealthStatus.ONLINE,
        response_time_ms=120,
        occurred_at=T0 + at,
    )


@pytest.fixture
def alerts(engine: AsyncEngine) -> AlertRepository:
    return AlertRepository(engine)


async def open_one(
    alerts: AlertRepository, integration: str = "jira", channels: tuple[str, ...] = CHANNELS
) -> UUID:
    alert_id = uuid4()
    event = opened(integration)
    assert await alerts.open_alert(alert_id, event, outbox.notifications(channels, alert_id, event))
    return alert_id


async def resolve(
    alerts: AlertRepository, integration: str = "jira", channels: tuple[str, ...] = CHANNELS
) -> UUID | None:
    event = resolved(integration)
    return await alerts.resolve_alert(
        integration, event, lambda alert_id: outbox.notifications(channels, alert_id, event)
    )


async def test_migration_0002_adds_the_alert_tables_and_its_downgrade_removes_them(
    empty_database_url: URL,
) -> None:
    await upgrade(empty_database_url, "0002")
    upgraded = (await tables_in(empty_database_url), await current_revision(empty_database_url))

    await downgrade(empty_database_url, "0001")
    downgraded = (await tables_in(empty_database_url), await current_revision(empty_database_url))

    assert (ALERT_TABLES, "0002") == (upgraded[0] & ALERT_TABLES, upgraded[1])
    assert (set(), "0001") == (downgraded[0] & ALERT_TABLES, downgraded[1])


async def test_migration_0002_upgrades_again_after_its_downgrade(empty_database_url: URL) -> None:
    await upgrade(empty_database_url)
    await downgrade(empty_database_url, "0001")

    await upgrade(empty_database_url)

    assert "0002" == await current_revision(empty_database_url)


async def test_an_opened_alert_is_stored_with_one_pending_notification_per_channel(
    alerts: AlertRepository,
) -> None:
    alert_id = await open_one(alerts)

    [(alert, deliveries)] = await alerts.list_alerts()

    assert (alert_id, "jira", T0, T0 + 3 * MINUTE, None, "HTTP 503", 4) == (
        alert.id,
        alert.integration_id,
        alert.downtime_start,
        alert.opened_at,
        alert.resolved_at,
        alert.last_error,
        alert.consecutive_failures,
    )
    assert [("ops-hook", "opened", "pending", 0), ("slack", "opened", "pending", 0)] == sorted(
        (d.channel, d.event, d.state, d.attempts) for d in deliveries
    )


async def test_the_outbox_holds_the_notifications_documented_body(
    alerts: AlertRepository,
) -> None:
    alert_id = uuid4()
    event = opened()
    [(channel, notification)] = outbox.notifications(["ops-hook"], alert_id, event)
    await alerts.open_alert(alert_id, event, [(channel, notification)])

    [row] = await alerts.due(T0 + 3 * MINUTE)

    assert (alert_id, "ops-hook", "opened", notification.to_json()) == (
        row.alert_id,
        row.channel,
        row.event,
        row.payload,
    )


async def test_an_alert_whose_notifications_cannot_be_stored_is_not_stored_either(
    alerts: AlertRepository,
) -> None:
    alert_id = uuid4()
    event = opened()
    broken = [(cast(str, None), Notification.opened(alert_id, event))]

    with pytest.raises(DatabaseError, match="Failed to store the opened alert"):
        await alerts.open_alert(alert_id, event, broken)

    assert [] == await alerts.open_alerts()


async def test_a_second_open_alert_for_the_same_integration_is_refused(
    alerts: AlertRepository,
) -> None:
    first = await open_one(alerts)
    second = uuid4()
    event = opened(at=5 * MINUTE)

    stored = await alerts.open_alert(second, event, outbox.notifications(CHANNELS, second, event))

    listed = await alerts.list_alerts()
    assert (False, [first], 2) == (
        stored,
        [alert.id for alert, _ in listed],
        len(listed[0].deliveries),
    )


async def test_of_two_alerts_opened_at_once_for_one_integration_only_one_is_stored(
    alerts: AlertRepository,
) -> None:
    ids = [uuid4(), uuid4()]
    event = opened()

    stored = await asyncio.gather(
        *(alerts.open_alert(i, event, outbox.notifications(CHANNELS, i, event)) for i in ids)
    )

    [(alert, deliveries)] = await alerts.list_alerts()
    assert ([True, False], 2) == (sorted(stored, reverse=True), len(deliveries))
    assert {alert.id} == {alert_id for alert_id, ok in zip(ids, stored, strict=True) if ok}


async def test_other_integrations_and_later_outages_may_open_their_own_alert(
    alerts: AlertRepository,
) -> None:
    await open_one(alerts, "jira")
    await open_one(alerts, "testmo")
    await resolve(alerts, "jira")

    await open_one(alerts, "jira")

    assert [("jira", False), ("jira", True), ("testmo", True)] == sorted(
        (alert.integration_id, alert.is_open) for alert, _ in await alerts.list_alerts()
    )


async def test_resolving_marks_the_open_alert_and_stores_its_notifications(
    alerts: AlertRepository,
) -> None:
    alert_id = await open_one(alerts)

    returned = await resolve(alerts)

    [(alert, deliveries)] = await alerts.list_alerts()
    assert (alert_id, T0 + 10 * MINUTE) == (returned, alert.resolved_at)
    assert ["opened", "opened", "resolved", "resolved"] == [d.event for d in deliveries]


async def test_resolving_without_an_open_alert_stores_nothing(alerts: AlertRepository) -> None:
    returned = await resolve(alerts)

    assert (None, []) == (returned, await alerts.list_alerts())


async def test_only_open_alerts_are_restored(alerts: AlertRepository) -> None:
    await open_one(alerts, "jira")
    await resolve(alerts, "jira")
    still_open = await open_one(alerts, "testmo")

    assert [still_open] == [alert.id for alert in await alerts.open_alerts()]


async def test_a_reminder_is_noted_on_the_alert_and_queued_for_each_channel(
    alerts: AlertRepository,
) -> None:
    await open_one(alerts)
    [alert] = await alerts.open_alerts()
    now = T0 + 63 * MINUTE

    stored = await alerts.record_reminder(alert.id, now, outbox.reminders(CHANNELS, alert, now))

    [(after, deliveries)] = await alerts.list_alerts()
    assert (True, now, ["opened", "opened", "reminder", "reminder"]) == (
        stored,
        after.last_reminder_at,
        [d.event for d in deliveries],
    )


async def test_a_resolved_alert_takes_no_reminder(alerts: AlertRepository) -> None:
    await open_one(alerts)
    [alert] = await alerts.open_alerts()
    await resolve(alerts)
    now = T0 + 63 * MINUTE

    stored = await alerts.record_reminder(alert.id, now, outbox.reminders(CHANNELS, alert, now))

    [(_, deliveries)] = await alerts.list_alerts()
    assert (False, 4) == (stored, len(deliveries))


async def test_due_notifications_are_pending_ones_whose_time_has_come(
    alerts: AlertRepository,
) -> None:
    alert_id = await open_one(alerts, channels=("a", "b", "c", "d"))
    ids = {row.channel: row.id for row in await alerts.due(T0 + 3 * MINUTE)}
    await alerts.mark_delivered(ids["a"], T0 + 3 * MINUTE, 1)
    await alerts.mark_given_up(ids["b"], T0 + 3 * MINUTE, "HTTP 404", 1)
    await alerts.mark_retry(ids["c"], 1, T0 + 4 * MINUTE, T0 + 3 * MINUTE, "HTTP 503")

    now = await alerts.due(T0 + 3 * MINUTE)
    later = await alerts.due(T0 + 4 * MINUTE)

    assert (["d"], ["c", "d"]) == (
        [row.channel for row in now],
        sorted(row.channel for row in later),
    )
    assert {alert_id} == {row.alert_id for row in later}


async def test_due_leaves_out_the_notifications_it_is_told_to(alerts: AlertRepository) -> None:
    await open_one(alerts)
    [first, second] = await alerts.due(T0 + 3 * MINUTE)

    left = await alerts.due(T0 + 3 * MINUTE, exclude={first.id})

    assert [second.id] == [row.id for row in left]


async def test_due_gives_the_oldest_first_up_to_the_limit(alerts: AlertRepository) -> None:
    await open_one(alerts, "jira", ("a",))
    alert_id = uuid4()
    later = opened("testmo", at=4 * MINUTE)
    await alerts.open_alert(alert_id, later, outbox.notifications(["a"], alert_id, later))

    found = await alerts.due(T0 + 5 * MINUTE, limit=1)

    assert [T0 + 3 * MINUTE] == [row.created_at for row in found]


async def test_a_resolution_waits_until_its_channel_is_done_with_the_opening(
    alerts: AlertRepository,
) -> None:
    await open_one(alerts)
    ids = {row.channel: row.id for row in await alerts.due(T0 + 3 * MINUTE)}
    await alerts.mark_retry(ids["ops-hook"], 1, T0 + 20 * MINUTE, T0 + 3 * MINUTE, "timeout")
    await alerts.mark_delivered(ids["slack"], T0 + 3 * MINUTE, 1)
    await resolve(alerts)

    before = await alerts.due(T0 + 10 * MINUTE)
    await alerts.mark_delivered(ids["ops-hook"], T0 + 20 * MINUTE, 2)
    after = await alerts.due(T0 + 20 * MINUTE)

    assert [("slack", "resolved")] == [(row.channel, row.event) for row in before]
    assert [("ops-hook", "resolved"), ("slack", "resolved")] == sorted(
        (row.channel, row.event) for row in after
    )


async def test_each_notification_reports_its_delivery_state(alerts: AlertRepository) -> None:
    await open_one(alerts, channels=("a", "b", "c"))
    ids = {row.channel: row.id for row in await alerts.due(T0 + 3 * MINUTE)}
    await alerts.mark_delivered(ids["a"], T0 + 4 * MINUTE, 3)
    await alerts.mark_given_up(ids["b"], T0 + 4 * MINUTE, "HTTP 410", 1)
    await alerts.mark_retry(ids["c"], 2, T0 + 5 * MINUTE, T0 + 3 * MINUTE, "timeout")

    [(_, deliveries)] = await alerts.list_alerts()

    assert [
        ("a", "delivered", 3, None, T0 + 4 * MINUTE, None, None),
        ("b", "given_up", 1, None, None, T0 + 4 * MINUTE, "HTTP 410"),
        ("c", "pending", 2, T0 + 5 * MINUTE, None, None, "timeout"),
    ] == [
        (
            d.channel,
            d.state,
            d.attempts,
            d.next_attempt_at,
            d.delivered_at,
            d.given_up_at,
            d.last_error,
        )
        for d in deliveries
    ]


async def test_alerts_are_listed_newest_first_filtered_and_limited(
    alerts: AlertRepository,
) -> None:
    jira = await open_one(alerts, "jira")
    await resolve(alerts, "jira")
    testmo = uuid4()
    event = opened("testmo", at=5 * MINUTE)
    await alerts.open_alert(testmo, event, outbox.notifications(CHANNELS, testmo, event))

    def ids(listed: list[ListedAlert]) -> list[UUID]:
        return [entry.alert.id for entry in listed]

    assert [
        [testmo, jira],
        [testmo],
        [jira],
        [jira],
        [testmo],
        [],
    ] == [
        ids(await alerts.list_alerts()),
        ids(await alerts.list_alerts(limit=1)),
        ids(await alerts.list_alerts(state="resolved")),
        ids(await alerts.list_alerts(integration="jira")),
        ids(await alerts.list_alerts(state="open", integration="testmo")),
        ids(await alerts.list_alerts(state="open", integration="jira")),
    ]


async def test_an_unreachable_database_is_reported_without_its_password() -> None:
    engine = create_engine("postgresql://monitor:hunter2@127.0.0.1:1/health")
    try:
        with pytest.raises(DatabaseError, match="Failed to load the open alerts") as raised:
            await AlertRepository(engine).open_alerts()
    finally:
        await engine.dispose()

    assert "hunter2" not in f"{raised.value} {raised.value.detail}"
