"""The flowchart's geometry as plain data: every hand-over drawn, no two arrows on one segment, no arrow
through a symbol, each symbol in its lane and row, and long forms cut into pages with off-page connectors."""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sopcli.layout import (
    DECISION,
    END,
    OFFPAGE,
    PROCESS,
    START,
    TERMINATOR,
    Layout,
    flow_steps,
    layout,
    paginate,
)
from sopcli.loader import load_file
from sopcli.model import sop_document

from .conftest import ROOT


def document(name: str) -> dict[str, Any]:
    return sop_document(load_file(ROOT / "sops" / name))


SEED = document("ot01-02-015-097.yaml")
EXAMPLE = document("contoh-surat-masuk.yaml")


def lay(doc: dict[str, Any], breaks: list[int] | None = None) -> Layout:
    return layout([a["id"] for a in doc["actors"]], doc["steps"], breaks or [])


def handovers(doc: dict[str, Any]) -> set[tuple[str, str, str | None]]:
    """(from, to, outcome) of every arrow the form must have: the start, every next step and outcome, the end."""
    steps = flow_steps(doc["steps"])
    wanted = {(START, str(steps[0].no), None)}
    for step in steps:
        wanted |= {(str(step.no), str(target), label) for target, label in step.targets}
    return wanted


def drawn(flow: Layout) -> set[tuple[str, str, str | None]]:
    return {(r.source, r.target, r.label) for r in flow.routes}


def check_geometry(flow: Layout) -> None:
    """The invariants every layout keeps, page by page."""
    for page in flow.pages:
        symbols = [s for s in flow.symbols if s.page == page.index]
        body = {(s.x + d, s.y) for s in symbols for d in (-1, 0, 1)}
        assert len(body) == 3 * len(symbols), "two symbols overlap"
        routes = [r for r in flow.routes if r.page == page.index]
        owners: dict[tuple[Any, Any], set[tuple[Any, ...]]] = defaultdict(set)
        uses: dict[Any, list[tuple[tuple[Any, ...], str]]] = defaultdict(list)
        for route in routes:
            nodes = route.nodes()
            assert not set(nodes) & body, f"{route.source}->{route.target} passes through a symbol"
            assert all(0 <= x < flow.width and 0 <= y < page.height for x, y in nodes)
            assert all(a[0] == b[0] or a[1] == b[1] for a, b in itertools.pairwise(route.points)), "not orthogonal"
            key = (route.source, route.target, route.label, route.end)
            for segment in route.segments():
                owners[segment].add(key)
            for k, node in enumerate(nodes):
                if 0 < k < len(nodes) - 1:
                    before, after = nodes[k - 1], nodes[k + 1]
                    way = "h" if before[1] == after[1] else "v" if before[0] == after[0] else "bend"
                else:
                    way = "end"
                uses[node].append((key, way))
        for segment, keys in owners.items():
            for a, b in itertools.combinations(keys, 2):
                assert joins(flow, a, b), f"arrows of different hand-overs share {segment}: {a}, {b}"
        for node, found in uses.items():
            for (a, way_a), (b, way_b) in itertools.combinations(found, 2):
                if not joins(flow, a, b):  # different hand-overs meet only where they cross at right angles
                    assert {way_a, way_b} == {"h", "v"}, (node, found)


