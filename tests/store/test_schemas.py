"""PostgreSQL stores kept as schemas of one database (`?options=-csearch_path%3Dteam,public`):
a store is the tables of the first schema on its URL's search_path, and the pgvector type
must be found from every store's search path, whichever store created it."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from grimoire.errors import StoreError
from grimoire.ingest import ingest
from grimoire.store import open_store
from tests.conftest import PgDatabases
from tests.store.test_contract import write_vault


def _on_path(url: str, *schemas: str) -> str:
    path = "%2C".join(schemas)
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{path}"


def _vector_schema(url: str) -> str | None:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n"
            " ON n.oid = e.extnamespace WHERE e.extname = 'vector'").fetchone()
    return None if row is None else str(row[0])


def test_a_schema_store_made_first_leaves_the_vector_type_where_the_plain_store_finds_it(
    pg: PgDatabases, tmp_path: Path
) -> None:
    """The first store of a fresh database is made with `search_path=team,public`: pgvector
    goes into `public` (CREATE EXTENSION alone would put it into `team`, where a store in
    `public` or another schema cannot see it, and its migration would fail with 'type
    "vector" does not exist')."""
    url = pg.url()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA team")
        conn.execute("CREATE SCHEMA lab")
    write_vault(tmp_path / "vault", 2, "gamma")
    with closing(open_store(_on_path(url, "team", "public"))) as team:
        ingest(team, [tmp_path / "vault"], workers=1)
    assert _vector_schema(url) == "public"
    with closing(open_store(url)) as plain, \
            closing(open_store(_on_path(url, "lab", "public"))) as lab:
        ingest(lab, [tmp_path / "vault"], workers=1)
        assert (plain.stats().sources, lab.stats().sources) == (0, 2)


def test_a_store_whose_search_path_cannot_see_the_vector_type_is_a_clear_error(
    pg: PgDatabases,
) -> None:
    """pgvector lives in `public`; a store on `search_path=solo` alone would make tables
    that name a type it cannot see: it is refused before anything is written, naming the
    schema the type is in and what to add to the URL."""
    url = pg.url()
    with closing(open_store(url)):
        pass  # the plain store installs pgvector into public
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA solo")
    with pytest.raises(StoreError, match=r'schema "public".*search_path'):
        open_store(_on_path(url, "solo"))
    with psycopg.connect(url) as conn:
        tables = conn.execute("SELECT count(*) FROM information_schema.tables"
                              " WHERE table_schema = 'solo'").fetchone()
    assert tables == (0,)
