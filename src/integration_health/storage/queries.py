"""Every statement the repository runs, built once: hot reads skip rebuilding and re-keying."""

from __future__ import annotations

from sqlalchemy import Integer, bindparam, select

from integration_health.storage.rows import HEALTH_COLUMNS
from integration_health.storage.tables import (
    integration_events,
    integration_health,
    integration_state,
)
from integration_health.storage.upsert import Upsert

_health = integration_health.c
_events = integration_events.c

LATEST_HEALTH = (
    select(*HEALTH_COLUMNS)
    .where(_health.integration_id == bindparam("integration_id"))
    .order_by(_health.last_checked.desc())
    .limit(1)
)

HEALTH_HISTORY = (
    select(*HEALTH_COLUMNS)
    .where(
        _health.integration_id == bindparam("integration_id"),
        _health.last_checked >= bindparam("start", type_=_health.last_checked.type),
        _health.last_checked <= bindparam("end", type_=_health.last_checked.type),
    )
    .order_by(_health.last_checked.desc())
)
HEALTH_HISTORY_LIMITED = HEALTH_HISTORY.limit(bindparam("limit", type_=Integer))

EVENTS = (
    select(integration_events)
    .where(
        _events.integration_id == bindparam("integration_id"),
        _events.occurred_at >= bindparam("start", type_=_events.occurred_at.type),
        _events.occurred_at <= bindparam("end", type_=_events.occurred_at.type),
    )
    .order_by(_events.occurred_at.desc())
)

STATES = select(integration_state).order_by(integration_state.c.integration_id)

STORE_HEALTH = Upsert(
    integration_health,
    key=("integration_id", "last_checked"),
    update=(
        "status",
        "pricing_sync_status",
        "fees_sync_status",
        "booking_loss_rate",
        "error_rate",
        "response_time_ms",
        "error_message",
        "updated_at",
    ),
)
# A retried batch may hold events a lost acknowledgement already stored: skip those.
STORE_EVENTS = Upsert(integration_events, key=("id",), update=())
STORE_STATES = Upsert(
    integration_state,
    key=("integration_id",),
    update=tuple(c.name for c in integration_state.c if c.name != "integration_id"),
)
