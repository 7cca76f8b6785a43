"""Alert notifications: channels (Apprise and our webhook), retries, and maintenance windows."""

from integration_health.alerts.apprise_channel import AppriseChannel
from integration_health.alerts.backoff import next_attempt
from integration_health.alerts.channels import build_channels, send_test
from integration_health.alerts.config import (
    AlertSettings,
    ChannelConfig,
    MaintenanceWindow,
    maintenance_calendar,
)
from integration_health.alerts.delivery import Channel, Delivery, Outcome
from integration_health.alerts.maintenance import MaintenanceCalendar, Occurrence
from integration_health.alerts.notification import Notification, NotificationEvent
from integration_health.alerts.webhook import WebhookChannel

__all__ = [
    "AlertSettings",
    "AppriseChannel",
    "Channel",
    "ChannelConfig",
    "Delivery",
    "MaintenanceCalendar",
    "MaintenanceWindow",
    "Notification",
    "NotificationEvent",
    "Occurrence",
    "Outcome",
    "WebhookChannel",
    "build_channels",
    "maintenance_calendar",
    "next_attempt",
    "send_test",
]
