"""Results in, state and events out: the monitor hands each event to every subscriber."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from integration_health.domain import (
    AlertOpened,
    AlertResolved,
    Event,
    HealthCheckResult,
    StatusChanged,
)
from integration_health.durations import format_duration
from integration_health.state import HealthStore

log = logging.getLogger("integration_health.monitor")

ResultSink = Callable[[HealthCheckResult], None]
EventSink = Callable[[Event], None]


class Monitor:
    """Records results in the store and publishes what changed; subscribers must not block."""

    def __init__(self, store: HealthStore, now: Callable[[], datetime]) -> None:
        self.store = store
        self._now = now
        self._result_sinks: list[ResultSink] = []
        self._event_sinks: list[EventSink] = [log_event]

    def on_result(self, sink: ResultSink) -> None:
        """Call ``sink`` with every result."""
        self._result_sinks.append(sink)

    def on_event(self, sink: EventSink) -> None:
        """Call ``sink`` with every event."""
        self._event_sinks.append(sink)

    def handle(self, result: HealthCheckResult) -> list[Event]:
        """Record one result, publish it and its events, and return the events."""
        events = self.store.record(result, self._now())
        for result_sink in self._result_sinks:
            result_sink(result)
        self._publish(events)
        return events

    def sweep(self) -> list[Event]:
        """Open alerts whose threshold passed between results, publish and return them."""
        events = self.store.sweep(self._now())
        self._publish(events)
        return events

    def _publish(self, events: list[Event]) -> None:
        for event in events:
            for sink in self._event_sinks:
                try:
                    sink(event)
                except Exception:
                    # One broken subscriber must not silence the others.
                    log.exception("an event subscriber failed")


def log_event(event: Event) -> None:
    """Log an event as one line: a warning for an alert, info for the rest."""
    name = event.integration
    if isinstance(event, AlertOpened):
        log.warning(
            "alert opened: %s has been offline for %s (%d consecutive failures, last error: %s)",
            name,
            format_duration(event.downtime),
            event.consecutive_failures,
            event.error or "none",
            extra={
                "integration": name,
                "status": "offline",
                "downtime_seconds": round(event.downtime.total_seconds()),
                "consecutive_failures": event.consecutive_failures,
                "error": event.error,
            },
        )
    elif isinstance(event, AlertResolved):
        log.info(
            "alert closed: %s was offline for %s",
            name,
            format_duration(event.downtime),
            extra={
                "integration": name,
                "status": str(event.status),
                "downtime_seconds": round(event.downtime.total_seconds()),
            },
        )
    elif isinstance(event, StatusChanged):
        _log_status(event)


def _log_status(event: StatusChanged) -> None:
    name = event.integration
    extra: dict[str, object] = {"integration": name, "status": str(event.current)}
    if event.outage_started is not None:
        downtime = event.occurred_at - event.outage_started
        extra["downtime_seconds"] = round(downtime.total_seconds())
        log.info("%s recovered after %s", name, format_duration(downtime), extra=extra)
        return
    if event.error:
        extra["error"] = event.error
        log.info("%s is %s: %s", name, event.current, event.error, extra=extra)
    else:
        log.info("%s is %s", name, event.current, extra=extra)
