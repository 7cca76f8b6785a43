"""Notifications from alert events: the webhook JSON and the text people read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from integration_health.alerts.notification import Notification, NotificationEvent
from integration_health.domain import AlertOpened, AlertResolved, HealthStatus

ALERT_ID = UUID("0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a")
DOWN = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
OPENED = Notification.opened(
    ALERT_ID,
    AlertOpened(
        integration="jira",
        downtime_start=DOWN,
        consecutive_failures=3,
        error="HTTP 503",
        occurred_at=DOWN + timedelta(minutes=2, seconds=10),
    ),
)
RESOLVED = Notification.resolved(
    ALERT_ID,
    AlertResolved(
        integration="jira",
        downtime_start=DOWN,
        status=HealthStatus.ONLINE,
        response_time_ms=120,
        occurred_at=DOWN + timedelta(minutes=5),
    ),
)


def test_an_opened_alert_becomes_an_offline_notification() -> None:
    expected = Notification(
        alert_id=ALERT_ID,
        integration="jira",
        event=NotificationEvent.OPENED,
        status=HealthStatus.OFFLINE,
        downtime_start=DOWN,
        downtime_seconds=130,
        error="HTTP 503",
        response_time_ms=None,
        occurred_at=DOWN + timedelta(minutes=2, seconds=10),
    )
    assert expected == OPENED


def test_the_json_body_uses_the_documented_camel_case_keys() -> None:
    expected = {
        "alertId": "0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
        "integration": "jira",
        "event": "resolved",
        "status": "online",
        "downtimeStart": "2025-03-01T12:00:00Z",
        "downtimeSeconds": 300,
        "error": None,
        "responseTimeMs": 120,
        "occurredAt": "2025-03-01T12:05:00Z",
    }
    assert expected == RESOLVED.to_json()


def test_times_in_the_json_body_are_utc_whatever_their_zone() -> None:
    berlin = Notification.test(datetime(2025, 3, 1, 13, 0, tzinfo=UTC).astimezone(), ALERT_ID)
    assert "2025-03-01T13:00:00Z" == berlin.to_json()["occurredAt"]


def test_an_opened_alert_reads_as_offline_for_how_long_and_why() -> None:
    expected = (
        "[integration-health] jira is OFFLINE",
        "jira has been offline for 2m 10s: HTTP 503",
    )
    assert expected == (OPENED.title(), OPENED.body())


def test_an_opened_alert_without_an_error_reads_without_one() -> None:
    opened = Notification.opened(
        ALERT_ID, AlertOpened("jira", DOWN, 3, None, DOWN + timedelta(minutes=2))
    )
    assert "jira has been offline for 2m" == opened.body()


def test_a_resolved_alert_reads_as_recovered_after_the_downtime() -> None:
    expected = ("[integration-health] jira is ONLINE", "jira recovered after 5m")
    assert expected == (RESOLVED.title(), RESOLVED.body())


def test_a_recovery_into_degraded_says_so() -> None:
    degraded = Notification.resolved(
        ALERT_ID,
        AlertResolved("jira", DOWN, HealthStatus.DEGRADED, 2500, DOWN + timedelta(minutes=5)),
    )
    expected = ("[integration-health] jira is DEGRADED", "jira recovered after 5m but is degraded")
    assert expected == (degraded.title(), degraded.body())


def test_a_reminder_counts_the_downtime_up_to_now() -> None:
    reminder = OPENED.reminder(DOWN + timedelta(hours=1, minutes=2))
    expected = (
        NotificationEvent.REMINDER,
        3720,
        "[integration-health] jira is still OFFLINE",
        "jira has been offline for 1h 2m: HTTP 503",
    )
    assert expected == (
        reminder.event,
        reminder.downtime_seconds,
        reminder.title(),
        reminder.body(),
    )


def test_a_reminder_keeps_the_alert_id() -> None:
    assert ALERT_ID == OPENED.reminder(DOWN + timedelta(hours=1)).alert_id


def test_a_test_notification_names_no_integration_outage() -> None:
    note = Notification.test(DOWN, ALERT_ID)
    expected = (
        "[integration-health] test notification",
        "A test notification from integration-health: this channel works.",
        {
            "alertId": "0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
            "integration": "integration-health",
            "event": "test",
            "status": "online",
            "downtimeStart": None,
            "downtimeSeconds": None,
            "error": None,
            "responseTimeMs": None,
            "occurredAt": "2025-03-01T12:00:00Z",
        },
    )
    assert expected == (note.title(), note.body(), note.to_json())
