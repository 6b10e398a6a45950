"""pytest fixtures for one throwaway PostgreSQL cluster shared by the whole test session.

Use them from a conftest (`from tests.pg_fixtures import pg_cluster`) or a test module. Without PostgreSQL's
server binaries the tests that ask for `pg_cluster` are skipped, or fail under CI or with SOP_REQUIRE_PG=1.
A test that wants a database of its own clones a template: `pg_cluster.create_database(name, template=...)`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.needs import missing
from tests.pgcluster import Cluster, find_bindir


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A started cluster, stopped and removed at the end of the session; `postgres` is its superuser."""
    bindir = find_bindir()
    if bindir is None:
        missing("no PostgreSQL server found (initdb); on Debian: apt-get install postgresql", variable="SOP_REQUIRE_PG")
    with Cluster(bindir) as cluster:
        yield cluster
