"""Create the history, event and state tables.

Revision ID: 0001
Revises:
Create Date: 2026-01-11
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written by hand, so the revision keeps its meaning when tables.py moves on.
_TIMESTAMP = sa.DateTime(timezone=True)
# SQLite's NUMERIC would store decimals as binary floats; text keeps them exact.
_DECIMAL = sa.Numeric().with_variant(sa.Text(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Create the three tables and their indexes."""
    op.create_table(
        "integration_health",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("integration_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("pricing_sync_status", sa.Text()),
        sa.Column("fees_sync_status", sa.Text()),
        sa.Column("booking_loss_rate", _DECIMAL),
        sa.Column("error_rate", _DECIMAL),
        sa.Column("response_time_ms", sa.Integer()),
        sa.Column("error_message", sa.Text()),
        sa.Column("last_checked", _TIMESTAMP, nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("updated_at", _TIMESTAMP, nullable=False),
    )
    op.create_index(
        "uq_integration_health_integration_id_last_checked",
        "integration_health",
        ["integration_id", sa.text("last_checked DESC")],
        unique=True,
    )
    op.create_table(
        "integration_events",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("integration_id", sa.Text(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("metadata", _JSON, nullable=False, server_default=sa.text("'{}'")),
        sa.Column("occurred_at", _TIMESTAMP, nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
    )
    op.create_index(
        "ix_integration_events_integration_id_occurred_at",
        "integration_events",
        ["integration_id", sa.text("occurred_at DESC")],
    )
    op.create_table(
        "integration_state",
        sa.Column("integration_id", sa.Text(), primary_key=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("last_check", _TIMESTAMP, nullable=False),
        sa.Column("last_successful_check", _TIMESTAMP),
        sa.Column("response_time_ms", sa.Integer()),
        sa.Column("error_message", sa.Text()),
        sa.Column(
            "consecutive_failures", sa.Integer(), nullable=False, server_default=sa.text("0")
        ),
        sa.Column("downtime_start", _TIMESTAMP),
        sa.Column("alert_open", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("pricing_sync_status", sa.Text()),
        sa.Column("fees_sync_status", sa.Text()),
        sa.Column("booking_loss_rate", _DECIMAL),
        sa.Column("error_rate", _DECIMAL),
        sa.Column("updated_at", _TIMESTAMP, nullable=False),
    )


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("integration_state")
    op.drop_index("ix_integration_events_integration_id_occurred_at", "integration_events")
    op.drop_table("integration_events")
    op.drop_index("uq_integration_health_integration_id_last_checked", "integration_health")
    op.drop_table("integration_health")
