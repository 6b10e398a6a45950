"""Finds SOP files and loads them safely, turning every mistake into `file:line: message`."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sopcli.errors import InvalidSop, NotFound

if TYPE_CHECKING:
    import yaml
    from pydantic import BaseModel

    from sopcli.model import Sop

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
SUFFIXES = (".yaml", ".yml")


def bundled_dir() -> Path:
    """The SOPs shipped with sopcli: inside the wheel, or the repo's `sops/` in a source checkout."""
    packaged = Path(__file__).parent / "sops"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "sops"


def search_dirs(sop_path: str | None, cwd: Path) -> list[Path]:
    """SOP_PATH folders first, then ./sops of the working directory, then the bundled SOPs."""
    dirs = [Path(p) for p in (sop_path or "").split(os.pathsep) if p]
    dirs += [cwd / "sops", bundled_dir()]
    seen: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [s.resolve() for s in seen]:
            seen.append(d)
    return seen


def sop_files(dirs: list[Path]) -> Iterator[Path]:
    for folder in dirs:
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in SUFFIXES and path.is_file():
                yield path


def discover(dirs: list[Path]) -> tuple[list[tuple[Path, Sop]], list[InvalidSop]]:
    """Every valid SOP once (the first found wins), and the problems of the invalid files."""
    found: list[tuple[Path, Sop]] = []
    broken: list[InvalidSop] = []
    ids: set[str] = set()
    for source in sop_files(dirs):
        try:
            sop = load_file(source)
        except InvalidSop as err:
            broken.append(err)
            continue
        if sop.id not in ids:
            ids.add(sop.id)
            found.append((source, sop))
    return found, broken


def catalogue(dirs: list[Path]) -> tuple[list[dict[str, Any]], list[InvalidSop]]:
    """One row per SOP that can be found, with its total time standard; and the unreadable files."""
    found, broken = discover(dirs)
    rows = [
        {
            "id": sop.id,
            "number": sop.number,
            "title": sop.title,
            "steps": len(sop.steps),
            "standard_minutes": sum(sop.standard_minutes(s) for s in sop.steps),
            "day_minutes": sop.calendar.day_minutes,
            "path": str(source),
        }
        for source, sop in found
    ]
    return rows, broken


def find(ref: str, dirs: list[Path], cwd: Path) -> Sop:
    """An SOP by file path, by id, or by its Nomor SOP."""
    candidate = cwd / ref
    if candidate.suffix.lower() in SUFFIXES or os.sep in ref or "/" in ref:
        if not candidate.is_file():
            raise NotFound(f"no SOP file at {ref}", "check the path, or give an SOP id from `sop list`")
        return load_file(candidate)
    found, broken = discover(dirs)
    for _, sop in found:
        if ref in (sop.id, sop.number) or ref.lower() == sop.number.lower():
            return sop
    known = ", ".join(sop.id for _, sop in found) or "none"
    hint = f"known SOPs: {known}"
    if broken:
        hint += f"; {len(broken)} file(s) could not be read, see `sop validate`"
    raise NotFound(f"no SOP '{ref}'", hint)


