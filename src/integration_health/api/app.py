"""The app factory: one FastAPI app around one Service, started and stopped by its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI

from integration_health.api import alerts, errors, health, history, reports
from integration_health.service import Service


def create_app(service: Service, *, run_monitor: bool = True) -> FastAPI:
    """Return the API for ``service``; its lifespan starts and stops it and, maybe, the checks."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await service.start(monitor=run_monitor)
        try:
            yield
        finally:
            await service.stop()

    app = FastAPI(
        title="integration-health",
        version=version("integration-health"),
        summary="The health of every integration, checked on a schedule.",
        lifespan=lifespan,
    )
    app.state.service = service
    errors.install(app)
    app.include_router(health.router)
    app.include_router(history.router)
    app.include_router(reports.router)
    app.include_router(alerts.router)
    return app
