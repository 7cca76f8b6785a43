"""The configured channels, built by name, and the test notification that proves them."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime, timedelta

from integration_health.alerts.apprise_channel import AppriseChannel
from integration_health.alerts.config import AlertSettings
from integration_health.alerts.delivery import DEADLINE, Channel, Delivery
from integration_health.alerts.notification import Notification
from integration_health.alerts.webhook import WebhookChannel
from integration_health.errors import NotFoundError


def build_channels(settings: AlertSettings, deadline: timedelta = DEADLINE) -> dict[str, Channel]:
    """Return every configured channel by name, in configuration order."""
    channels: dict[str, Channel] = {}
    for config in settings.channels:
        if config.type == "webhook":
            channels[config.name] = WebhookChannel(
                config.name, config.url, config.secret, deadline=deadline
            )
        else:
            channels[config.name] = AppriseChannel(config.name, config.url, deadline=deadline)
    return channels


async def send_test(
    channels: Mapping[str, Channel], only: str | None = None, *, now: datetime
) -> list[tuple[str, Delivery]]:
    """Send a test notification to channel ``only`` or to every channel, all at once.

    Return each channel's name and delivery in order; raise NotFoundError for an unknown name.
    """
    if only is not None and only not in channels:
        known = ", ".join(channels) or "none are configured"
        raise NotFoundError(f"no alert channel named '{only}'; known channels: {known}")
    chosen = [channels[only]] if only is not None else list(channels.values())
    notification = Notification.test(now)
    deliveries = await asyncio.gather(*(channel.send(notification) for channel in chosen))
    return [(channel.name, delivery) for channel, delivery in zip(chosen, deliveries, strict=True)]
