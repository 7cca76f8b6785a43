"""``/api/v1/health/integrations/{integration}/history`` and ``/events``: health over time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from integration_health.api.auth import require_reader
from integration_health.api.errors import ApiError
from integration_health.api.health import ServiceDep
from integration_health.api.schemas import ErrorOut, HealthRecordOut, IntegrationEventOut
from integration_health.domain import EventSeverity
from integration_health.service import Service

router = APIRouter(
    prefix="/api/v1/health/integrations",
    tags=["history"],
    dependencies=[Depends(require_reader)],
)

DEFAULT_WINDOW = timedelta(hours=24)
MAX_LIMIT = 10_000

StartQuery = Annotated[
    str | None, Query(description="RFC 3339 with an offset; default: 24 hours before end")
]
EndQuery = Annotated[str | None, Query(description="RFC 3339 with an offset; default: now")]
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="newest rows at most")]
ERRORS: dict[int | str, dict[str, object]] = {400: {"model": ErrorOut}, 404: {"model": ErrorOut}}


@router.get("/{integration}/history", responses=ERRORS)
async def history(
    integration: str,
    service: ServiceDep,
    *,
    start: StartQuery = None,
    end: EndQuery = None,
    limit: LimitQuery = 1000,
) -> list[HealthRecordOut]:
    """Return the integration's history in the window, newest first, bounds included."""
    since, until = _window(service, integration, start, end)
    records = await service.repository.get_health_history(integration, since, until, limit=limit)
    return [HealthRecordOut.of(record) for record in records]


@router.get("/{integration}/events", responses=ERRORS)
async def events(
    integration: str,
    service: ServiceDep,
    *,
    start: StartQuery = None,
    end: EndQuery = None,
    severity: EventSeverity | None = None,
    limit: LimitQuery = 1000,
) -> list[IntegrationEventOut]:
    """Return the integration's events in the window, newest first, bounds included."""
    since, until = _window(service, integration, start, end)
    found = await service.repository.get_events(
        integration, since, until, severity=severity, limit=limit
    )
    return [IntegrationEventOut.of(event) for event in found]


def _window(
    service: Service, integration: str, start: str | None, end: str | None
) -> tuple[datetime, datetime]:
    if integration not in service.policies:
        raise ApiError(404, f"no integration named '{integration}'")
    until = _timestamp("end", end) if end else service.now()
    since = _timestamp("start", start) if start else until - DEFAULT_WINDOW
    if since > until:
        raise ApiError(400, "start must not be after end")
    return since, until


def _timestamp(name: str, value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ApiError(
            400, f"{name} is not an RFC 3339 timestamp, e.g. 2026-11-22T12:00:00Z"
        ) from None
    if parsed.tzinfo is None:
        raise ApiError(400, f"{name} needs a UTC offset, e.g. 2026-11-22T12:00:00Z or +01:00")
    return parsed
