"""What the run engine needs from a store, and the one factory that picks TinyDB or PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sopcli.env import Environment
    from sopcli.evidence import Attachment
    from sopcli.queries import Query

Record = dict[str, Any]
# build(run_id, records so far, refs of the attached files) -> the new record's fields
Build = Callable[[str, list[Record], list[dict[str, Any]]], dict[str, Any]]
# summarize(every record of the run, the new one included) -> the run's index row
Summarize = Callable[[list[Record]], dict[str, Any]]


@dataclass
class Written:
    """What an append left behind: the run's records, the new one last, and anything worth a warning."""

    run_id: str
    records: list[Record]
    warnings: list[str] = field(default_factory=list)


class RunStore(Protocol):
    """A store of runs: hash-chained records appended under a per-run lock, evidence kept by SHA-256,
    an index of run summaries for listing and statistics. TinyDB files and PostgreSQL both keep it."""

    kind: str

    def location(self) -> str: ...

    def current(self) -> str | None: ...

    def use(self, ref: str) -> str: ...

    def resolve(self, ref: str) -> str: ...

    def read(self, run_id: str) -> list[Record]: ...

    def append(
        self,
        run_id: str | None,
        build: Build,
        files: Sequence[Attachment],
        summarize: Summarize,
        *,
        purpose: str,
        make_current: bool = False,
    ) -> Written: ...

    def rows(self, query: Query | None = None) -> list[dict[str, Any]]:
        """The index rows of the runs the query covers (all of them without one)."""
        ...

    def listing(self, query: Query) -> list[dict[str, Any]]:
        """What `sop runs` shows of those runs, newest first."""
        ...

    def step_stats(self, sop_id: str, standards: dict[int, float | None], query: Query) -> dict[str, Any]:
        """Per step of the SOP's completed runs: count, median, p90, on-time share, median overrun."""
        ...

    def row(self, run_id: str) -> dict[str, Any] | None:
        """The run's index row as listings read it, or None."""
        ...

    def unindexed(self) -> list[str]: ...

    def run_ids(self) -> list[str]: ...

    def evidence_problem(self, item: dict[str, Any]) -> str | None: ...

    def open_evidence(self, item: dict[str, Any]) -> Iterator[bytes]: ...

    def login(self) -> str:
        """The database login that acts (a team store), or "" where the person is named by --as/SOP_USER."""
        ...

    def may_force(self) -> bool: ...

    def export_run(self, run_id: str) -> list[Record]: ...

    def import_run(
        self,
        run_id: str,
        records: list[Record],
        summary: dict[str, Any],
        blobs: Iterable[tuple[dict[str, Any], Iterator[bytes]]],
    ) -> None: ...

    def verify(self, run_id: str) -> list[str]: ...

    def verify_all(self) -> list[str]: ...

    def reindex(self, summarize: Summarize) -> list[str]: ...

    def info(self) -> dict[str, Any]: ...


_opened: list[Any] = []


def open_store(env: Environment) -> RunStore:
    """TinyDB files under SOP_HOME, or the team's PostgreSQL database named by SOP_STORE."""
    if env.store_url:
        from sopcli.store.postgres import PostgresStore

        store = PostgresStore(env)
        _opened.append(store)
        return store
    from sopcli.store.tinydb import TinyStore

    return TinyStore(env.home, env.lock_timeout)


def close_all() -> None:
    """Closes the connections this command opened (a team store), when the command ends."""
    while _opened:
        _opened.pop().close()