def load_file(path: Path) -> Sop:
    """Reads and validates one SOP file; raises InvalidSop listing every problem."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InvalidSop([f"{name}:1: file is {size} bytes; an SOP file may be at most 1 MiB"])
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as err:
        raise InvalidSop([f"{name}:1: cannot read the file: {err.strerror}"]) from None
    return load_text(raw, name)


def load_text(raw: bytes | str, name: str = "<sop>") -> Sop:
    from pydantic import ValidationError

    from sopcli.model import Sop

    if len(raw) > MAX_BYTES:
        raise InvalidSop([f"{name}:1: file is larger than 1 MiB"])
    root = _compose(raw, name)
    data = _to_python(root, name)
    if not isinstance(data, dict):
        raise InvalidSop([f"{name}:{_line(root)}: an SOP file must be a mapping of keys (id, number, title, ...)"])
    try:
        sop = Sop.model_validate(data)
    except ValidationError as err:
        found = [*_describe(err, root), *_partial_problems(data, root)]
        raise InvalidSop(_by_line(found, name)) from None
    problems = [(_locate(root, Sop, path), message) for path, message in sop.problems()]
    if problems:
        raise InvalidSop(_by_line(problems, name))
    return sop


def _partial_problems(data: dict[str, Any], root: yaml.Node) -> list[tuple[int, str]]:
    """Cross-key rules checked on the parts that did validate, so one `validate` shows everything."""
    from sopcli.model import Actor, Sop, Step

    raw = {_field_named(Sop, key): value for key, value in data.items()}
    raw_actors, raw_steps = raw.get("actors"), raw.get("steps")
    if not isinstance(raw_actors, list) or not isinstance(raw_steps, list):
        return []
    actors = _valid_items(Actor, raw_actors)
    steps = _valid_items(Step, raw_steps)
    kept = [i for i, _ in steps]
    if len(actors) < len(raw_actors) or not steps:
        return []  # an unreadable lane would make every step in it look like an unknown actor
    partial = Sop.model_construct(actors=[a for _, a in actors], steps=[s for _, s in steps])
    found = []
    for path, message in partial.problems(flow=len(steps) == len(raw_steps)):
        if path[:1] == ("steps",) and len(path) > 1:
            path = ("steps", kept[int(path[1])], *path[2:])
        found.append((_locate(root, Sop, path), message))
    return found


M = TypeVar("M", bound="BaseModel")


def _valid_items(model: type[M], items: list[Any]) -> list[tuple[int, M]]:
    """The items of a list that validate on their own, with their positions."""
    from pydantic import ValidationError

    valid = []
    for i, item in enumerate(items):
        try:
            valid.append((i, model.model_validate(item)))
        except ValidationError:
            continue
    return valid


def _by_line(problems: Iterable[tuple[int, str]], name: str) -> list[str]:
    return [f"{name}:{line}: {message}" for line, message in sorted(problems, key=lambda p: p[0])]


def _compose(raw: bytes | str, name: str) -> yaml.Node:
    import yaml

    class Loader(yaml.SafeLoader):
        """Refuses aliases and anchors (the YAML bomb), and nesting deeper than any SOP needs."""

        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise _Refused(event.start_mark.line + 1, "YAML anchors and aliases (& and *) are not allowed")
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _Refused(event.start_mark.line + 1, f"nested deeper than {MAX_DEPTH} levels")
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    try:
        node = yaml.compose(raw, Loader=Loader)  # noqa: S506 - a SafeLoader subclass
    except _Refused as err:
        raise InvalidSop([f"{name}:{err.line}: {err.message}"]) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 1
        raise InvalidSop([f"{name}:{line}: YAML syntax error: {err.problem or err.context}"]) from None
    except yaml.YAMLError as err:
        raise InvalidSop([f"{name}:1: YAML error: {err}"]) from None
    if node is None:
        raise InvalidSop([f"{name}:1: the file is empty"])
    return node


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        self.line, self.message = line, message


_STANDARD_TAGS = {"tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}


def _to_python(node: yaml.Node, name: str) -> Any:
    """Builds plain data from the node tree; mapping keys stay text (`no:` is a key, not False)."""
    import yaml

    if node.tag not in _STANDARD_TAGS:
        raise InvalidSop([f"{name}:{_line(node)}: the YAML tag {node.tag} is not allowed in an SOP file"])
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise InvalidSop([f"{name}:{_line(key)}: a key must be plain text"])
            if key.value in out:
                raise InvalidSop([f"{name}:{_line(key)}: key '{key.value}' appears twice"])
            out[key.value] = _to_python(value, name)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, name) for item in node.value]
    try:
        return yaml.SafeLoader(b"").construct_object(node)
    except yaml.YAMLError as err:
        raise InvalidSop([f"{name}:{_line(node)}: {err}"]) from None


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _describe(err: Any, root: yaml.Node) -> Iterator[tuple[int, str]]:
    from sopcli.model import Sop

    for problem in err.errors():
        loc = tuple(problem["loc"])
        kind = problem["type"]
        if kind == "extra_forbidden":
            parent = _model_at(Sop, loc[:-1])
            known = [k for f, info in parent.model_fields.items() for k in (f, info.alias) if k]
            close = difflib.get_close_matches(str(loc[-1]), known, n=1)
            tip = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(parent.model_fields)}"
            message = f"unknown key '{loc[-1]}'{tip}"
        elif kind == "missing":
            parent = _model_at(Sop, loc[:-1])
            field = _field_named(parent, str(loc[-1]))
            alias = parent.model_fields[field].alias if field else None
            names = f"'{field}'" + (f" (or '{alias}')" if alias and alias != field else "")
            message = f"missing required key {names}"
            loc = loc[:-1]
        else:
            where = ".".join(str(p) for p in loc)
            text = problem["msg"].removeprefix("Value error, ")
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
