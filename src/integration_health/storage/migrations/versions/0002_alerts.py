"""Create the alerts table and the notification outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-18
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written by hand, so the revision keeps its meaning when tables.py moves on.
_TIMESTAMP = sa.DateTime(timezone=True)
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_OPEN = sa.text("resolved_at IS NULL")
_PENDING = sa.text("delivered_at IS NULL AND given_up_at IS NULL")


def upgrade() -> None:
    """Create the two tables and their indexes."""
    op.create_table(
        "alerts",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("integration_id", sa.Text(), nullable=False),
        sa.Column("downtime_start", _TIMESTAMP, nullable=False),
        sa.Column("opened_at", _TIMESTAMP, nullable=False),
        sa.Column("resolved_at", _TIMESTAMP),
        sa.Column("last_error", sa.Text()),
        sa.Column(
            "consecutive_failures", sa.Integer(), nullable=False, server_default=sa.text("0")
        ),
        sa.Column("last_reminder_at", _TIMESTAMP),
    )
    op.create_index(
        "uq_alerts_integration_id_open",
        "alerts",
        ["integration_id"],
        unique=True,
        postgresql_where=_OPEN,
        sqlite_where=_OPEN,
    )
    op.create_index(
        "ix_alerts_integration_id_opened_at",
        "alerts",
        ["integration_id", sa.text("opened_at DESC")],
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "alert_id",
            sa.Uuid(),
            sa.ForeignKey("alerts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("payload", _JSON, nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("next_attempt_at", _TIMESTAMP, nullable=False),
        sa.Column("first_failure_at", _TIMESTAMP),
        sa.Column("delivered_at", _TIMESTAMP),
        sa.Column("given_up_at", _TIMESTAMP),
        sa.Column("last_error", sa.Text()),
    )
    op.create_index(
        "ix_notifications_pending_next_attempt_at",
        "notifications",
        ["next_attempt_at"],
        postgresql_where=_PENDING,
        sqlite_where=_PENDING,
    )
    op.create_index("ix_notifications_alert_id_channel", "notifications", ["alert_id", "channel"])


def downgrade() -> None:
    """Drop the two tables."""
    op.drop_index("ix_notifications_alert_id_channel", "notifications")
    op.drop_index("ix_notifications_pending_next_attempt_at", "notifications")
    op.drop_table("notifications")
    op.drop_index("ix_alerts_integration_id_opened_at", "alerts")
    op.drop_index("uq_alerts_integration_id_open", "alerts")
    op.drop_table("alerts")
