"""Storage: tables, migrations, the repositories and the buffered writer (the only SQL)."""

from integration_health.storage.alert_rows import AlertRow, ChannelDelivery, ListedAlert, OutboxRow
from integration_health.storage.alerts import AlertRepository
from integration_health.storage.engine import create_engine
from integration_health.storage.migrate import current_revision, downgrade, upgrade
from integration_health.storage.repository import IntegrationHealthRepository
from integration_health.storage.retention import prune_once
from integration_health.storage.urls import async_url, redact
from integration_health.storage.writer import HistoryWriter

__all__ = [
    "AlertRepository",
    "AlertRow",
    "ChannelDelivery",
    "HistoryWriter",
    "IntegrationHealthRepository",
    "ListedAlert",
    "OutboxRow",
    "async_url",
    "create_engine",
    "current_revision",
    "downgrade",
    "prune_once",
    "redact",
    "upgrade",
]
