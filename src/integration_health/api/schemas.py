"""What the API returns, in camelCase JSON; kept apart from the domain types."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from integration_health.domain import (
    EventSeverity,
    HealthRecord,
    HealthStatus,
    IntegrationEvent,
    IntegrationHealth,
    PmsMetrics,
    SyncStatus,
)


class Schema(BaseModel):
    """A response body: camelCase on the wire, snake_case in Python."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class IntegrationHealthOut(Schema):
    """The current health of one integration."""

    integration: str
    status: HealthStatus
    last_successful_check: datetime | None
    last_check: datetime
    response_time_ms: int | None
    error_message: str | None
    consecutive_failures: int
    downtime_start: datetime | None
    alert_open: bool
    pricing_sync_status: SyncStatus | None
    fees_sync_status: SyncStatus | None
    booking_loss_rate: float | None
    error_rate: float | None

    @classmethod
    def of(cls, health: IntegrationHealth) -> IntegrationHealthOut:
        """Return the API shape of ``health``; PMS metrics are null for probed integrations."""
        metrics = health.metrics or PmsMetrics()
        return cls(
            integration=health.integration,
            status=health.status,
            last_successful_check=health.last_successful_check,
            last_check=health.last_check,
            response_time_ms=health.response_time_ms,
            error_message=health.error_message,
            consecutive_failures=health.consecutive_failures,
            downtime_start=health.downtime_start,
            alert_open=health.alert_open,
            pricing_sync_status=metrics.pricing_sync_status,
            fees_sync_status=metrics.fees_sync_status,
            booking_loss_rate=_rate(metrics.booking_loss_rate),
            error_rate=_rate(metrics.error_rate),
        )


class DatabaseOut(Schema):
    """Whether history is being written."""

    reachable: bool
    pending_rows: int


class ServiceHealthOut(Schema):
    """The service's own liveness."""

    status: str
    version: str
    started_at: datetime
    integrations: int
    checked: int
    database: DatabaseOut


class ErrorDetail(Schema):
    """What went wrong, for machines (``code``) and people (``message``)."""

    code: str
    message: str


class ErrorOut(Schema):
    """Every error response."""

    error: ErrorDetail


class HealthRecordOut(Schema):
    """One row of an integration's history."""

    id: UUID
    integration_id: str
    status: HealthStatus
    last_checked: datetime
    response_time_ms: int | None
    error_message: str | None
    pricing_sync_status: SyncStatus | None
    fees_sync_status: SyncStatus | None
    booking_loss_rate: float | None
    error_rate: float | None
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, record: HealthRecord) -> HealthRecordOut:
        """Return the API shape of ``record``."""
        return cls(
            id=record.id,
            integration_id=record.integration_id,
            status=record.status,
            last_checked=record.last_checked,
            response_time_ms=record.response_time_ms,
            error_message=record.error_message,
            pricing_sync_status=_sync(record.pricing_sync_status),
            fees_sync_status=_sync(record.fees_sync_status),
            booking_loss_rate=_rate(record.booking_loss_rate),
            error_rate=_rate(record.error_rate),
            created_at=record.created_at,
            updated_at=record.updated_at,
        )


class IntegrationEventOut(Schema):
    """One stored event of an integration."""

    id: UUID
    integration_id: str
    event_type: str
    severity: EventSeverity
    message: str
    metadata: dict[str, Any]
    occurred_at: datetime
    created_at: datetime | None

    @classmethod
    def of(cls, event: IntegrationEvent) -> IntegrationEventOut:
        """Return the API shape of ``event``."""
        return cls(
            id=event.id,
            integration_id=event.integration_id,
            event_type=event.event_type,
            severity=event.severity,
            message=event.message,
            metadata=event.metadata,
            occurred_at=event.occurred_at,
            created_at=event.created_at,
        )


def _rate(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _sync(value: str | None) -> SyncStatus | None:
    return None if value is None else SyncStatus(value)
