"""Finds SOP files and loads them safely, turning every mistake into `file:line: message`."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sopcli.errors import InvalidSop, NotFound
from sopcli.i18n import N_, _, os_reason

if TYPE_CHECKING:
    import yaml
    from pydantic import BaseModel

    from sopcli.model import Sop

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
SUFFIXES = (".yaml", ".yml")
BUNDLED, LOCAL, SEARCH_PATH = "bundled", "./sops", "SOP_PATH"
_TOP_KEY = re.compile(rb"^(id|nomor|number)\s*:\s*['\"]?([^'\"#\r\n]*?)['\"]?\s*(#.*)?$", re.M)


def bundled_dir() -> Path:
    """The SOPs shipped with sopcli: inside the wheel, or the repo's `sops/` in a source checkout."""
    packaged = Path(__file__).parent / "sops"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "sops"


def search_dirs(sop_path: str | None, cwd: Path) -> list[tuple[Path, str]]:
    """SOP_PATH folders first, then ./sops of the working directory, then the bundled SOPs; each with
    the name of where it comes from."""
    dirs = [(Path(p), SEARCH_PATH) for p in (sop_path or "").split(os.pathsep) if p]
    dirs += [(cwd / "sops", LOCAL), (bundled_dir(), BUNDLED)]
    seen: list[tuple[Path, str]] = []
    resolved: set[Path] = set()
    for folder, origin in dirs:
        try:
            if not folder.is_dir() or folder.resolve() in resolved:
                continue
        except OSError:
            continue
        resolved.add(folder.resolve())
        seen.append((folder, origin))
    return seen


def sop_files(dirs: list[tuple[Path, str]]) -> Iterator[tuple[Path, str]]:
    for folder, origin in dirs:
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for path in entries:
            if path.suffix.lower() in SUFFIXES:
                yield path, origin


def discover(dirs: list[tuple[Path, str]]) -> tuple[list[dict[str, Any]], list[InvalidSop]]:
    """Every valid SOP once (the first found wins, later ones are listed as shadowed), and the problems
    of the files that could not be read."""
    found: dict[str, dict[str, Any]] = {}
    broken: list[InvalidSop] = []
    for source, origin in sop_files(dirs):
        try:
            sop = load_file(source)
        except InvalidSop as err:
            broken.append(err)
            continue
        if sop.id in found:
            found[sop.id]["shadows"].append(str(source))
        else:
            found[sop.id] = {"sop": sop, "path": str(source), "source": origin, "shadows": []}
    return list(found.values()), broken


def catalogue(dirs: list[tuple[Path, str]]) -> tuple[list[dict[str, Any]], list[InvalidSop]]:
    """One row per SOP that can be found, with its total time standard and where it came from."""
    found, broken = discover(dirs)
    rows = [
        {
            "id": entry["sop"].id,
            "number": entry["sop"].number,
            "title": entry["sop"].title,
            "steps": len(entry["sop"].steps),
            "standard_minutes": entry["sop"].total_standard(),
            "day_minutes": entry["sop"].calendar.day_minutes,
            "source": entry["source"],
            "path": entry["path"],
            "shadows": entry["shadows"],
        }
        for entry in found
    ]
    return rows, broken


def _looks_like_path(ref: str) -> bool:
    return ref.lower().endswith(SUFFIXES) or os.sep in ref or "/" in ref


def find(ref: str, dirs: list[tuple[Path, str]], cwd: Path, *, deep: bool = False) -> Sop:
    """An SOP by file path, by id, or by its Nomor SOP. Only files whose top-level `id` or `nomor`
    could match are loaded, so one huge or broken file elsewhere does not slow or stop the lookup."""
    if _looks_like_path(ref):
        candidate = cwd / ref
        if not candidate.exists():
            raise NotFound(_("no SOP file at {path}", path=ref), _("check the path, or give an SOP id from `sop list`"))
        return load_file(candidate, deep=deep)
    broken: list[InvalidSop] = []
    wanted = ref.strip().lower()
    for source, _origin in sop_files(dirs):
        if not _may_be(source, wanted):
            continue
        try:
            sop = load_file(source, deep=deep)
        except InvalidSop as err:
            broken.append(err)
            continue
        if wanted in (sop.id, sop.number.lower()):
            return sop
    known = ", ".join(row["id"] for row in catalogue(dirs)[0]) or "—"
    hint = _("known SOPs: {known}", known=known)
    if broken:
        hint += "; " + _("{count} file(s) could not be read, see `sop validate`", count=len(broken))
    raise NotFound(_("no SOP '{ref}'", ref=ref), hint)


def _may_be(path: Path, wanted: str) -> bool:
    """A cheap look at the file's top-level `id:`/`nomor:` lines: False only when they name another SOP."""
    try:
        head = _read(path, 64 * 1024)
    except (OSError, InvalidSop):
        return True
    named = {m.group(2).strip().lower().decode(errors="replace") for m in _TOP_KEY.finditer(head)}
    return not named or wanted in named or path.stem.lower() == wanted


