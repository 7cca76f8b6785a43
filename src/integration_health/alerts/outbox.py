"""The notifications an alert event puts in the outbox, one per channel, and how they come back.

Pure functions, no I/O: the repository stores what these return, in the same transaction as
the alert itself, and the dispatcher reads each stored body back with ``decode``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from integration_health.alerts.notification import Notification, NotificationEvent
from integration_health.domain import AlertOpened, AlertResolved, HealthStatus

if TYPE_CHECKING:
    from integration_health.storage.alert_rows import AlertRow

Outgoing = list[tuple[str, Notification]]
"""Notifications to store, each with the name of the channel it goes to."""


def notifications(
    channels: Iterable[str], alert_id: UUID, event: AlertOpened | AlertResolved
) -> Outgoing:
    """Return the notification of ``event`` for each of ``channels``."""
    if isinstance(event, AlertOpened):
        notification = Notification.opened(alert_id, event)
    else:
        notification = Notification.resolved(alert_id, event)
    return [(channel, notification) for channel in channels]


def reminders(channels: Iterable[str], alert: AlertRow, now: datetime) -> Outgoing:
    """Return, for each of ``channels``, the reminder at ``now`` that ``alert`` is still open."""
    opened = Notification(
        alert_id=alert.id,
        integration=alert.integration_id,
        event=NotificationEvent.OPENED,
        status=HealthStatus.OFFLINE,
        downtime_start=alert.downtime_start,
        downtime_seconds=None,
        error=alert.last_error,
        response_time_ms=None,
        occurred_at=alert.opened_at,
    )
    reminder = opened.reminder(now)
    return [(channel, reminder) for channel in channels]


def decode(payload: Mapping[str, Any]) -> Notification:
    """Return the notification whose ``to_json()`` is ``payload``; raise ValueError if none."""
    try:
        return Notification(
            alert_id=UUID(payload["alertId"]),
            integration=payload["integration"],
            event=NotificationEvent(payload["event"]),
            status=HealthStatus(payload["status"]),
            downtime_start=_instant(payload["downtimeStart"]),
            downtime_seconds=payload["downtimeSeconds"],
            error=payload["error"],
            response_time_ms=payload["responseTimeMs"],
            occurred_at=datetime.fromisoformat(payload["occurredAt"]),
        )
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise ValueError(f"not a stored notification ({type(error).__name__})") from None


def _instant(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
