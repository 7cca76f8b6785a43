"""The tables: history rows, events, the state restored after a restart, alerts and their outbox.

``migrations/versions`` creates exactly these; a change here needs a new revision there.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
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

alerts = Table(
    "alerts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("integration_id", Text, nullable=False),
    Column("downtime_start", UtcDateTime, nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("resolved_at", UtcDateTime),
    Column("last_error", Text),
    Column("consecutive_failures", Integer, nullable=False, server_default=text("0")),
    Column("last_reminder_at", UtcDateTime),
)

# At most one open alert per integration, across restarts and processes: the database
# refuses a second one, and the same index finds the open alert to resolve.
_OPEN = alerts.c.resolved_at.is_(None)
Index(
    "uq_alerts_integration_id_open",
    alerts.c.integration_id,
    unique=True,
    postgresql_where=_OPEN,
    sqlite_where=_OPEN,
)
Index("ix_alerts_integration_id_opened_at", alerts.c.integration_id, alerts.c.opened_at.desc())

notifications = Table(
    "notifications",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("alert_id", Uuid, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("channel", Text, nullable=False),
    Column("event", Text, nullable=False),
    Column("payload", JSON().with_variant(JSONB(), "postgresql"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("first_failure_at", UtcDateTime),
    Column("delivered_at", UtcDateTime),
    Column("given_up_at", UtcDateTime),
    Column("last_error", Text),
)

# Delivered and abandoned rows pile up; the dispatcher's poll reads only the pending ones.
_PENDING = notifications.c.delivered_at.is_(None) & notifications.c.given_up_at.is_(None)
Index(
    "ix_notifications_pending_next_attempt_at",
    notifications.c.next_attempt_at,
    postgresql_where=_PENDING,
    sqlite_where=_PENDING,
)
Index("ix_notifications_alert_id_channel", notifications.c.alert_id, notifications.c.channel)
