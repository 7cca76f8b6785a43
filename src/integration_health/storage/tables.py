"""The three tables: history rows, events, and the state restored after a restart.

``migrations/versions`` creates exactly these; a change here needs a new revision there.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    Uuid,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from integration_health.storage.types import ExactDecimal, UtcDateTime

metadata = MetaData()

integration_health = Table(
    "integration_health",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("integration_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("pricing_sync_status", Text),
    Column("fees_sync_status", Text),
    Column("booking_loss_rate", ExactDecimal),
    Column("error_rate", ExactDecimal),
    Column("response_time_ms", Integer),
    Column("error_message", Text),
    Column("last_checked", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# One unique index is both the UNIQUE (integration_id, last_checked) the upserts infer
# (inference ignores sort order) and the newest-first index every history read uses; a
# second, plain index would double the index writes of every ingested row.
Index(
    "uq_integration_health_integration_id_last_checked",
    integration_health.c.integration_id,
    integration_health.c.last_checked.desc(),
    unique=True,
)

integration_events = Table(
    "integration_events",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("integration_id", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("severity", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column(
        "metadata",
        JSON().with_variant(JSONB(), "postgresql"),
        nullable=False,
        server_default=text("'{}'"),
    ),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

Index(
    "ix_integration_events_integration_id_occurred_at",
    integration_events.c.integration_id,
    integration_events.c.occurred_at.desc(),
)

integration_state = Table(
    "integration_state",
    metadata,
    Column("integration_id", Text, primary_key=True),
    Column("status", Text, nullable=False),
    Column("last_check", UtcDateTime, nullable=False),
    Column("last_successful_check", UtcDateTime),
    Column("response_time_ms", Integer),
    Column("error_message", Text),
    Column("consecutive_failures", Integer, nullable=False, server_default=text("0")),
    Column("downtime_start", UtcDateTime),
    Column("alert_open", Boolean, nullable=False, server_default=false()),
    Column("pricing_sync_status", Text),
    Column("fees_sync_status", Text),
    Column("booking_loss_rate", ExactDecimal),
    Column("error_rate", ExactDecimal),
    Column("updated_at", UtcDateTime, nullable=False),
)
