"""Any HTTP API: a GET of its health URL, with optional headers and expected statuses."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, SecretStr

from integration_health.checks.base import HttpUrl, IntegrationConfig, ProbeSpec

StatusCode = Annotated[int, Field(ge=100, le=599)]


class HttpConfig(IntegrationConfig):
    """A URL to GET; header values are treated as secrets."""

    type: Literal["http"]
    url: HttpUrl
    headers: dict[str, SecretStr] = Field(default_factory=dict)
    expect_status: Annotated[list[StatusCode], Field(min_length=1)] | None = None

    def probe(self) -> ProbeSpec:
        """Return ``GET {url}`` with the configured headers."""
        return ProbeSpec(
            url=self.url,
            headers={key: value.get_secret_value() for key, value in self.headers.items()},
            expect_status=None if self.expect_status is None else frozenset(self.expect_status),
        )
