"""The in-memory health of every integration: ``record(result, now)`` says what changed.

No I/O and no awaits: under asyncio every call is atomic, so concurrent checks and API
readers always see a whole record.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from integration_health.domain import (
    AlertOpened,
    AlertResolved,
    Event,
    HealthCheckResult,
    HealthStatus,
    IntegrationHealth,
    StatusChanged,
)

AlertAfter = Callable[[str], timedelta]
"""Return how long an integration may stay offline before an alert opens."""

Quiet = Callable[[str, datetime], datetime | None]
"""Return when the maintenance window covering an integration at a time ends, or None."""

GraceUntil = Callable[[str], datetime]
"""Return the time before which no alert opens for an integration (the monitor's own start)."""


def _never_quiet(_: str, __: datetime) -> None:
    return None


class HealthStore:
    """Current health per integration, and the rules that turn results into events."""

    def __init__(
        self,
        alert_after: AlertAfter,
        *,
        quiet: Quiet = _never_quiet,
        grace_until: GraceUntil | None = None,
    ) -> None:
        self._alert_after = alert_after
        self._quiet = quiet
        self._grace_until = grace_until
        self._health: dict[str, IntegrationHealth] = {}
        self._quiet_end: dict[str, datetime] = {}

    def get(self, integration: str) -> IntegrationHealth | None:
        """Return the health of one integration, or None before its first result."""
        return self._health.get(integration)

    def all(self) -> list[IntegrationHealth]:
        """Return every integration's health, sorted by name."""
        return [self._health[name] for name in sorted(self._health)]

    def __len__(self) -> int:
        return len(self._health)

    def restore(self, records: Iterable[IntegrationHealth]) -> None:
        """Load health remembered from before a restart; results recorded later build on it."""
        for record in records:
            self._health[record.integration] = record

    def record(self, result: HealthCheckResult, now: datetime) -> list[Event]:
        """Apply one result and return the events it caused, in order."""
        previous = self._health.get(result.integration)
        current = _apply(previous, result)
        events: list[Event] = []
        if previous is None or previous.status is not current.status:
            events.append(
                StatusChanged(
                    integration=result.integration,
                    previous=None if previous is None else previous.status,
                    current=current.status,
                    response_time_ms=result.response_time_ms,
                    error=result.error_message,
                    occurred_at=result.checked_at,
                    outage_started=_ended_outage(previous, current),
                )
            )
        current, alert = self._alert_transition(previous, current, now)
        if alert is not None:
            events.append(alert)
        self._health[result.integration] = current
        return events

    def sweep(self, now: datetime) -> list[Event]:
        """Open the alerts whose threshold has passed since the last result, and return them."""
        events: list[Event] = []
        for name, health in self._health.items():
            if health.status is HealthStatus.OFFLINE and not health.alert_open:
                updated, alert = self._alert_transition(health, health, now)
                self._health[name] = updated
                if alert is not None:
                    events.append(alert)
        return events

    def _alert_transition(
        self, previous: IntegrationHealth | None, current: IntegrationHealth, now: datetime
    ) -> tuple[IntegrationHealth, Event | None]:
        if current.status is not HealthStatus.OFFLINE:
            return self._resolve(previous, current)
        if current.alert_open or current.downtime_start is None:
            return current, None
        current = self._after_maintenance(current, now)
        name = current.integration
        if name in self._quiet_end or current.downtime_start is None:
            return current, None
        if self._grace_until is not None and now < self._grace_until(name):
            return current, None
        if current.downtime(now) <= self._alert_after(name):
            return current, None
        opened = AlertOpened(
            integration=name,
            downtime_start=current.downtime_start,
            consecutive_failures=current.consecutive_failures,
            error=current.error_message,
            occurred_at=now,
        )
        return dataclasses.replace(current, alert_open=True), opened

    def _resolve(
        self, previous: IntegrationHealth | None, current: IntegrationHealth
    ) -> tuple[IntegrationHealth, Event | None]:
        self._quiet_end.pop(current.integration, None)
        if previous is None or not previous.alert_open or previous.downtime_start is None:
            return current, None
        resolved = AlertResolved(
            integration=current.integration,
            downtime_start=previous.downtime_start,
            status=current.status,
            response_time_ms=current.response_time_ms,
            occurred_at=current.last_check,
        )
        return dataclasses.replace(current, alert_open=False), resolved

    def _after_maintenance(self, current: IntegrationHealth, now: datetime) -> IntegrationHealth:
        """Return ``current``, its outage counted from the end of a window it outlasted."""
        name = current.integration
        window_end = self._quiet(name, now)
        if window_end is not None:
            self._quiet_end[name] = max(window_end, self._quiet_end.get(name, window_end))
            return current
        if name not in self._quiet_end or current.downtime_start is None:
            return current
        start = max(current.downtime_start, self._quiet_end.pop(name))
        return dataclasses.replace(current, downtime_start=start)


def _apply(previous: IntegrationHealth | None, result: HealthCheckResult) -> IntegrationHealth:
    """Return the health after ``result``: success ends an outage, failure starts or extends it."""
    base = previous or IntegrationHealth(
        integration=result.integration, status=result.status, last_check=result.checked_at
    )
    updated = dataclasses.replace(
        base,
        status=result.status,
        last_check=result.checked_at,
        response_time_ms=result.response_time_ms,
        error_message=result.error_message,
        # A stale PMS integration keeps the last metrics it reported.
        metrics=result.metrics or base.metrics,
    )
    if result.status is HealthStatus.OFFLINE:
        return dataclasses.replace(
            updated,
            consecutive_failures=base.consecutive_failures + 1,
            downtime_start=base.downtime_start or result.checked_at,
        )
    return dataclasses.replace(
        updated,
        last_successful_check=result.checked_at,
        consecutive_failures=0,
        downtime_start=None,
    )


def _ended_outage(
    previous: IntegrationHealth | None, current: IntegrationHealth
) -> datetime | None:
    if previous is None or current.status is HealthStatus.OFFLINE:
        return None
    return previous.downtime_start
