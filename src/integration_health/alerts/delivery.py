"""What a channel says after one attempt to deliver, and the one interface every channel has."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Protocol

from integration_health.alerts.notification import Notification

log = logging.getLogger("integration_health.alerts")

DEADLINE = timedelta(seconds=10)
"""How long one attempt on one channel may take before it counts as a timeout."""


class Outcome(StrEnum):
    """How one delivery attempt ended."""

    DELIVERED = "delivered"
    RETRYABLE = "retryable"
    """Worth trying again later: a timeout, a dead connection, a 5xx, 408 or 429."""
    PERMANENT = "permanent"
    """The receiver refused this message for good (a 4xx): retrying cannot help."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """The outcome of one attempt and a short reason that never contains a URL or secret."""

    outcome: Outcome
    reason: str

    @classmethod
    def delivered(cls, reason: str = "delivered") -> Delivery:
        """Return a successful delivery."""
        return cls(Outcome.DELIVERED, reason)

    @classmethod
    def retryable(cls, reason: str) -> Delivery:
        """Return a failure worth retrying."""
        return cls(Outcome.RETRYABLE, reason)

    @classmethod
    def permanent(cls, reason: str) -> Delivery:
        """Return a refusal that retrying cannot fix."""
        return cls(Outcome.PERMANENT, reason)

    @property
    def ok(self) -> bool:
        """Return whether the notification was delivered."""
        return self.outcome is Outcome.DELIVERED


class Channel(Protocol):
    """A place notifications go. ``send`` never raises for anything the receiver does."""

    @property
    def name(self) -> str:
        """Return the channel's configured name, the only way it is ever logged."""
        ...

    async def send(self, notification: Notification) -> Delivery:
        """Try once to deliver ``notification`` within the channel's deadline."""
        ...


def report(channel: str, notification: Notification, delivery: Delivery) -> Delivery:
    """Log a permanent refusal as an error naming the channel, and return ``delivery``."""
    if delivery.outcome is Outcome.PERMANENT:
        log.error(
            "Alert channel %s refused the %s notification for %s (%s); not retrying it",
            channel,
            notification.event.value,
            notification.integration,
            delivery.reason,
            extra={"integration": notification.integration, "error": delivery.reason},
        )
    return delivery
