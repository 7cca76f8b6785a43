"""Our own channel type: the documented JSON body POSTed to a URL, signed when a secret is set.

Headers: ``Content-Type: application/json``, ``X-Alert-Id`` (the same for every notification of
one alert, so a receiver can deduplicate on it with ``event`` and ``occurredAt``) and, with a
secret, ``X-Signature-SHA256``: the hex HMAC-SHA256 of the exact body bytes under that secret.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from datetime import timedelta

import aiohttp
from pydantic import SecretStr

from integration_health.alerts.delivery import DEADLINE, Delivery, report
from integration_health.alerts.notification import Notification

SIGNATURE_HEADER = "X-Signature-SHA256"
ALERT_ID_HEADER = "X-Alert-Id"


def encode(notification: Notification) -> bytes:
    """Return the exact body bytes a webhook receives for ``notification``."""
    return json.dumps(notification.to_json(), separators=(",", ":")).encode()


def sign(secret: str, body: bytes) -> str:
    """Return the hex HMAC-SHA256 of ``body`` under ``secret``."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def judge(status: int) -> Delivery:
    """Return what an HTTP response status means for this delivery."""
    reason = f"HTTP {status}"
    if 200 <= status < 300:
        return Delivery.delivered(reason)
    if 400 <= status < 500 and status not in (408, 429):
        return Delivery.permanent(reason)
    return Delivery.retryable(reason)


class WebhookChannel:
    """POSTs a notification's JSON body to one URL within one hard deadline."""

    def __init__(
        self,
        name: str,
        url: SecretStr,
        secret: SecretStr | None = None,
        *,
        deadline: timedelta = DEADLINE,
    ) -> None:
        self._name = name
        self._url = url
        self._secret = secret
        self._deadline = deadline

    @property
    def name(self) -> str:
        """Return the channel's configured name."""
        return self._name

    async def send(self, notification: Notification) -> Delivery:
        """Try once to deliver ``notification``; never raises for anything the receiver does."""
        body = encode(notification)
        headers = {"Content-Type": "application/json", ALERT_ID_HEADER: str(notification.alert_id)}
        if self._secret is not None:
            headers[SIGNATURE_HEADER] = sign(self._secret.get_secret_value(), body)
        try:
            async with asyncio.timeout(self._deadline.total_seconds()):
                status = await self._post(body, headers)
        except TimeoutError:
            delivery = Delivery.retryable("timeout")
        except (aiohttp.ClientError, OSError):
            # The exception text can quote the URL, which may carry a token: name the kind only.
            delivery = Delivery.retryable("connection failed")
        else:
            delivery = judge(status)
        return report(self._name, notification, delivery)

    async def _post(self, body: bytes, headers: dict[str, str]) -> int:
        # A session per send: alerts are rare, and this keeps a dead receiver's connections
        # out of the pool the checks share.
        async with (
            aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=None),
                headers={"User-Agent": "integration-health"},
            ) as session,
            # A redirect would re-send a signed body somewhere nobody configured.
            session.post(
                self._url.get_secret_value(), data=body, headers=headers, allow_redirects=False
            ) as response,
        ):
            return response.status
