"""``/api/v1/alerts`` and ``/api/v1/maintenance``: alerted outages, and windows that mute them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from integration_health.api.auth import require_reader
from integration_health.api.health import ServiceDep
from integration_health.api.schemas import Schema
from integration_health.storage.alert_rows import ChannelDelivery, ListedAlert

router = APIRouter(prefix="/api/v1", tags=["alerts"], dependencies=[Depends(require_reader)])


class DeliveryOut(Schema):
    """Where one notification of an alert stands on its channel."""

    channel: str
    event: str
    state: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    given_up_at: datetime | None
    last_error: str | None

    @classmethod
    def of(cls, delivery: ChannelDelivery) -> DeliveryOut:
        """Return the API shape of ``delivery``."""
        return cls(
            channel=delivery.channel,
            event=delivery.event,
            state=delivery.state,
            attempts=delivery.attempts,
            created_at=delivery.created_at,
            next_attempt_at=delivery.next_attempt_at,
            delivered_at=delivery.delivered_at,
            given_up_at=delivery.given_up_at,
            last_error=delivery.last_error,
        )


class AlertOut(Schema):
    """One alert: an outage longer than its threshold, and its notifications."""

    alert_id: UUID
    integration: str
    state: Literal["open", "resolved"]
    downtime_start: datetime
    opened_at: datetime
    resolved_at: datetime | None
    downtime_seconds: int
    consecutive_failures: int
    last_error: str | None
    deliveries: list[DeliveryOut]

    @classmethod
    def of(cls, listed: ListedAlert, now: datetime) -> AlertOut:
        """Return the API shape of ``listed``; an open alert's downtime runs until ``now``."""
        alert = listed.alert
        until = alert.resolved_at or now
        return cls(
            alert_id=alert.id,
            integration=alert.integration_id,
            state="open" if alert.is_open else "resolved",
            downtime_start=alert.downtime_start,
            opened_at=alert.opened_at,
            resolved_at=alert.resolved_at,
            downtime_seconds=round((until - alert.downtime_start).total_seconds()),
            consecutive_failures=alert.consecutive_failures,
            last_error=alert.last_error,
            deliveries=[DeliveryOut.of(delivery) for delivery in listed.deliveries],
        )


class MaintenanceOut(Schema):
    """One maintenance window; ``integration`` is null for a global one."""

    integration: str | None
    start: datetime
    end: datetime
    active: bool


@router.get("/alerts")
async def list_alerts(
    service: ServiceDep,
    state: Literal["open", "resolved"] | None = None,
    integration: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AlertOut]:
    """Return alerts, newest first, with the delivery state of each notification per channel."""
    listed = await service.alerts.list_alerts(state, integration, limit)
    now = service.now()
    return [AlertOut.of(item, now) for item in listed]


@router.get("/maintenance")
async def list_maintenance(service: ServiceDep) -> list[MaintenanceOut]:
    """Return the maintenance windows active now or starting within seven days, soonest first."""
    now = service.now()
    return [
        MaintenanceOut(
            integration=item.integration,
            start=item.start,
            end=item.end,
            active=item.covers(now),
        )
        for item in service.calendar.upcoming(now)
    ]
