"""Every service Apprise knows (Slack, Teams, e-mail, PagerDuty, ntfy, ...) behind one channel.

Apprise sends with blocking libraries (requests, smtplib); ``async_notify`` runs them on
Apprise's own worker threads, so the event loop never waits on a slow service. Apprise reports
no HTTP status, so every failure it reports counts as retryable.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import apprise
from pydantic import SecretStr

from integration_health.alerts.delivery import DEADLINE, Delivery, report
from integration_health.alerts.notification import Notification, NotificationEvent

_TYPES = {
    NotificationEvent.OPENED: apprise.NotifyType.FAILURE,
    NotificationEvent.REMINDER: apprise.NotifyType.FAILURE,
    NotificationEvent.RESOLVED: apprise.NotifyType.SUCCESS,
    NotificationEvent.TEST: apprise.NotifyType.INFO,
}

# A thread blocked in a socket cannot be cancelled. Apprise's own timeout gives up on it and
# answers TIMEOUT; ours is the backstop should that answer itself be late.
_GRACE = 1.0

_REASONS = {
    apprise.AppriseResultStatus.SUCCESS: Delivery.delivered(),
    apprise.AppriseResultStatus.TIMEOUT: Delivery.retryable("timeout"),
    apprise.AppriseResultStatus.PARTIAL: Delivery.retryable("delivered to some targets only"),
}


class AppriseChannel:
    """Sends a notification's title and body to one Apprise URL within one deadline."""

    def __init__(self, name: str, url: SecretStr, *, deadline: timedelta = DEADLINE) -> None:
        self._name = name
        self._url = url
        self._deadline = deadline

    @property
    def name(self) -> str:
        """Return the channel's configured name."""
        return self._name

    async def send(self, notification: Notification) -> Delivery:
        """Try once to deliver ``notification``; never raises for anything the service does."""
        # A fresh Apprise per send: a plugin instance throttles its own consecutive sends and
        # is not meant to be shared by concurrent ones.
        service = apprise.Apprise()
        if not service.add(self._url.get_secret_value()):
            return report(self._name, notification, Delivery.permanent("not an Apprise URL"))
        seconds = self._deadline.total_seconds()
        try:
            async with asyncio.timeout(seconds + _GRACE):
                result = await service.async_notify(
                    body=notification.body(),
                    title=notification.title(),
                    notify_type=_TYPES[notification.event],
                    body_format=apprise.NotifyFormat.TEXT,
                    timeout=seconds,
                )
        except TimeoutError:
            return report(self._name, notification, Delivery.retryable("timeout"))
        # Closing the result frees the temporary files Apprise may keep its captured logs in.
        with result:
            delivery = _REASONS.get(result.status, Delivery.retryable("Apprise reported a failure"))
        return report(self._name, notification, delivery)
