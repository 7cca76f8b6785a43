"""Migrations: they build the schema on an empty database and take it away again."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import URL, Connection

from integration_health.errors import DatabaseError
from integration_health.storage import create_engine, current_revision, downgrade, upgrade
from integration_health.storage.tables import metadata
from tests.storage.support import admin, tables_in

TABLES = {
    "integration_health",
    "integration_events",
    "integration_state",
    "alerts",
    "notifications",
}


async def test_upgrade_creates_every_table_in_an_empty_database(empty_database_url: URL) -> None:
    await upgrade(empty_database_url)

    assert (TABLES, "0002") == (
        await tables_in(empty_database_url),
        await current_revision(empty_database_url),
    )


async def test_upgrade_twice_changes_nothing(empty_database_url: URL) -> None:
    await upgrade(empty_database_url)
    await upgrade(empty_database_url)

    assert TABLES == await tables_in(empty_database_url)


async def test_downgrade_to_base_removes_every_table(empty_database_url: URL) -> None:
    await upgrade(empty_database_url)

    await downgrade(empty_database_url)

    assert (set(), None) == (
        await tables_in(empty_database_url),
        await current_revision(empty_database_url),
    )


async def test_the_migrated_schema_matches_the_tables_module(empty_database_url: URL) -> None:
    await upgrade(empty_database_url)

    engine = create_engine(empty_database_url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_compare)
    finally:
        await engine.dispose()

    assert [] == differences


async def test_a_database_at_an_unknown_revision_is_refused_with_the_reason(
    empty_database_url: URL,
) -> None:
    await upgrade(empty_database_url)
    await admin(empty_database_url, "UPDATE alembic_version SET version_num = '9999'")

    with pytest.raises(DatabaseError, match="Failed to migrate the database") as raised:
        await upgrade(empty_database_url)

    assert "No such revision or branch '9999'" in raised.value.detail


async def test_an_unreachable_database_fails_the_migration_without_its_password() -> None:
    with pytest.raises(DatabaseError, match="Failed to migrate the database") as raised:
        await upgrade("postgresql://monitor:hunter2@127.0.0.1:1/health")

    assert raised.value.detail.startswith("ConnectionRefusedError")
    assert "hunter2" not in f"{raised.value} {raised.value.detail}"


def _compare(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))
