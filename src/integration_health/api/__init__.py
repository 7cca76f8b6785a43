"""The REST API: app factory, routes and schemas."""

from integration_health.api.app import create_app

__all__ = ["create_app"]
