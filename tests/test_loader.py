"""SOP files: the seed loads, aliases mean the same, and every mistake is named by file and line."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from sopcli.errors import InvalidSop
from sopcli.loader import load_file, load_text
from sopcli.model import sop_document

from .conftest import SEED

pytestmark = pytest.mark.usefixtures("english")

ENGLISH = """\
id: mini
number: X.01
title: Mini SOP
actors:
  - id: a
    name: Lane A
  - id: b
    name: Lane B
steps:
  - no: 1
    activity: Write
    actor: a
    requires: Memo
    time: 1,5 jam
    output: [Draft]
  - no: 2
    activity: Check
    actor: b
    time: 1 Hari
    outcomes: {yes: end, no: 1}
"""

INDONESIAN = """\
id: mini
nomor: X.01
judul: Mini SOP
pelaksana:
  - id: a
    nama: Lane A
  - id: b
    nama: Lane B
prosedur:
  - nomor: 1
    kegiatan: Write
    pelaksana: a
    kelengkapan: Memo
    waktu: 1,5 jam
    output: [Draft]
  - nomor: 2
    kegiatan: Check
    pelaksana: b
    waktu: 1 Hari
    pilihan: {yes: end, no: 1}
"""


def problems(text: str, name: str = "sop.yaml") -> list[str]:
    with pytest.raises(InvalidSop) as err:
        load_text(textwrap.dedent(text), name)
    return err.value.problems


def test_the_seed_is_the_paper_form() -> None:
    sop = load_file(SEED)
    assert (sop.id, sop.number) == ("rkt-ii", "OT.01.02-015-097.Set.PO")
    assert sop.title == "Penyiapan Bahan Penyusunan Rencana Kinerja Tahunan II"
    assert str(sop.created) == "2017-11-01" and sop.revision is None and str(sop.effective) == "2018-05-02"
    assert sop.approved_by and sop.approved_by.name == "Janiruddin, S.H., M.Si"
    assert sop.approved_by.nip == "195910081983031001"
    assert sop.approved_by.position == "Kepala Biro Perencanaan dan Organisasi"
    assert len(sop.legal_basis) == 4 and len(sop.qualifications) == 6 and len(sop.equipment) == 4
    assert sop.related == ["SOP Makro Penyusunan Rencana Kinerja Tahunan (RKT)"]
    assert sop.warning and sop.records
    assert [a.name for a in sop.actors] == ["Kabag Perencanaan", "Kasubbag PA II", "Pelaksana (JP/JFT)"]
    assert [s.time for s in sop.steps] == ["10 Menit", "60 Menit", "120 Menit", "3 Hari", "60 Menit", "20 Menit"]
    assert [sop.standard_minutes(s) for s in sop.steps] == [10, 60, 120, 1440, 60, 20]
    assert [s.actor for s in sop.steps] == [
        [a] for a in ("kabag", "kasubbag", "pelaksana", "kasubbag", "pelaksana", "kabag")
    ]


def test_indonesian_keys_load_to_the_same_model() -> None:
    english, indonesian = load_text(ENGLISH), load_text(INDONESIAN)
    assert english == indonesian
    assert english.steps[0].requires == ["Memo"]
    assert sop_document(english)["steps"][0]["standard_minutes"] == 90


def test_yaml_booleans_stay_text_as_keys() -> None:
    sop = load_text(ENGLISH)
    assert sop.steps[1].outcomes == {"yes": "end", "no": 1}


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("  - no: 2\n", "  - no: 2\n    colour: red\n"), 17, "unknown key 'colour'"),
        (("title: Mini SOP\n", ""), 1, "missing required key 'title' (or 'judul')"),
        (("    actor: b\n", "    actor: c\n"), 18, "unknown actor 'c'"),
        (("  - no: 2\n", "  - no: 1\n"), 16, "used twice"),
        (("time: 1 Hari", "time: lama"), 19, "not a duration"),
        (("outcomes: {yes: end, no: 1}", "outcomes: {yes: end, no: 7}"), 20, "outcome 'no' goes to step 7"),
        (("outcomes: {yes: end, no: 1}", "next: 9"), 20, "next step 9 does not exist"),
        (("number: X.01\n", "number: X.01\nwarning: [oops]\n"), 3, "warning"),
    ],
)
def test_each_mistake_names_its_line(change: tuple[str, str], line: int, words: str) -> None:
    text = ENGLISH.replace(*change)
    found = problems(text)
    assert any(p.startswith(f"sop.yaml:{line}: ") and words in p for p in found), found


def test_non_ascending_step_numbers() -> None:
    text = ENGLISH.replace("  - no: 2\n", "  - no: 3\n") + (
        "  - no: 2\n    activity: Late number\n    actor: a\n    time: 5 menit\n"
    )
    found = problems(text)
    assert any(p.startswith("sop.yaml:21: ") and "ascending" in p for p in found), found


def test_a_step_that_can_never_be_reached() -> None:
    text = ENGLISH.replace("outcomes: {yes: end, no: 1}", "next: end")
    text = text.replace("    time: 1,5 jam", "    time: 1,5 jam\n    next: end")
    found = problems(text)
    assert any(p.startswith("sop.yaml:17: ") and "never be reached" in p for p in found), found


def test_the_alias_name_is_used_for_the_line() -> None:
    found = problems(INDONESIAN.replace("    pelaksana: b\n", "    pelaksana: z\n"))
    assert any(p.startswith("sop.yaml:18: ") and "unknown actor 'z'" in p for p in found), found


def test_every_problem_is_reported_not_only_the_first() -> None:
    found = problems(ENGLISH.replace("time: 1,5 jam", "time: x").replace("name: Lane B", "nama_: Lane B"))
    assert len(found) >= 2, found


def test_yaml_syntax_error_has_a_line() -> None:
    found = problems("id: x\nsteps: [1, 2\nactors: {\n")
    assert found[0].startswith("sop.yaml:") and "YAML syntax error" in found[0]


def test_a_yaml_bomb_is_refused_at_once() -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        bomb += f"{chr(ord('a') + i)}: &{chr(ord('a') + i)} [{','.join(['*' + prev] * 9)}]\n"
    started = time.perf_counter()
    found = problems(bomb)
    assert time.perf_counter() - started < 5  # a guard against hanging, not a benchmark
    assert "anchors and aliases" in found[0] and found[0].startswith("sop.yaml:1:")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("id: !!python/object/apply:os.system ['echo hi']\n", "tag"),
        ("id: !!python/name:os.system\n", "tag"),
        ("[" * 5000 + "]" * 5000, "nested deeper"),
        ("", "empty"),
        ("- just\n- a list\n", "mapping"),
        ("id: a\nid: b\n", "appears twice"),
        ("a: 1\n---\nb: 2\n", "YAML"),
    ],
)
def test_hostile_or_odd_yaml(text: str, words: str) -> None:
    found = problems(text)
    assert words in found[0], found


def test_oversized_files_are_refused_without_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * (1024 * 1024) + b"\n")
    with pytest.raises(InvalidSop) as err:
        load_file(big)
    assert "at most 1 MiB" in err.value.problems[0]


def test_both_names_of_one_key_are_refused() -> None:
    found = problems(ENGLISH.replace("title: Mini SOP\n", "title: Mini SOP\njudul: Lagi\n"))
    assert any("'title' and 'judul' are the same key" in p for p in found), found


def test_calendar_settings() -> None:
    text = ENGLISH + textwrap.dedent("""\
        calendar:
          timezone: Asia/Makassar
          hari_kerja: [senin, selasa, rabu, kamis, jumat, sabtu]
          hours: ["07:30-12:00", "13:00-16:00"]
          days_off: [2026-12-24]
          holidays: null
    """)
    sop = load_text(text)
    assert sop.calendar.day_minutes == 270 + 180
    assert sop.calendar.workdays == ["mon", "tue", "wed", "thu", "fri", "sat"]
    assert sop.standard_minutes(sop.steps[1]) == 450
    bad = problems(ENGLISH + "calendar:\n  timezone: Mars/Olympus\n  hours: 16:00-08:00\n")
    assert any(":22:" in p and "timezone" in p for p in bad) and any(":23:" in p and "hours" in p for p in bad), bad


def test_continuous_mode_counts_wall_clock_days() -> None:
    sop = load_text(ENGLISH + "calendar: {mode: continuous}\n")
    assert sop.standard_minutes(sop.steps[1]) == 1440