def _read(path: Path, limit: int) -> bytes:
    """Up to `limit` bytes of a regular file; a FIFO, device or folder is refused without blocking."""
    name = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise InvalidSop([f"{name}:1: " + _("cannot read the file: {reason}", reason=os_reason(err))]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InvalidSop([f"{name}:1: " + _("not a regular file; an SOP is a YAML file")])
        if info.st_size > MAX_BYTES:
            raise InvalidSop(
                [f"{name}:1: " + _("file is {size} bytes; an SOP file may be at most 1 MiB", size=info.st_size)]
            )
        chunks, size = [], 0
        while size < limit and (chunk := os.read(fd, min(1 << 20, limit - size))):
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except OSError as err:
        raise InvalidSop([f"{name}:1: " + _("cannot read the file: {reason}", reason=os_reason(err))]) from None
    finally:
        os.close(fd)


def load_file(path: Path, *, deep: bool = False) -> Sop:
    """Reads and validates one SOP file; raises InvalidSop listing every problem.

    `deep` also checks what needs the `holidays` package (the holiday country and categories)."""
    raw = _read(path, MAX_BYTES + 1)
    return load_text(raw, str(path), deep=deep)


def load_text(raw: bytes | str, name: str = "<sop>", *, deep: bool = False) -> Sop:
    from pydantic import ValidationError

    from sopcli.model import Sop, cross_problems, holiday_problems

    if len(raw) > MAX_BYTES:
        raise InvalidSop([f"{name}:1: " + _("file is larger than 1 MiB")])
    if isinstance(raw, bytes):
        data = raw
        try:
            raw = data.decode("utf-8")
        except UnicodeDecodeError as err:
            line = data[: err.start].count(b"\n") + 1
            raise InvalidSop([f"{name}:{line}: " + _("the file is not UTF-8 text")]) from None
    root = _compose(raw, name)
    data = _to_python(root, name)
    if not isinstance(data, dict):
        raise InvalidSop(
            [f"{name}:{_line(root)}: " + _("an SOP file must be a mapping of keys (id, number, title, ...)")]
        )
    found = [(_locate(root, Sop, path), message) for path, message in cross_problems(data)]
    try:
        sop = Sop.model_validate(data)
    except ValidationError as err:
        raise InvalidSop(_by_line([*_describe(err, root), *found], name)) from None
    if deep and not found:
        calendar_line = _locate(root, Sop, ("calendar", "holidays"))
        found += [(calendar_line, message) for message in holiday_problems(sop.calendar)]
    if found:
        raise InvalidSop(_by_line(found, name))
    return sop


def _by_line(problems: Iterable[tuple[int, str]], name: str) -> list[str]:
    unique = dict.fromkeys(sorted(problems, key=lambda p: p[0]))
    return [f"{name}:{line}: {message}" for line, message in unique]


def _screen(raw: str, loader: Any) -> None:
    """Reads the event stream first: aliases and anchors (the YAML bomb) and nesting deeper than any SOP
    needs are refused before a single node is built."""
    import yaml

    depth = 0
    for event in yaml.parse(raw, Loader=loader):  # noqa: S506 - a safe loader's parser only
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(event.start_mark.line + 1, _("YAML anchors and aliases (& and *) are not allowed"))
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise _Refused(event.start_mark.line + 1, _("nested deeper than {depth} levels", depth=MAX_DEPTH))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _compose(raw: str, name: str) -> yaml.Node:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where the wheel has it: ten times faster
    try:
        _screen(raw, loader)
        node = yaml.compose(raw, Loader=loader)  # noqa: S506 - a safe loader
    except _Refused as err:
        raise InvalidSop([f"{name}:{err.line}: {err.message}"]) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 1
        detail = err.problem or err.context or ""
        if "nesting depth" in detail:  # libyaml's own limit met before ours
            raise InvalidSop([f"{name}:{line}: " + _("nested deeper than {depth} levels", depth=MAX_DEPTH)]) from None
        raise InvalidSop([f"{name}:{line}: " + _("YAML syntax error: {detail}", detail=detail)]) from None
    except (yaml.YAMLError, RecursionError) as err:
        raise InvalidSop([f"{name}:1: " + _("YAML error: {detail}", detail=str(err) or type(err).__name__)]) from None
    if node is None:
        raise InvalidSop([f"{name}:1: " + _("the file is empty")])
    return node


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        self.line, self.message = line, message


_STANDARD_TAGS = {"tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}


def _to_python(node: yaml.Node, name: str) -> Any:
    """Builds plain data from the node tree; mapping keys stay text (`no:` is a key, not False)."""
    import yaml

    if node.tag not in _STANDARD_TAGS:
        raise InvalidSop(
            [f"{name}:{_line(node)}: " + _("the YAML tag {tag} is not allowed in an SOP file", tag=node.tag)]
        )
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise InvalidSop([f"{name}:{_line(key)}: " + _("a key must be plain text")])
            if key.value in out:
                raise InvalidSop([f"{name}:{_line(key)}: " + _("key '{key}' appears twice", key=key.value)])
            out[key.value] = _to_python(value, name)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, name) for item in node.value]
    try:
        return yaml.SafeLoader("").construct_object(node)
    except (yaml.YAMLError, ValueError, OverflowError) as err:
        detail = str(err).splitlines()[0] if str(err) else type(err).__name__
        if node.tag.endswith(":timestamp"):
            detail = _("{value!r} is not a date that exists", value=node.value)
        raise InvalidSop([f"{name}:{_line(node)}: {detail}"]) from None


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


