"""sql/0002_rosters rolls back cleanly (tables and the shifts' origin columns go) and applies again."""

from __future__ import annotations

import psycopg
from yoyo import get_backend, read_migrations

from api.db import SQL_DIR, _yoyo_url, upgrade


def _columns(url: str) -> tuple[set[str], set[str]]:
    with psycopg.connect(url) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        cols = {r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'shifts'")}
    return tables, cols


def test_rosters_migration_rolls_back_and_applies_again(fresh_database_url: str) -> None:
    tables, cols = _columns(fresh_database_url)
    assert {"roster_patterns", "roster_overrides", "absences"} <= tables and {"pattern_id", "pattern_day"} <= cols
    backend = get_backend(_yoyo_url(fresh_database_url))
    try:
        migrations = read_migrations(str(SQL_DIR))
        ours = migrations.__class__([m for m in migrations if m.id == "0002_rosters"])
        with backend.lock():
            backend.rollback_migrations(backend.to_rollback(ours))
    finally:
        backend.connection.close()
    tables, cols = _columns(fresh_database_url)
    assert not {"roster_patterns", "roster_overrides", "absences"} & tables
    assert not {"pattern_id", "pattern_day"} & cols and {"workers", "shifts", "tasks"} <= tables
    assert upgrade(fresh_database_url) == ["0002_rosters"]
    assert _columns(fresh_database_url)[0] >= {"roster_patterns", "roster_overrides", "absences"}
