"""What a channel is asked to deliver: one alert event, as JSON for machines and text for people."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from integration_health.domain import AlertOpened, AlertResolved, HealthStatus
from integration_health.durations import format_duration

PREFIX = "[integration-health]"
SENDER = "integration-health"
"""The ``integration`` a test notification names, since it is about no integration."""


class NotificationEvent(StrEnum):
    """Why a notification is sent."""

    OPENED = "opened"
    RESOLVED = "resolved"
    REMINDER = "reminder"
    TEST = "test"


@dataclass(frozen=True, slots=True)
class Notification:
    """One alert event for one integration; every notification of one alert shares its id."""

    alert_id: UUID
    integration: str
    event: NotificationEvent
    status: HealthStatus
    downtime_start: datetime | None
    downtime_seconds: int | None
    error: str | None
    response_time_ms: int | None
    occurred_at: datetime

    @classmethod
    def opened(cls, alert_id: UUID, event: AlertOpened) -> Notification:
        """Return the notification that an alert opened."""
        return cls(
            alert_id=alert_id,
            integration=event.integration,
            event=NotificationEvent.OPENED,
            status=HealthStatus.OFFLINE,
            downtime_start=event.downtime_start,
            downtime_seconds=_seconds(event.downtime),
            error=event.error,
            response_time_ms=None,
            occurred_at=event.occurred_at,
        )

    @classmethod
    def resolved(cls, alert_id: UUID, event: AlertResolved) -> Notification:
        """Return the notification that an alert resolved."""
        return cls(
            alert_id=alert_id,
            integration=event.integration,
            event=NotificationEvent.RESOLVED,
            status=event.status,
            downtime_start=event.downtime_start,
            downtime_seconds=_seconds(event.downtime),
            error=None,
            response_time_ms=event.response_time_ms,
            occurred_at=event.occurred_at,
        )

    @classmethod
    def test(cls, now: datetime, alert_id: UUID | None = None) -> Notification:
        """Return a notification that only proves a channel works."""
        return cls(
            alert_id=alert_id or uuid4(),
            integration=SENDER,
            event=NotificationEvent.TEST,
            status=HealthStatus.ONLINE,
            downtime_start=None,
            downtime_seconds=None,
            error=None,
            response_time_ms=None,
            occurred_at=now,
        )

    def reminder(self, now: datetime) -> Notification:
        """Return a reminder at ``now`` that this alert is still open."""
        downtime = None if self.downtime_start is None else _seconds(now - self.downtime_start)
        return replace(
            self, event=NotificationEvent.REMINDER, downtime_seconds=downtime, occurred_at=now
        )

    def to_json(self) -> dict[str, object]:
        """Return the documented webhook body."""
        return {
            "alertId": str(self.alert_id),
            "integration": self.integration,
            "event": self.event.value,
            "status": self.status.value,
            "downtimeStart": _iso(self.downtime_start),
            "downtimeSeconds": self.downtime_seconds,
            "error": self.error,
            "responseTimeMs": self.response_time_ms,
            "occurredAt": _iso(self.occurred_at),
        }

    def title(self) -> str:
        """Return a one-line subject such as ``[integration-health] jira is OFFLINE``."""
        status = self.status.value.upper()
        if self.event is NotificationEvent.TEST:
            return f"{PREFIX} test notification"
        if self.event is NotificationEvent.REMINDER:
            return f"{PREFIX} {self.integration} is still {status}"
        return f"{PREFIX} {self.integration} is {status}"

    def body(self) -> str:
        """Return a sentence such as ``jira has been offline for 2m 10s: HTTP 503``."""
        if self.event is NotificationEvent.TEST:
            return f"A test notification from {SENDER}: this channel works."
        if self.event is NotificationEvent.RESOLVED:
            text = f"{self.integration} recovered after {self._downtime()}"
            if self.status is HealthStatus.DEGRADED:
                text += " but is degraded"
            return text
        text = f"{self.integration} has been offline for {self._downtime()}"
        return f"{text}: {self.error}" if self.error else text

    def _downtime(self) -> str:
        return format_duration(timedelta(seconds=self.downtime_seconds or 0))


def _seconds(value: timedelta) -> int:
    return max(round(value.total_seconds()), 0)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
