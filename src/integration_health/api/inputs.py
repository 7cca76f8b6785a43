"""What the write endpoints accept: strict, camelCase, every problem named by its field."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Self, TypeVar

from fastapi import Request
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic.alias_generators import to_camel

from integration_health.api.errors import ApiError, validation_error
from integration_health.domain import EventSeverity, PmsMetrics, SyncStatus

MAX_BODY = 64 * 1024
RATE_RULE = "must be a number between 0 and 1"


def _rate(value: object) -> Decimal:
    # bool is an int to Python, and json.loads lets NaN and Infinity through: refuse them all.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(RATE_RULE)  # noqa: TRY004 - pydantic reports only ValueError
    if not math.isfinite(value) or not 0 <= value <= 1:
        raise ValueError(RATE_RULE)
    return Decimal(str(value))


def _timestamp(value: object) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("must be an RFC 3339 timestamp, e.g. 2026-11-22T12:00:00Z") from None
    else:
        raise ValueError("must be an RFC 3339 timestamp string")  # noqa: TRY004 - as above
    if moment.tzinfo is None:
        raise ValueError("needs a UTC offset, e.g. 2026-11-22T12:00:00Z or +01:00")
    return moment.astimezone(UTC)


Rate = Annotated[Decimal, BeforeValidator(_rate)]
Timestamp = Annotated[datetime, BeforeValidator(_timestamp)]


class _Input(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


InputT = TypeVar("InputT", bound=_Input)


class ReportIn(_Input):
    """A PMS sync job's report of its own health; at least one metric."""

    pricing_sync_status: SyncStatus | None = None
    fees_sync_status: SyncStatus | None = None
    booking_loss_rate: Rate | None = None
    error_rate: Rate | None = None
    last_checked: Timestamp | None = None

    @model_validator(mode="after")
    def _some_metric(self) -> Self:
        if self.metrics == PmsMetrics():
            raise ValueError(
                "at least one of pricingSyncStatus, feesSyncStatus, bookingLossRate, "
                "errorRate is required"
            )
        return self

    @property
    def metrics(self) -> PmsMetrics:
        """Return the reported metrics."""
        return PmsMetrics(
            pricing_sync_status=self.pricing_sync_status,
            fees_sync_status=self.fees_sync_status,
            booking_loss_rate=self.booking_loss_rate,
            error_rate=self.error_rate,
        )


class EventIn(_Input):
    """Something that happened to an integration, told by whoever saw it."""

    event_type: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.-]{0,63}$")]
    severity: EventSeverity
    message: Annotated[str, Field(min_length=1, max_length=2000)]
    metadata: dict[str, Any] = Field(default_factory=dict)
    occurred_at: Timestamp | None = None


async def read_json(request: Request) -> object:
    """Return the JSON body; 415 unless it is JSON, 413 past 64 KiB."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise ApiError(415, "send the body as JSON, with Content-Type: application/json")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise ApiError(413, "the body is larger than 64 KiB")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise ApiError(413, "the body is larger than 64 KiB")
    try:
        return json.loads(body)
    except ValueError:
        raise ApiError(415, "the body is not valid JSON") from None


def parse(model: type[InputT], body: object) -> InputT:
    """Return ``body`` as ``model``; a 422 naming every problem otherwise."""
    if not isinstance(body, dict):
        raise validation_error([("body", "must be a JSON object")])
    try:
        return model.model_validate(body)
    except PydanticValidationError as error:
        problems = []
        for item in error.errors(include_input=False, include_url=False):
            field = ".".join(str(part) for part in item["loc"]) or "body"
            reason = item["msg"].removeprefix("Value error, ")
            if item["type"] == "extra_forbidden":
                reason = "unknown field"
            problems.append((field, reason))
        raise validation_error(problems) from None
