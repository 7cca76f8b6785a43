"""Domain objects to table rows and back: the only place that knows both shapes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Row

from integration_health.domain import (
    EventSeverity,
    HealthRecord,
    HealthStatus,
    IntegrationEvent,
    IntegrationHealth,
    PmsMetrics,
    SyncStatus,
)
from integration_health.storage.tables import integration_health as history

K = TypeVar("K")
V = TypeVar("V")

_STATUSES = {status.value: status for status in HealthStatus}


def health_row(record: HealthRecord, now: datetime) -> dict[str, Any]:
    """Return the ``integration_health`` row of ``record``, stored at ``now``."""
    return {
        "id": record.id,
        "integration_id": record.integration_id,
        "status": record.status.value,
        "pricing_sync_status": record.pricing_sync_status,
        "fees_sync_status": record.fees_sync_status,
        "booking_loss_rate": record.booking_loss_rate,
        "error_rate": record.error_rate,
        "response_time_ms": record.response_time_ms,
        "error_message": record.error_message,
        "last_checked": record.last_checked,
        "created_at": record.created_at or now,
        "updated_at": now,
    }


HEALTH_COLUMNS = (
    history.c.id,
    history.c.integration_id,
    history.c.status,
    history.c.pricing_sync_status,
    history.c.fees_sync_status,
    history.c.booking_loss_rate,
    history.c.error_rate,
    history.c.response_time_ms,
    history.c.error_message,
    history.c.last_checked,
    history.c.created_at,
    history.c.updated_at,
)
"""What a query selects for ``health_record``, in the order it unpacks them."""


def health_record(row: Sequence[Any]) -> HealthRecord:
    """Return the ``HealthRecord`` of a row of ``HEALTH_COLUMNS``."""
    # Unpacking by position: a history window converts thousands of rows, and reading
    # a Row by attribute name costs several times more.
    (
        id_,
        integration_id,
        status,
        pricing_sync_status,
        fees_sync_status,
        booking_loss_rate,
        error_rate,
        response_time_ms,
        error_message,
        last_checked,
        created_at,
        updated_at,
    ) = row
    return HealthRecord(
        integration_id=integration_id,
        status=_STATUSES[status],
        last_checked=last_checked,
        response_time_ms=response_time_ms,
        error_message=error_message,
        pricing_sync_status=pricing_sync_status,
        fees_sync_status=fees_sync_status,
        booking_loss_rate=booking_loss_rate,
        error_rate=error_rate,
        id=id_,
        created_at=created_at,
        updated_at=updated_at,
    )


def event_row(event: IntegrationEvent, now: datetime) -> dict[str, Any]:
    """Return the ``integration_events`` row of ``event``, stored at ``now``."""
    return {
        "id": event.id,
        "integration_id": event.integration_id,
        "event_type": event.event_type,
        "severity": event.severity.value,
        "message": event.message,
        "metadata": event.metadata,
        "occurred_at": event.occurred_at,
        "created_at": event.created_at or now,
    }


def integration_event(row: Row[Any]) -> IntegrationEvent:
    """Return the ``IntegrationEvent`` of an ``integration_events`` row."""
    return IntegrationEvent(
        integration_id=row.integration_id,
        event_type=row.event_type,
        severity=EventSeverity(row.severity),
        message=row.message,
        occurred_at=row.occurred_at,
        metadata=row.metadata,
        id=row.id,
        created_at=row.created_at,
    )


def state_row(state: IntegrationHealth, now: datetime) -> dict[str, Any]:
    """Return the ``integration_state`` row of ``state``, stored at ``now``."""
    metrics = state.metrics or PmsMetrics()
    return {
        "integration_id": state.integration,
        "status": state.status.value,
        "last_check": state.last_check,
        "last_successful_check": state.last_successful_check,
        "response_time_ms": state.response_time_ms,
        "error_message": state.error_message,
        "consecutive_failures": state.consecutive_failures,
        "downtime_start": state.downtime_start,
        "alert_open": state.alert_open,
        "pricing_sync_status": metrics.pricing_sync_status,
        "fees_sync_status": metrics.fees_sync_status,
        "booking_loss_rate": metrics.booking_loss_rate,
        "error_rate": metrics.error_rate,
        "updated_at": now,
    }


def state_health(row: Row[Any]) -> IntegrationHealth:
    """Return the ``IntegrationHealth`` of an ``integration_state`` row; no metrics if all empty."""
    metrics = PmsMetrics(
        pricing_sync_status=_sync_status(row.pricing_sync_status),
        fees_sync_status=_sync_status(row.fees_sync_status),
        booking_loss_rate=row.booking_loss_rate,
        error_rate=row.error_rate,
    )
    return IntegrationHealth(
        integration=row.integration_id,
        status=_STATUSES[row.status],
        last_check=row.last_check,
        last_successful_check=row.last_successful_check,
        response_time_ms=row.response_time_ms,
        error_message=row.error_message,
        consecutive_failures=row.consecutive_failures,
        downtime_start=row.downtime_start,
        alert_open=row.alert_open,
        metrics=None if metrics == PmsMetrics() else metrics,
    )


def _sync_status(value: str | None) -> SyncStatus | None:
    return None if value is None else SyncStatus(value)


def last_per_key(items: Iterable[tuple[K, V]]) -> list[V]:
    """Return the last value given for each key, in order of each key's first appearance."""
    # One INSERT ... ON CONFLICT may not touch the same row twice (PostgreSQL refuses),
    # so a batch keeps only the newest version of each key.
    latest: dict[K, V] = {}
    for key, value in items:
        latest[key] = value
    return list(latest.values())
