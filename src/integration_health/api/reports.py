"""``POST .../reports`` and ``POST .../events``: integrations that tell their own health."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from fastapi import APIRouter, Depends, Request

from integration_health.api.auth import require_writer
from integration_health.api.errors import ApiError, validation_error
from integration_health.api.health import ServiceDep
from integration_health.api.inputs import EventIn, ReportIn, parse, read_json
from integration_health.api.schemas import ErrorOut, HealthRecordOut, IntegrationEventOut
from integration_health.domain import IntegrationEvent
from integration_health.service import Service

router = APIRouter(
    prefix="/api/v1/health/integrations",
    tags=["reports"],
    dependencies=[Depends(require_writer)],
    responses={code: {"model": ErrorOut} for code in (401, 403, 404, 409, 413, 415, 422)},
)

MAX_AHEAD = timedelta(minutes=5)
"""How far in the future a timestamp may be: clocks drift, but not by this much."""


@router.post("/{integration}/reports", status_code=201)
async def report(integration: str, request: Request, service: ServiceDep) -> HealthRecordOut:
    """Record a PMS integration's report; answer with the stored row and its derived status."""
    _known(service, integration)
    if integration not in service.reporting:
        raise ApiError(
            409, f"'{integration}' is checked by probing, not by reports (only type: pms reports)"
        )
    body = parse(ReportIn, await read_json(request))
    at = body.last_checked or service.now()
    _not_ahead(service, "lastChecked", body.last_checked)
    record = service.reporting.accept(integration, body.metrics, at)
    received = service.now()
    return HealthRecordOut.of(dataclasses.replace(record, created_at=received, updated_at=received))


@router.post("/{integration}/events", status_code=201)
async def event(integration: str, request: Request, service: ServiceDep) -> IntegrationEventOut:
    """Store an event told about an integration; answer with the stored event."""
    _known(service, integration)
    body = parse(EventIn, await read_json(request))
    _not_ahead(service, "occurredAt", body.occurred_at)
    stored = IntegrationEvent(
        integration_id=integration,
        event_type=body.event_type,
        severity=body.severity,
        message=body.message,
        occurred_at=body.occurred_at or service.now(),
        metadata=body.metadata,
    )
    service.writer.add_event(stored)
    return IntegrationEventOut.of(dataclasses.replace(stored, created_at=service.now()))


def _known(service: Service, integration: str) -> None:
    if integration not in service.policies:
        raise ApiError(404, f"no integration named '{integration}'")


def _not_ahead(service: Service, field: str, moment: datetime | None) -> None:
    if moment is not None and moment > service.now() + MAX_AHEAD:
        raise validation_error([(field, "is more than 5 minutes in the future")])
