"""One language at a time: every sentence through the catalogue, both texts for every message, the
choice of language, and outputs (help included) with no word of the other language's interface."""

from __future__ import annotations

import ast
import gettext
import json
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from sopcli import i18n

from .conftest import ROOT

SRC = ROOT / "src" / "sopcli"
PO = SRC / "locale" / "id" / "LC_MESSAGES" / "sopcli.po"
MO = PO.with_suffix(".mo")
CALLS = {"_", "N_", "_n"}


def catalogue() -> dict[str, str]:
    with PO.open("rb") as handle:
        messages = read_po(handle)
    found = {}
    for message in messages:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            found[message.id[0]] = message.string[0] if message.string else ""
            found[message.id[1]] = message.string[0] if message.string else ""
        else:
            found[message.id] = message.string
    return found


def fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_every_message_has_both_texts_with_the_same_fields() -> None:
    for msgid, text in catalogue().items():
        assert text and text.strip(), f"no Indonesian text for {msgid!r}"
        assert fields(msgid) == fields(text), f"the fields differ in {msgid!r} -> {text!r}"


def test_the_compiled_catalogue_is_the_po_file() -> None:
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    with PO.open("rb") as handle:
        messages = [m for m in read_po(handle) if m.id]
    for message in messages:
        if isinstance(message.id, tuple):
            got, want = compiled.ngettext(message.id[0], message.id[1], 2), message.string[0]
        else:
            got, want = compiled.gettext(message.id), message.string
        assert got == want, f"{message.id!r}: recompile with python tools/catalogue.py"


def literal_calls() -> list[tuple[Path, int, str]]:
    found = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CALLS:
                for arg in node.args[: 2 if node.func.id == "_n" else 1]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.append((path, node.lineno, arg.value))
    return found


def test_every_message_in_the_code_is_in_the_catalogue() -> None:
    known = catalogue()
    missing = [f"{p.relative_to(SRC)}:{line}: {text!r}" for p, line, text in literal_calls() if text not in known]
    assert not missing, "run python tools/catalogue.py:\n" + "\n".join(missing)


# A sentence for people passed straight to an output or an error, not through `_()`.
PRINTERS = {"say", "warn", "fail", "echo", "print", "write"}
ERRORS = {"SopError", "Refused", "NotFound", "StoreError", "Damaged", "Usage", "LockTimeout", "DurationError"}
ALLOWED_WORDS = {"sop", "sopcli", "NIP", "SOP", "pid", "Traceback"}


