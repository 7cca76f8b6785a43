"""What an alert event puts in the outbox, and how a stored notification reads back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from integration_health.alerts import outbox
from integration_health.alerts.notification import Notification, NotificationEvent
from integration_health.domain import AlertOpened, AlertResolved, HealthStatus
from integration_health.storage import AlertRow

ALERT_ID = UUID("4b1d6f0e-8a43-4a8e-9d59-2a0f7b1c3e55")
START = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
OPENED = AlertOpened(
    integration="jira",
    downtime_start=START,
    consecutive_failures=4,
    error="HTTP 503",
    occurred_at=START + timedelta(minutes=2, seconds=10),
)
RESOLVED = AlertResolved(
    integration="jira",
    downtime_start=START,
    status=HealthStatus.DEGRADED,
    response_time_ms=2400,
    occurred_at=START + timedelta(minutes=9),
)


def test_an_opened_alert_gives_its_opened_notification_to_every_channel() -> None:
    found = outbox.notifications(["ops-hook", "slack"], ALERT_ID, OPENED)

    expected = Notification.opened(ALERT_ID, OPENED)
    assert [("ops-hook", expected), ("slack", expected)] == found


def test_a_resolved_alert_gives_its_resolved_notification_to_every_channel() -> None:
    found = outbox.notifications(["ops-hook"], ALERT_ID, RESOLVED)

    assert [("ops-hook", Notification.resolved(ALERT_ID, RESOLVED))] == found


def test_an_integration_without_channels_gives_no_notification() -> None:
    assert [] == outbox.notifications([], ALERT_ID, OPENED)


def test_a_reminder_says_how_long_the_outage_has_lasted_by_now() -> None:
    alert = AlertRow(
        id=ALERT_ID,
        integration_id="jira",
        downtime_start=START,
        opened_at=OPENED.occurred_at,
        resolved_at=None,
        last_error="HTTP 503",
        consecutive_failures=4,
        last_reminder_at=None,
    )
    now = START + timedelta(hours=1)

    [(channel, reminder)] = outbox.reminders(["ops-hook"], alert, now)

    assert ("ops-hook", Notification.opened(ALERT_ID, OPENED).reminder(now)) == (
        channel,
        reminder,
    )


@pytest.mark.parametrize(
    "notification",
    [
        Notification.opened(ALERT_ID, OPENED),
        Notification.resolved(ALERT_ID, RESOLVED),
        Notification.opened(ALERT_ID, OPENED).reminder(START + timedelta(hours=2)),
    ],
    ids=[event.value for event in NotificationEvent if event is not NotificationEvent.TEST],
)
def test_a_stored_body_decodes_to_the_notification_it_came_from(
    notification: Notification,
) -> None:
    assert notification == outbox.decode(notification.to_json())


@pytest.mark.parametrize(
    "payload",
    [{}, {"alertId": 7}, {**Notification.opened(ALERT_ID, OPENED).to_json(), "event": "gone"}],
    ids=["empty", "wrong-type", "unknown-event"],
)
def test_a_body_that_is_not_a_notification_is_refused(payload: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="not a stored notification"):
        outbox.decode(payload)
