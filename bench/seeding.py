"""Bulk loading of signature rows for the benchmarks, shared by each bench's own generator.

A bench generates rows of the columns it cares about, ending in created_at and confirmed_at;
this module adds the columns every row needs and no bench chooses (a random uuid, updated_at
as the app would have set it), writes SQLite's datetime text, and loads the rows with
executemany in one transaction (SQLite) or COPY (PostgreSQL), then refreshes the planner's
statistics as autovacuum soon would.
"""
from __future__ import annotations

import itertools
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

ADDED = ("uuid", "updated_at")


def sqlite_time(value: datetime | str | None) -> str | None:
    """The text SQLAlchemy's SQLite DateTime stores: UTC, no zone suffix (text passes as is)."""
    if value is None or isinstance(value, str):
        return value
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def completed(rows: Iterable[tuple], *, sqlite: bool) -> Iterator[tuple]:
    """Each row with its times in the database's form, plus a uuid and updated_at (the row's
    confirmation, else its creation)."""
    for row in rows:
        created, confirmed = row[-2], row[-1]
        updated = confirmed or created
        if sqlite:
            created, confirmed, updated = sqlite_time(created), sqlite_time(confirmed), sqlite_time(updated)
        yield (*row[:-2], created, confirmed, str(uuid.uuid4()), updated)


def insert_sql(columns: tuple[str, ...]) -> str:
    names = (*columns, *ADDED)
    return f"INSERT INTO signatures ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"


def copy_sql(columns: tuple[str, ...]) -> str:
    return f"COPY signatures ({', '.join((*columns, *ADDED))}) FROM STDIN"


def load_sqlite(path: Path, columns: tuple[str, ...], batches: Iterable[Iterable[tuple]]) -> None:
    """executemany in one transaction, then ANALYZE."""
    with sqlite3.connect(path) as conn:
        for rows in batches:
            conn.executemany(insert_sql(columns), completed(rows, sqlite=True))
        conn.execute("ANALYZE")


def load_postgres(url: str, columns: tuple[str, ...], batches: Iterable[Iterable[tuple]]) -> None:
    """COPY, then VACUUM ANALYZE (index-only scans need the visibility map)."""
    import psycopg

    plain_url = url.replace("+psycopg", "")
    with (psycopg.connect(plain_url) as conn, conn.cursor() as cur,
          cur.copy(copy_sql(columns)) as copy):
        for rows in batches:
            for row in completed(rows, sqlite=False):
                copy.write_row(row)
    with psycopg.connect(plain_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE signatures")


def load_through(engine, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """The same load on an engine's own raw connection (COPY, or executemany by 50,000)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cursor.copy(copy_sql(columns)) as copy:
                for row in completed(rows, sqlite=False):
                    copy.write_row(row)
            cursor.execute("ANALYZE signatures")
        else:
            full = completed(rows, sqlite=True)
            cursor.execute("BEGIN")
            while batch := list(itertools.islice(full, 50_000)):
                cursor.executemany(insert_sql(columns), batch)
            cursor.execute("COMMIT")
        cursor.close()
        raw.commit()
    finally:
        raw.close()
