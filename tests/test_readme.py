"""The README is part of the product: its set-up commands and its tour stay true."""

from __future__ import annotations

import re

import pytest

from .conftest import ROOT


def readme() -> str:
    return (ROOT / "README.md").read_text()


def test_readme_opens_with_the_two_setup_commands() -> None:
    block = re.search(r"```bash\n(.*?)```", readme(), re.S)
    assert block
    lines = block.group(1).strip().splitlines()
    assert lines == ["pip install . && sop start rkt-ii && sop report", "pip install '.[test]' && pytest"]


def test_ci_runs_the_readme_test_command() -> None:
    assert "pip install '.[test]' && pytest" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.both_stores
def test_the_tour_runs(sop, files, monkeypatch, tmp_path) -> None:
    """Every command of the tour, in order, against a fresh store."""
    for name in ("arahan-karo.pdf", "disposisi.pdf", "telaah.docx", "bahan-deputi.pdf", "bahan-rkt.docx", "reviu.docx"):
        (tmp_path / name).write_text(name)
    tour = re.search(r"## A tour\n\n```console\n(.*?)```", readme(), re.S)
    assert tour
    for line in tour.group(1).strip().splitlines():
        command = line.removeprefix("$ ").split("  #")[0].strip()
        args = re.findall(r'"[^"]*"|\S+', command)[1:]
        sop(*[a.strip('"') for a in args])


def test_the_sop_file_example_is_valid(sop, tmp_path) -> None:
    example = re.search(r"## The SOP file.*?```yaml\n(.*?)```", readme(), re.S)
    assert example
    path = tmp_path / "example.yaml"
    path.write_text(example.group(1))
    assert "sah (rkt-ii, 2 langkah)" in sop("validate", str(path)).out


def test_the_word_example_goes_out_and_back(sop, monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    block = re.search(r"## Word documents\n\n```console\n(.*?)```", readme(), re.S)
    assert block
    for line in block.group(1).strip().splitlines():
        sop(*line.removeprefix("$ ").split("#")[0].split()[1:])
    original = sop("show", "rkt-ii", "--format", "json").out
    assert sop("show", "rkt-ii-kembali.yaml", "--format", "json").out == original