def joins(flow: Layout, a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """Arrows that may share a segment: of one hand-over; in a joined layout, also two into one symbol."""
    return a[:3] == b[:3] or (flow.joined and a[3] == b[3])


def check_symbols(flow: Layout, doc: dict[str, Any]) -> None:
    """Each step's symbol in each of its lanes and in its row: a diamond for a decision, a rectangle else."""
    lanes = [a["id"] for a in doc["actors"]]
    for step in doc["steps"]:
        mine = [s for s in flow.symbols if s.step == str(step["no"]) and s.role == "step"]
        assert sorted(s.lane for s in mine) == sorted(step["actors"])
        for symbol in mine:
            assert symbol.x == flow.center(lanes.index(symbol.lane))
            row = flow.rows[symbol.row]
            assert row.step == step["no"] and row.top <= symbol.y <= row.bottom
            assert symbol.kind == (DECISION if step.get("outcomes") else PROCESS)


@pytest.mark.parametrize("doc", [SEED, EXAMPLE], ids=["seed", "example"])
def test_every_hand_over_and_outcome_is_drawn_and_nothing_overlaps(doc: dict[str, Any]) -> None:
    flow = lay(doc)
    assert drawn(flow) == handovers(doc)
    assert not flow.joined and not flow.tangled
    check_geometry(flow)
    check_symbols(flow, doc)


def test_the_seed_loop_goes_back_at_the_side_of_the_symbols() -> None:
    flow = lay(SEED)
    (loop,) = [r for r in flow.routes if r.back]
    assert (loop.source, loop.target, loop.label) == ("6", "4", "perbaiki")
    lanes = [a["id"] for a in SEED["actors"]]
    centers = {flow.center(i) for i in range(len(lanes))}
    runs_up = [(a, b) for a, b in itertools.pairwise(loop.points) if a[0] == b[0] and b[1] < a[1]]
    assert runs_up and all(a[0] not in centers for a, _b in runs_up)  # beside the lanes' symbols, never through
    ends = [s for s in flow.symbols if s.step == END]
    assert [(s.kind, s.lane) for s in ends] == [(TERMINATOR, "kabag")]


def test_a_step_in_two_lanes_has_a_start_in_each() -> None:
    flow = lay(EXAMPLE)
    starts = [s for s in flow.symbols if s.step == START]
    assert [(s.kind, s.lane) for s in starts] == [(TERMINATOR, "tu"), (TERMINATOR, "sekretaris")]
    from_any = [r for r in flow.routes if (r.source, r.target) == ("7", "8")]
    assert len(from_any) == 4  # either lane of step 7 hands over to both lanes of step 8
    assert {flow.symbols[r.start].lane for r in from_any} == {"teknis", "administrasi"}
    assert {flow.symbols[r.end].lane for r in from_any} == {"tu", "sekretaris"}


def long_sop(steps: int = 60, lanes: int = 3) -> dict[str, Any]:
    """A long SOP: a step per row, decisions every seventh step sending the work back four steps."""
    actors = [{"id": f"l{i}", "name": f"Lane {i}"} for i in range(lanes)]
    rows = []
    for no in range(1, steps + 1):
        step: dict[str, Any] = {"no": no, "actors": [f"l{no % lanes}"], "activity": f"step {no}"}
        if no % 7 == 0 and no < steps:
            step["outcomes"] = {"ya": no + 1, "ulang": no - 4}
        rows.append(step)
    return {"actors": actors, "steps": rows}


def test_sixty_steps_are_cut_into_pages_with_off_page_connectors() -> None:
    doc = long_sop()
    breaks = [10, 20, 30, 40, 50]
    flow = lay(doc, breaks)
    assert len(flow.pages) == 6 and not flow.joined and not flow.tangled
    check_geometry(flow)
    check_symbols(flow, doc)
    assert drawn(flow) == handovers(doc)
    page_of = {row.step: row.page for row in flow.rows if row.kind == "step"}
    cut = [(s, t) for s, t, _l in handovers(doc) if s != START and t != END and page_of[int(s)] != page_of[int(t)]]
    assert ("10", "11") in cut and ("21", "17") in cut  # a hand-over and a loop back across a break
    for source, target in cut:
        arrows = [r for r in flow.routes if (r.source, r.target) == (source, target)]
        outs = [flow.symbols[r.end] for r in arrows if flow.symbols[r.end].kind == OFFPAGE]
        ins = [flow.symbols[r.start] for r in arrows if flow.symbols[r.start].kind == OFFPAGE]
        assert outs and ins, (source, target)
        assert all(s.step == target for s in outs + ins)  # a connector names the step it leads to
        assert {s.page for s in outs} == {page_of[int(source)]} and {s.page for s in ins} == {page_of[int(target)]}
    backward = next(r for r in flow.routes if (r.source, r.target) == ("21", "17") and r.back)
    assert flow.symbols[backward.end].kind == OFFPAGE and flow.rows[flow.symbols[backward.end].row].kind == "connector"


def test_a_step_with_more_arrows_coming_in_than_sides_has_them_join() -> None:
    """Step 1 (under its start) is sent back to by itself, by step 2 and by both lanes of step 5."""
    loops = {"ya": 2, "ulang": 1}
    steps = [
        {"no": 1, "actors": ["a"], "outcomes": loops},
        {"no": 2, "actors": ["a"], "outcomes": {"ya": 3, "ulang": 1}},
        {"no": 3, "actors": ["b"]},
        {"no": 4, "actors": ["a"]},
        {"no": 5, "actors": ["a", "b"], "outcomes": {"ya": 6, "ulang": 1}},
        {"no": 6, "actors": ["a"]},
    ]
    doc = {"actors": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}], "steps": steps}
    flow = lay(doc)
    assert flow.joined and not flow.tangled
    assert drawn(flow) == handovers(doc)
    check_geometry(flow)


def test_pages_are_filled_up_to_their_room() -> None:
    assert paginate([10, 10, 10, 10, 10], 25) == [2, 4]
    assert paginate([10, 10, 10], 25, first=12) == [1]
    assert paginate([40, 5, 5], 25) == [1]  # a row taller than a page stands alone
    assert paginate([], 25) == []


@st.composite
def flows(draw: st.DrawFn) -> dict[str, Any]:
    lanes = draw(st.integers(1, 5))
    count = draw(st.integers(1, 14))
    actors = [{"id": f"l{i}", "name": f"L{i}"} for i in range(lanes)]
    steps = []
    for no in range(1, count + 1):
        several = lanes > 1 and draw(st.integers(0, 4)) == 0  # a step in two lanes, as real forms have a few
        mine = sorted(draw(st.sets(st.integers(0, lanes - 1), min_size=1 + several, max_size=1 + several)))
        step: dict[str, Any] = {"no": no, "actors": [f"l{i}" for i in mine]}
        if no < count and draw(st.booleans()) and draw(st.booleans()):
            other = draw(st.integers(1, count))
            step["outcomes"] = {"ya": no + 1, "tidak": other if other != no + 1 else END}
        elif no < count and draw(st.integers(0, 5)) == 0:
            step["next"] = draw(st.integers(no + 1, count))
        steps.append(step)
    return {"actors": actors, "steps": steps}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows(), st.sampled_from([0, 3, 4, 6]))
def test_any_form_is_laid_out_cleanly(doc: dict[str, Any], every: int) -> None:
    """Forms as offices write them, up to 14 steps and 5 lanes, with jumps, loops and page breaks."""
    breaks = list(range(every, len(doc["steps"]), every)) if every else []
    flow = lay(doc, breaks)
    assert drawn(flow) == handovers(doc)
    check_symbols(flow, doc)
    assert not flow.tangled, "no clean layout found"
    check_geometry(flow)
