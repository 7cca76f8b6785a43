"""``/api/v1/health``: the service's own liveness and every integration's health."""

from __future__ import annotations

from importlib.metadata import version
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from integration_health.api.auth import require_reader
from integration_health.api.errors import ApiError
from integration_health.api.schemas import (
    DatabaseOut,
    ErrorOut,
    IntegrationHealthOut,
    ServiceHealthOut,
)
from integration_health.domain import HealthStatus
from integration_health.service import Service

router = APIRouter(prefix="/api/v1/health", tags=["health"])


async def get_service(request: Request) -> Service:
    """Return the service the app was built around."""
    # async, though it awaits nothing: FastAPI runs a plain def dependency in its threadpool,
    # and that round trip cost more than a whole report (bench/reports.py).
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


@router.get("")
async def service_health(service: ServiceDep) -> ServiceHealthOut:
    """Return the service's own liveness."""
    return ServiceHealthOut(
        status="ok",
        version=version("integration-health"),
        started_at=service.started_at,
        integrations=len(service.settings.integrations),
        checked=len(service.store),
        database=DatabaseOut(reachable=service.writer.healthy, pending_rows=service.writer.pending),
    )


@router.get("/integrations", dependencies=[Depends(require_reader)])
async def list_integrations(
    service: ServiceDep,
    status: Annotated[HealthStatus | None, Query(description="only this status")] = None,
) -> list[IntegrationHealthOut]:
    """Return every checked integration's health, sorted by name."""
    return [
        IntegrationHealthOut.of(health)
        for health in service.store.all()
        if status is None or health.status is status
    ]


@router.get(
    "/integrations/{integration}",
    responses={404: {"model": ErrorOut}},
    dependencies=[Depends(require_reader)],
)
async def get_integration(integration: str, service: ServiceDep) -> IntegrationHealthOut:
    """Return one integration's health."""
    health = service.store.get(integration)
    if health is not None:
        return IntegrationHealthOut.of(health)
    if integration in service.policies:
        raise ApiError(404, f"integration '{integration}' has not been checked yet", "not_checked")
    raise ApiError(404, f"no integration named '{integration}'")
