"""What the API returns, in camelCase JSON; kept apart from the domain types."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from integration_health.domain import HealthStatus, IntegrationHealth


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

    @classmethod
    def of(cls, health: IntegrationHealth) -> IntegrationHealthOut:
        """Return the API shape of ``health``."""
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
        )


class ServiceHealthOut(Schema):
    """The service's own liveness."""

    status: str
    version: str
    started_at: datetime
    integrations: int
    checked: int


class ErrorDetail(Schema):
    """What went wrong, for machines (``code``) and people (``message``)."""

    code: str
    message: str


class ErrorOut(Schema):
    """Every error response."""

    error: ErrorDetail
