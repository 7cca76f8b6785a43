"""Column types that read back exactly what was written, on SQLite as on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Numeric, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

# These processors run once per value: a 24-hour history window reads thousands of
# timestamps, so each type hands the driver what it wants in one C-level call.


class UtcDateTime(TypeDecorator[datetime]):
    """A ``timestamptz`` that takes and returns aware UTC datetimes; naive ones are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Callable[[datetime | None], Any]:
        """Return the function that turns a datetime into what the driver stores."""
        # SQLite has no time zones and compares timestamps as text: storing UTC, in the
        # format SQLAlchemy itself uses, keeps their order and their instants right.
        return _to_sqlite if dialect.name == "sqlite" else _aware

    def result_processor(
        self, dialect: Dialect, coltype: object
    ) -> Callable[[Any], datetime | None] | None:
        """Return the function that turns a stored value into an aware UTC datetime."""
        # asyncpg already returns timestamptz as aware UTC datetimes.
        return _from_sqlite if dialect.name == "sqlite" else None


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"a naive datetime cannot be stored: {value.isoformat()}")
    return value


def _to_sqlite(value: datetime | None) -> str | None:
    if value is None:
        return None
    _aware(value)
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _from_sqlite(value: str | None) -> datetime | None:
    if value is None:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


class ExactDecimal(TypeDecorator[Decimal]):
    """A ``numeric`` that round-trips ``Decimal`` exactly; SQLite keeps it as text."""

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """Return TEXT on SQLite, whose NUMERIC would turn decimals into binary floats."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def bind_processor(self, dialect: Dialect) -> Callable[[Decimal | None], Any] | None:
        """Return the function that turns a Decimal into text on SQLite; nothing elsewhere."""
        return _decimal_to_text if dialect.name == "sqlite" else None

    def result_processor(
        self, dialect: Dialect, coltype: object
    ) -> Callable[[Any], Decimal | None] | None:
        """Return the function that reads text back as a Decimal on SQLite; nothing elsewhere."""
        # asyncpg already returns numeric as Decimal.
        return _text_to_decimal if dialect.name == "sqlite" else None


def _decimal_to_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _text_to_decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)
