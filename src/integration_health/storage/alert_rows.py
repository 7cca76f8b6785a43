"""The rows of the alert tables as types, and the conversions both ways."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, NamedTuple
from uuid import UUID

from sqlalchemy import Row

from integration_health.domain import AlertOpened

AlertState = Literal["open", "resolved"]
DeliveryState = Literal["pending", "delivered", "given_up"]


@dataclass(frozen=True, slots=True)
class AlertRow:
    """One alert: an outage that lasted past its threshold, open until the integration is back."""

    id: UUID
    integration_id: str
    downtime_start: datetime
    opened_at: datetime
    resolved_at: datetime | None
    last_error: str | None
    consecutive_failures: int
    last_reminder_at: datetime | None

    @property
    def is_open(self) -> bool:
        """Return whether the alert has not been resolved."""
        return self.resolved_at is None


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One notification waiting to be sent to one channel."""

    id: UUID
    alert_id: UUID
    channel: str
    event: str
    payload: dict[str, Any]
    created_at: datetime
    attempts: int
    next_attempt_at: datetime
    first_failure_at: datetime | None


@dataclass(frozen=True, slots=True)
class ChannelDelivery:
    """Where one notification of an alert stands on its channel."""

    channel: str
    event: str
    state: DeliveryState
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    given_up_at: datetime | None
    last_error: str | None


class ListedAlert(NamedTuple):
    """An alert and the delivery of each of its notifications, oldest first."""

    alert: AlertRow
    deliveries: list[ChannelDelivery]


def alert_row(alert_id: UUID, opened: AlertOpened) -> dict[str, Any]:
    return {
        "id": alert_id,
        "integration_id": opened.integration,
        "downtime_start": opened.downtime_start,
        "opened_at": opened.occurred_at,
        "resolved_at": None,
        "last_error": opened.error,
        "consecutive_failures": opened.consecutive_failures,
        "last_reminder_at": None,
    }


def alert_from(row: Row[Any]) -> AlertRow:
    # The table's columns are the dataclass's fields, by name.
    return AlertRow(**row._mapping)


def outbox_from(row: Row[Any]) -> OutboxRow:
    return OutboxRow(**row._mapping)


def delivery_from(row: Row[Any]) -> ChannelDelivery:
    state: DeliveryState = "pending"
    if row.delivered_at is not None:
        state = "delivered"
    elif row.given_up_at is not None:
        state = "given_up"
    return ChannelDelivery(
        channel=row.channel,
        event=row.event,
        state=state,
        attempts=row.attempts,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at if state == "pending" else None,
        delivered_at=row.delivered_at,
        given_up_at=row.given_up_at,
        last_error=row.last_error,
    )