def _wording(node: ast.AST) -> str:
    """The literal text of a string or f-string argument (the formatted values left out)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return " ".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if isinstance(node, ast.BinOp):
        return _wording(node.left) + " " + _wording(node.right)
    return ""


def test_no_sentence_bypasses_the_catalogue() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.parent.name == "locale":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in PRINTERS | ERRORS:
                continue
            for arg in [*node.args, *(k.value for k in node.keywords if k.arg in ("message", "hint", "text"))]:
                words = [w for w in re.findall(r"[A-Za-z]{3,}", _wording(arg)) if w not in ALLOWED_WORDS]
                if words:
                    offenders.append(f"{path.relative_to(SRC)}:{node.lineno}: {words}")
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize(
    ("flag", "env", "expected"),
    [
        (None, {}, "id"),
        ("en", {"SOP_LANG": "id"}, "en"),
        (None, {"SOP_LANG": "en", "LANG": "id_ID.UTF-8"}, "en"),
        (None, {"LC_ALL": "en_GB.UTF-8", "LANG": "id_ID"}, "en"),
        (None, {"LC_ALL": "C", "LC_MESSAGES": "id_ID.UTF-8", "LANG": "en_US"}, "id"),
        (None, {"LANG": "fr_FR.UTF-8"}, "id"),
        ("EN", {}, "en"),
    ],
)
def test_the_choice_of_language(flag: str | None, env: dict[str, str], expected: str) -> None:
    assert i18n.choose(flag, env) == expected


def test_an_unknown_language_names_the_two_that_exist(sop, monkeypatch) -> None:
    result = sop("--lang", "fr", "status", ok=False)
    assert result.code == 2 and "id / en" in result.err and len(result.err.splitlines()) == 1
    monkeypatch.setenv("SOP_LANG", "jv")
    assert sop("status", ok=False).code == 2


def test_the_catalogue_is_read_only_for_the_chosen_language_and_only_when_needed() -> None:
    i18n.set_language("en")
    i18n.set_language("id")
    assert i18n._catalogue is None
    assert i18n._("done") == "selesai" and i18n._catalogue is not None
    i18n.set_language("en")
    assert i18n._("done") == "done" and isinstance(i18n._catalogue, gettext.NullTranslations)
    i18n.set_language("id")


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)}


def _sop_words() -> set[str]:
    words: set[str] = set()
    for path in (ROOT / "sops").glob("*.yaml"):
        words |= _words(path.read_text())
    return words


def foreign_words(lang: str) -> set[str]:
    """Words of the other language's interface that this language's interface never uses."""
    po = catalogue()
    english = set().union(*(_words(re.sub(r"\{[^}]*\}", "", m)) for m in po))
    indonesian = set().union(*(_words(re.sub(r"\{[^}]*\}", "", t)) for t in po.values()))
    shared = _sop_words() | {"sop", "run", "json", "csv", "help", "lang", "force", "lane", "outcome", "attach"}
    shared |= {"input", "note", "assign", "status", "report", "verify", "stats", "done", "undo", "cancel", "use"}
    shared |= {"start", "list", "show", "validate", "schema", "log", "runs", "store", "reindex", "info", "table"}
    shared |= {"mermaid", "pdf", "docx", "png", "txt", "yaml", "sha", "utf", "iso", "mnt", "jam", "output"}
    other = indonesian - english if lang == "en" else english - indonesian
    return other - shared


TOUR_FILES = ("arahan-karo.pdf", "disposisi.pdf", "telaah.docx", "bahan-deputi.pdf", "bahan-rkt.docx", "reviu.docx")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_readme_tour_speaks_one_language(sop, tmp_path: Path, monkeypatch, lang: str) -> None:
    monkeypatch.setenv("SOP_LANG", lang)
    monkeypatch.setenv("COLUMNS", "160")
    for name in TOUR_FILES:
        (tmp_path / name).write_text(name)
    tour = re.search(r"## A tour\n\n```console\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert tour
    foreign = foreign_words(lang) - _words(tour.group(1))  # the notes and reasons typed in the tour are data
    for line in tour.group(1).strip().splitlines():
        command = line.removeprefix("$ ").split("  #")[0].strip()
        args = [a.strip('"') for a in re.findall(r'"[^"]*"|\S+', command)[1:]]
        if "--format" in args or "-f" in args:
            continue  # JSON and CSV are for scripts: the same in both languages
        result = sop(*args)
        found = _words(result.out + result.err) & foreign
        assert not found, (lang, command, sorted(found))
    for args in (("done", "--help"), ("--help",), ("report", "--help"), ("note", "9", "x")):
        result = sop(*args, ok=None)
        found = _words(result.out + result.err) & foreign
        assert not found, (lang, args, sorted(found))


def test_scripts_see_the_same_json_and_csv_in_both_languages(sop, files, monkeypatch) -> None:
    sop("start", "rkt-ii", "-q")
    sop.at("2026-11-23 08:30")
    sop("done", "1", "--attach", files("a.pdf"))
    outputs = {}
    for lang in ("id", "en"):
        monkeypatch.setenv("SOP_LANG", lang)
        outputs[lang] = [sop("report", "-f", fmt).out for fmt in ("json", "csv")] + [sop("runs", "-f", "json").out]
    assert outputs["id"] == outputs["en"]
    assert json.loads(outputs["id"][0])["run"]["status"] == "active"


def test_every_name_of_a_value_in_help_is_in_the_catalogue() -> None:
    """Help names values (`--period PERIOD`); each of those names has its Indonesian text."""
    from sopcli.cli.framework import METAVARS

    used = {m for path in (SRC / "cli").glob("*.py") for m in re.findall(r'metavar="([^"]+)"', path.read_text())}
    assert used <= set(METAVARS), used - set(METAVARS)
    assert all(catalogue().get(name) for name in METAVARS)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("exprt",), "no such command: exprt (did you mean export"),
        (("runs", "extra"), "unexpected extra argument(s): extra"),
        (("runs", "--limit", "0"), "--limit: '0' is below the least allowed, 1"),
    ],
)
def test_the_frameworks_usage_errors_in_both_languages(sop, monkeypatch, args, words: str) -> None:
    monkeypatch.setenv("SOP_LANG", "en")
    assert words in sop(*args, ok=False).err
    monkeypatch.setenv("SOP_LANG", "id")
    said = sop(*args, ok=False).err
    assert not re.search(r"Did you mean|Got unexpected|Input should|is not one of", said), said


def test_the_operating_systems_reasons_are_said_in_the_chosen_language(sop, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOP_LANG", "id")
    said = sop("validate", str(tmp_path / "tidak-ada.yaml"), ok=False).err
    assert "berkas atau folder tidak ada" in said and "No such file" not in said
    sop("start", "rkt-ii", "-q")
    said = sop("done", "1", "--attach", str(tmp_path), ok=False).err
    assert "No such" not in said and "Is a directory" not in said, said
