"""The team store for tests: one throwaway PostgreSQL cluster per session, a template database holding the
sop schema, and a fresh database per test cloned from it, with logins made on demand (each granted sop_user;
`ani`, the stories' default person, is also sop_admin so that their --force stays allowed)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.pgcluster import Cluster, quote_ident

TEMPLATE = "sop_template"
ADMINS = {"ani", "postgres"}
_names = itertools.count(1)


@dataclass
class Team:
    """The session's cluster with the schema in a template; `database()` gives each test its own copy."""

    cluster: Cluster
    admin: object  # a psycopg connection as the superuser, autocommit
    logins: set[str] = field(default_factory=set)

    def execute(self, sql: str) -> None:
        self.admin.execute(sql)  # type: ignore[attr-defined]

    def login(self, name: str) -> None:
        """A login role `name`, member of sop_user (and of sop_admin for the stories' default person)."""
        if name in self.logins:
            return
        exists = self.admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()  # type: ignore[attr-defined]
        if not exists:
            self.execute(f"CREATE ROLE {quote_ident(name)} LOGIN")
        self.execute(f"GRANT sop_user TO {quote_ident(name)}")
        if name in ADMINS:
            self.execute(f"GRANT sop_admin TO {quote_ident(name)}")
        self.logins.add(name)

    def database(self) -> str:
        name = f"t{next(_names)}"
        self.execute(f"CREATE DATABASE {quote_ident(name)} TEMPLATE {TEMPLATE}")
        return name

    def drop(self, name: str) -> None:
        self.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")

    def dsn(self, database: str, user: str) -> str:
        return self.cluster.dsn(database, user)

    def hand_current(self, database: str, giver: str, taker: str) -> None:
        """The next person of a story works on the run the previous one was on (as if told which run):
        on the team store each login has its own current run."""
        import psycopg

        with psycopg.connect(self.cluster.dsn(database), autocommit=True) as db:
            db.execute("SET session_replication_role = replica")  # the trigger would make the row ours
            db.execute(
                "INSERT INTO sop.current (login, run_id) SELECT %s, run_id FROM sop.current WHERE login = %s "
                "ON CONFLICT (login) DO UPDATE SET run_id = EXCLUDED.run_id",
                (taker, giver),
            )


@pytest.fixture(scope="session")
def team(pg_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    import psycopg

    from sopcli.env import Environment
    from sopcli.store.postgres import PostgresStore

    admin = psycopg.connect(pg_cluster.dsn("postgres"), autocommit=True)
    admin.execute(f"CREATE DATABASE {TEMPLATE} ENCODING 'UTF8'")
    home = Path(tmp_path_factory.mktemp("team-home"))
    env = Environment(home=home, user="", cwd=home, store_url=pg_cluster.dsn(TEMPLATE))
    store = PostgresStore(env)
    store.init()
    store.close()
    team = Team(pg_cluster, admin)
    for name in ("ani", "budi", "rina", "siti", "andi", "dina", "sari", "rudi", "kb", "tek", "postgres"):
        team.login(name)
    yield team
    admin.close()
