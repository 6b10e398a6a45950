"""A user finding, reading and checking SOP definitions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .conftest import SEED
from .test_loader import ENGLISH


def test_list_shows_the_seed(sop) -> None:
    out = sop("list").out
    assert "rkt-ii" in out and "Penyiapan Bahan" in out
    rows = {r["id"]: r for r in json.loads(sop("list", "--format", "json").out)}
    row = rows["rkt-ii"]
    assert row["steps"] == 6 and row["standard_minutes"] == 10 + 60 + 120 + 1440 + 60 + 20
    assert row["source"] == "bundled" and row["path"].endswith("ot01-02-015-097.yaml") and row["shadows"] == []
    assert rows["contoh-surat-masuk"]["steps"] == 9


def test_list_says_where_each_sop_came_from_and_what_it_shadows(sop, tmp_path: Path) -> None:
    (tmp_path / "sops").mkdir()
    (tmp_path / "sops" / "rkt-ii.yaml").write_text(SEED.read_text().replace("judul: Penyiapan", "judul: Lokal"))
    rows = {r["id"]: r for r in json.loads(sop("list", "--format", "json").out)}
    assert rows["rkt-ii"]["source"] == "./sops" and rows["rkt-ii"]["title"].startswith("Lokal")
    assert rows["rkt-ii"]["shadows"] and rows["rkt-ii"]["shadows"][0].endswith("ot01-02-015-097.yaml")
    out = sop("list").out
    assert "./sops" in out and "tidak dipakai" in out


def test_show_reads_like_the_paper_form(sop) -> None:
    out = sop("show", "rkt-ii").out
    for text in (
        "OT.01.02-015-097.Set.PO",
        "PENYIAPAN BAHAN PENYUSUNAN",
        "Rabu, 01 November 2017",
        "Rabu, 02 Mei 2018",
        "Janiruddin, S.H., M.Si",
        "NIP. 195910081983031001",
        "Dasar Hukum",
        "Kualifikasi Pelaksana",
        "Keterkaitan",
        "Peralatan/Perlengkapan",
        "Peringatan",
        "Pencatatan dan Pendataan",
        "Kabag Perencanaan",
        "3 Hari",
        "perbaiki → 4",
    ):
        assert text in out, text
    assert all(len(line) <= 100 for line in out.splitlines())


def test_show_fits_80_and_uses_200_columns(sop, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    narrow = sop("show", "rkt-ii").out
    assert max(len(line) for line in narrow.splitlines()) <= 80
    assert "A = Kabag Perencanaan" in narrow
    monkeypatch.setenv("COLUMNS", "200")
    wide = sop("show", "rkt-ii").out
    assert "Kelengkapan" in wide and "Output" in wide and max(len(line) for line in wide.splitlines()) > 150


def test_show_by_number_and_by_path(sop) -> None:
    assert "rkt-ii" in sop("show", "OT.01.02-015-097.Set.PO", "--format", "json").out
    data = json.loads(sop("show", str(SEED), "--format", "json").out)
    assert data["id"] == "rkt-ii"
    assert [s["standard_minutes"] for s in data["steps"]] == [10, 60, 120, 1440, 60, 20]
    assert set(data) >= {"id", "number", "title", "organization", "approved_by", "legal_basis", "actors", "steps"}
    assert data["steps"][5]["outcomes"] == {"sesuai": "end", "perbaiki": 4}


def test_mermaid_has_lanes_and_labelled_decisions(sop) -> None:
    out = sop("show", "rkt-ii", "--format", "mermaid").out
    assert out.startswith("flowchart TD")
    assert 'subgraph lane_kasubbag["Kasubbag PA II"]' in out
    assert 's6 -->|"perbaiki"| s4' in out and 's6 -->|"sesuai"| finish' in out and "s5 --> s6" in out


def test_an_unknown_sop_names_the_known_ones(sop) -> None:
    line = sop.fail("show", "nope")
    assert "tidak ada SOP 'nope'" in line and "rkt-ii" in line


def test_local_sops_and_sop_path_come_first(sop, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "sops").mkdir()
    (tmp_path / "sops" / "mini.yaml").write_text(ENGLISH)
    assert "mini" in sop("list").out
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(SEED, elsewhere / "copy.yaml")
    (elsewhere / "copy.yaml").write_text(SEED.read_text().replace("judul: Penyiapan", "judul: Salinan"))
    monkeypatch.setenv("SOP_PATH", str(elsewhere))
    assert "Salinan" in json.loads(sop("show", "rkt-ii", "--format", "json").out)["title"]


def test_validate_reports_every_problem_in_every_file(sop, tmp_path: Path, english) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(ENGLISH)
    bad = tmp_path / "bad.yaml"
    text = ENGLISH.replace("    actor: b", "    actor: q").replace("title: Mini SOP", "title: Mini SOP\ncolour: red")
    bad.write_text(text.replace("time: 1,5 jam", "time: sebentar"))
    assert "ok" in sop("validate", str(good)).out
    result = sop("validate", str(good), str(bad), str(tmp_path / "missing.yaml"), ok=False)
    assert result.code == 1 and "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert any(line.startswith(f"{bad}:4: ") and "unknown key 'colour'" in line for line in lines), lines
    assert any(line.startswith(f"{bad}:15: ") and "not a duration" in line for line in lines), lines
    # the cross-key rules run on the parts that validated, in the same pass
    assert any(line.startswith(f"{bad}:19: ") and "unknown actor 'q'" in line for line in lines), lines
    assert any("missing.yaml:1: cannot read" in line for line in lines), lines


def test_a_broken_file_in_the_search_path_does_not_hide_the_others(sop, tmp_path: Path) -> None:
    (tmp_path / "sops").mkdir()
    (tmp_path / "sops" / "broken.yaml").write_text("id: [\n")
    result = sop("list")
    assert "rkt-ii" in result.out and "broken.yaml:" in result.err


def test_schema_comes_from_the_models(sop) -> None:
    schema = json.loads(sop("schema").out)
    step = schema["$defs"]["Step"]
    assert step["additionalProperties"] is False
    assert {"no", "nomor", "activity", "kegiatan", "time", "waktu", "outcomes", "pilihan"} <= set(step["properties"])
    assert {"anyOf": [{"required": ["no"]}, {"required": ["nomor"]}]} in step["allOf"]
    assert "judul" in schema["properties"] and "prosedur" in schema["properties"]
