"""What the monitor keeps in history: a row per result and a stored event per domain event."""

from __future__ import annotations

from typing import Any

from integration_health.domain import AlertOpened, Event, IntegrationEvent, StatusChanged
from integration_health.durations import format_duration

STATUS_CHANGED = "status_changed"
ALERT_OPENED = "alert_opened"
ALERT_RESOLVED = "alert_resolved"


def stored_event(event: Event) -> IntegrationEvent:
    """Return the stored form of a domain event, with its facts as metadata."""
    metadata: dict[str, Any]
    if isinstance(event, StatusChanged):
        event_type = STATUS_CHANGED
        previous = None if event.previous is None else str(event.previous)
        message = f"{event.integration} is {event.current}"
        if event.error:
            message += f": {event.error}"
        metadata = {
            "previousStatus": previous,
            "newStatus": str(event.current),
            "responseTimeMs": event.response_time_ms,
            "error": event.error,
        }
    elif isinstance(event, AlertOpened):
        event_type = ALERT_OPENED
        message = f"{event.integration} has been offline for {format_duration(event.downtime)}"
        metadata = {
            "previousStatus": "offline",
            "newStatus": "offline",
            "downtimeStart": event.downtime_start.isoformat(),
            "downtimeSeconds": round(event.downtime.total_seconds()),
            "consecutiveFailures": event.consecutive_failures,
            "responseTimeMs": None,
            "error": event.error,
        }
    else:
        event_type = ALERT_RESOLVED
        message = f"{event.integration} recovered after {format_duration(event.downtime)}"
        metadata = {
            "previousStatus": "offline",
            "newStatus": str(event.status),
            "downtimeStart": event.downtime_start.isoformat(),
            "downtimeSeconds": round(event.downtime.total_seconds()),
            "responseTimeMs": event.response_time_ms,
            "error": None,
        }
    return IntegrationEvent(
        integration_id=event.integration,
        event_type=event_type,
        severity=event.severity,
        message=message,
        occurred_at=event.occurred_at,
        metadata=metadata,
    )
