"""The vocabulary of the product: statuses, results, health records and events.

Pure types and rules, no I/O. Every timestamp is an aware UTC ``datetime``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from integration_health.ids import new_id


class HealthStatus(StrEnum):
    """How an integration is doing, best first."""

    ONLINE = "online"
    DEGRADED = "degraded"
    OFFLINE = "offline"

    @property
    def rank(self) -> int:
        """Return 0 for online, 1 for degraded, 2 for offline (the Nagios exit code too)."""
        return _RANK[self]


_RANK = {HealthStatus.ONLINE: 0, HealthStatus.DEGRADED: 1, HealthStatus.OFFLINE: 2}


class EventSeverity(StrEnum):
    """How loudly an event speaks."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class SyncStatus(StrEnum):
    """How a PMS sync job last went."""

    OK = "ok"
    DELAYED = "delayed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class PmsMetrics:
    """What a PMS sync job reports about itself; rates are fractions in [0, 1]."""

    pricing_sync_status: SyncStatus | None = None
    fees_sync_status: SyncStatus | None = None
    booking_loss_rate: Decimal | None = None
    error_rate: Decimal | None = None


@dataclass(frozen=True, slots=True)
class HealthCheckResult:
    """The outcome of one check of one integration, or of one report it made."""

    integration: str
    status: HealthStatus
    response_time_ms: int | None
    error_message: str | None
    checked_at: datetime
    metrics: PmsMetrics | None = None

    @classmethod
    def online(cls, integration: str, response_time_ms: int, at: datetime) -> HealthCheckResult:
        """Return a successful result."""
        return cls(integration, HealthStatus.ONLINE, response_time_ms, None, at)

    @classmethod
    def degraded(
        cls, integration: str, response_time_ms: int, message: str, at: datetime
    ) -> HealthCheckResult:
        """Return a result that succeeded but should worry someone."""
        return cls(integration, HealthStatus.DEGRADED, response_time_ms, message, at)

    @classmethod
    def offline(cls, integration: str, message: str, at: datetime) -> HealthCheckResult:
        """Return a failed result; like the seed, it carries no response time."""
        return cls(integration, HealthStatus.OFFLINE, None, message, at)


@dataclass(frozen=True, slots=True)
class IntegrationHealth:
    """What is known now about one integration, built up from its results."""

    integration: str
    status: HealthStatus
    last_check: datetime
    last_successful_check: datetime | None = None
    response_time_ms: int | None = None
    error_message: str | None = None
    consecutive_failures: int = 0
    downtime_start: datetime | None = None
    alert_open: bool = False
    metrics: PmsMetrics | None = None

    def downtime(self, now: datetime) -> timedelta:
        """Return how long the current outage has lasted (zero when there is none)."""
        if self.downtime_start is None:
            return timedelta(0)
        return max(now - self.downtime_start, timedelta(0))


@dataclass(frozen=True, slots=True)
class StatusChanged:
    """An integration moved from one status to another (``previous`` is None the first time)."""

    integration: str
    previous: HealthStatus | None
    current: HealthStatus
    response_time_ms: int | None
    error: str | None
    occurred_at: datetime
    outage_started: datetime | None = None
    """When this change ends an outage: when that outage began."""

    @property
    def severity(self) -> EventSeverity:
        """Return info for a recovery, warning otherwise: only an alert is critical."""
        if self.current is HealthStatus.ONLINE:
            return EventSeverity.INFO
        return EventSeverity.WARNING


@dataclass(frozen=True, slots=True)
class AlertOpened:
    """An integration has been offline longer than its ``alert_after``: one per outage."""

    integration: str
    downtime_start: datetime
    consecutive_failures: int
    error: str | None
    occurred_at: datetime

    @property
    def downtime(self) -> timedelta:
        """Return how long the integration had been down when the alert opened."""
        return self.occurred_at - self.downtime_start

    severity = EventSeverity.CRITICAL


@dataclass(frozen=True, slots=True)
class AlertResolved:
    """An integration with an open alert is back."""

    integration: str
    downtime_start: datetime
    status: HealthStatus
    response_time_ms: int | None
    occurred_at: datetime

    @property
    def downtime(self) -> timedelta:
        """Return how long the outage lasted."""
        return self.occurred_at - self.downtime_start

    severity = EventSeverity.INFO


Event = StatusChanged | AlertOpened | AlertResolved


@dataclass(frozen=True, slots=True)
class HealthRecord:
    """One row of an integration's history: a check result or a reported health."""

    integration_id: str
    status: HealthStatus
    last_checked: datetime
    response_time_ms: int | None = None
    error_message: str | None = None
    pricing_sync_status: str | None = None
    fees_sync_status: str | None = None
    booking_loss_rate: Decimal | None = None
    error_rate: Decimal | None = None
    id: UUID = field(default_factory=new_id)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_result(cls, result: HealthCheckResult) -> HealthRecord:
        """Return the history row of one check result or report."""
        metrics = result.metrics or PmsMetrics()
        return cls(
            integration_id=result.integration,
            status=result.status,
            last_checked=result.checked_at,
            response_time_ms=result.response_time_ms,
            error_message=result.error_message,
            pricing_sync_status=metrics.pricing_sync_status,
            fees_sync_status=metrics.fees_sync_status,
            booking_loss_rate=metrics.booking_loss_rate,
            error_rate=metrics.error_rate,
        )


@dataclass(frozen=True, slots=True)
class IntegrationEvent:
    """Something that happened to an integration, as it is stored and listed."""

    integration_id: str
    event_type: str
    severity: EventSeverity
    message: str
    occurred_at: datetime
    metadata: dict[str, Any] = field(default_factory=dict)
    id: UUID = field(default_factory=new_id)
    created_at: datetime | None = None
