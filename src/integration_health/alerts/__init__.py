"""Alert notifications: channels (Apprise, our webhook), the outbox, retries, maintenance."""

from integration_health.alerts import outbox
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
from integration_health.alerts.dispatcher import Dispatcher
from integration_health.alerts.maintenance import MaintenanceCalendar, Occurrence
from integration_health.alerts.notification import Notification, NotificationEvent
from integration_health.alerts.webhook import WebhookChannel

__all__ = [
    "AlertSettings",
    "AppriseChannel",
    "Channel",
    "ChannelConfig",
    "Delivery",
    "Dispatcher",
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
    "outbox",
    "send_test",
]