_PYDANTIC = {
    "string_type": N_("expected text"),
    "int_type": N_("expected a whole number"),
    "int_parsing": N_("expected a whole number"),
    "int_from_float": N_("expected a whole number"),
    "greater_than_equal": N_("the number is too small"),
    "less_than_equal": N_("the number is too large"),
    "list_type": N_("expected a list"),
    "dict_type": N_("expected a mapping of keys"),
    "model_type": N_("expected a mapping of keys"),
    "date_type": N_("expected a date (YYYY-MM-DD)"),
    "date_parsing": N_("expected a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": N_("expected a date (YYYY-MM-DD)"),
    "string_too_short": N_("may not be empty"),
    "too_short": N_("may not be empty"),
    "string_pattern_mismatch": N_("has characters that are not allowed here (use letters, digits and -)"),
    "string_too_long": N_("is too long"),
    "literal_error": N_("is not one of the allowed values"),
    "bool_type": N_("expected true or false"),
    "union_tag_invalid": N_("is not one of the allowed values"),
}


def _describe(err: Any, root: yaml.Node) -> Iterator[tuple[int, str]]:
    from sopcli.model import Sop

    for problem in err.errors():
        loc = tuple(part for part in problem["loc"] if not (isinstance(part, str) and "[" in part))
        kind = problem["type"]
        if kind == "extra_forbidden":
            import difflib

            parent = _model_at(Sop, loc[:-1])
            known = [k for f, info in parent.model_fields.items() for k in (f, info.alias) if k]
            close = difflib.get_close_matches(str(loc[-1]), known, n=1)
            tip = (
                _("; did you mean '{key}'?", key=close[0])
                if close
                else _("; known keys: {keys}", keys=", ".join(parent.model_fields))
            )
            message = _("unknown key '{key}'", key=loc[-1]) + tip
        elif kind == "missing":
            parent = _model_at(Sop, loc[:-1])
            field = _field_named(parent, str(loc[-1]))
            alias = parent.model_fields[field].alias if field else None
            names = f"'{field}'" + (" (" + _("or") + f" '{alias}')" if alias and alias != field else "")
            message = _("missing required key {names}", names=names)
            loc = loc[:-1]
        else:
            where = ".".join(str(p) for p in loc)
            text = problem["msg"].removeprefix("Value error, ")
            if kind in _PYDANTIC:
                text = _(_PYDANTIC[kind])
                if kind == "literal_error" and "expected" in problem.get("ctx", {}):
                    text += f" ({problem['ctx']['expected']})"
            message = f"{where}: {text}" if where else text
        yield _locate(root, Sop, loc), message


def _field_named(model: type[BaseModel], key: str) -> str | None:
    for field, info in model.model_fields.items():
        if key in (field, info.alias):
            return field
    return None


def _submodel(model: type[BaseModel] | None, key: Any) -> type[BaseModel] | None:
    """The model of the values under `key` of `model` (lists and dicts looked through), if any."""
    from pydantic import BaseModel

    field = _field_named(model, str(key)) if model else None
    if model is None or field is None:
        return None
    for candidate in _types_in(model.model_fields[field].annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel]:
    """The pydantic model that describes the mapping at `loc`."""
    current = model
    for part in loc:
        if not isinstance(part, int):
            current = _submodel(current, part) or current
    return current


def _types_in(annotation: Any) -> Iterator[Any]:
    yield annotation
    for arg in getattr(annotation, "__args__", ()):
        yield from _types_in(arg)


def _locate(root: yaml.Node, model: type[BaseModel], loc: tuple[Any, ...]) -> int:
    """The line of the key (or list item) at `loc`, written under its English or Indonesian name."""
    import yaml

    node: Any = root
    line = _line(root)
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = _line(node)
        elif isinstance(node, yaml.MappingNode):
            field = _field_named(current, str(part)) if current else None
            names = {str(part)}
            if field and current:
                names |= {field, current.model_fields[field].alias or field}
            match = next(((k, v) for k, v in node.value if k.value in names), None)
            if match is None:
                break
            line = _line(match[0])
            node = match[1]
            current = _submodel(current, part)
        else:
            break
    return line
