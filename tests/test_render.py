"""The renderers' building blocks: words that cannot be misread, text that cannot steer a terminal or a
spreadsheet, and tables that never split a word."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sopcli.i18n import set_language
from sopcli.render import csv_cell, for_terminal, markdown_text, terminal_text
from sopcli.render import words as w
from sopcli.render.grid import Cell, Column, draw, line_width, text_width, wrap


@pytest.fixture(params=["id", "en"])
def lang(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    set_language(request.param)
    yield request.param
    set_language("id")


def plain(text: str) -> str:
    return text.replace("\u00a0", " ")


@pytest.mark.parametrize(
    ("minutes", "id_", "en"),
    [
        (0, "0 mnt", "0m"),
        (45, "45 mnt", "45m"),
        (90, "1 jam 30 mnt", "1h 30m"),
        (480, "1 hr", "1d"),
        (1440 + 150, "3 hr 2 jam 30 mnt", "3d 2h 30m"),
        (-20, "-20 mnt", "-20m"),
    ],
)
def test_durations_read_the_same_in_both_languages(minutes: int, id_: str, en: str) -> None:
    set_language("id")
    assert plain(w.minutes(minutes)) == id_
    set_language("en")
    assert plain(w.minutes(minutes)) == en
    set_language("id")


def test_the_legend_says_how_long_a_working_day_is(lang: str) -> None:
    assert w.day_length(480) == {"id": "1 hr = 8 jam kerja", "en": "1d = 8 working hours"}[lang].replace(" ", " ", 1)


def test_names_cannot_steer_the_terminal() -> None:
    hostile = "rina\x1b[31m\x07\u202ebalik\x9b2J\ttab\udcff"
    cleaned = terminal_text(hostile)
    assert "\x1b" not in cleaned and "\x07" not in cleaned and "\u202e" not in cleaned and "\x9b" not in cleaned
    assert "\\x1b" in cleaned and "\\u202e" in cleaned and "tab" in cleaned and "\udcff" not in cleaned
    assert for_terminal({"a": [hostile, ("x\x1b",)], "n": 3}) == {"a": [cleaned, ("x\\x1b",)], "n": 3}


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-2+3", "@cmd", "\tx", "\rx"])
def test_csv_cells_cannot_run_in_a_spreadsheet(text: str) -> None:
    assert csv_cell(text).startswith("'")
    assert csv_cell(-5) == "-5" and csv_cell(None) == "" and csv_cell(True) == "true"


def test_markdown_cells_cannot_break_the_table() -> None:
    assert markdown_text("a|b\n<script>*x*") == "a\\|b \\<script\\>\\*x\\*"


words = st.lists(
    st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N")), min_size=1, max_size=12), min_size=1
)


@given(words, st.integers(12, 80))
def test_wrapping_never_splits_a_word_that_fits(parts: list[str], width: int) -> None:
    assume(all(text_width(p) <= width for p in parts))
    text = " ".join(parts)
    lines = wrap(Cell.of(text), width)
    assert all(line_width(line) <= width for line in lines)
    rejoined = " ".join("".join(t for t, _s in line) for line in lines)
    assert rejoined.split() == text.split()


def test_wrapping_breaks_after_a_slash() -> None:
    lines = ["".join(t for t, _s in line) for line in wrap(Cell.of("Memo/disposisi Karo"), 10)]
    assert lines == ["Memo/", "disposisi", "Karo"]


def test_a_hyphenated_word_breaks_at_its_hyphens_only_when_wider_than_its_column() -> None:
    def lines(text: str, width: int) -> list[str]:
        return ["".join(t for t, _s in line) for line in wrap(Cell.of(text), width)]

    assert lines("bahan-bahan RKT", 12) == ["bahan-bahan", "RKT"]
    assert lines("contoh-surat-masuk", 13) == ["contoh-surat-", "masuk"]
    assert lines("contoh-surat-masuk aktif", 8) == ["contoh-", "surat-", "masuk", "aktif"]
    assert lines("2026-11-23", 6) == ["2026-1", "1-23"]  # a date is no word with hyphens: folded as a last resort
    assert lines("OT.01.02-015-097", 10) == ["OT.01.02-0", "15-097"]


def test_a_long_file_name_is_the_only_thing_folded() -> None:
    lines = ["".join(t for t, _s in line) for line in wrap(Cell.of("a " + "x" * 25), 10)]
    assert lines == ["a", "x" * 10, "x" * 10, "x" * 5]


def test_wide_characters_count_twice() -> None:
    assert text_width("漢字") == 4 and text_width("abc") == 3


@pytest.mark.parametrize("width", range(40, 130, 7))
def test_a_table_fits_its_width_and_keeps_every_word(width: int) -> None:
    text = "Menyiapkan bahan-bahan terkait penyusunan RKT pada lingkup Deputi V, VI, VII, dan Staf Ahli"
    columns = [Column(Cell.of("No"), weight=0), Column(Cell.of("Kegiatan"), weight=3), Column(Cell.of("Kelengkapan"))]
    rows = [[Cell.of("1"), Cell.of(text), Cell.of("Disposisi/arahan Kabag")]]
    lines = ["".join(t for t, _s in line) for line in draw(columns, rows, width)]
    assert all(len(line) <= width for line in lines), width
    body = " ".join(lines)
    for word in text.split():
        assert word in body, word
    assert "Disposisi/" in body and "arahan" in body
