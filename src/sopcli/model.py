"""The SOP format of PermenPAN-RB 35/2012 as pydantic models: English keys, Indonesian aliases."""

from __future__ import annotations

import re
from datetime import date as Date
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sopcli.calendar import WEEKDAYS, parse_hours
from sopcli.duration import WORKDAYS_PER_WEEK, DurationError, parse_duration
from sopcli.i18n import _
from sopcli.plan import END

Target = int | Literal["end"]
Together = Literal["any", "all"]
NO_STANDARD = ("", "-", "–", "—")

_WEEKDAY_NAMES = {
    **{name: name for name in WEEKDAYS},
    **dict(zip(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"), WEEKDAYS, strict=True)),
    **dict(zip(("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu"), WEEKDAYS, strict=True)),
    "jum'at": "fri",
    "ahad": "sun",
}
_COUNTRY = re.compile(r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,5})?$")
HOLIDAY_CATEGORIES = ("public", "government")


class _Model(BaseModel):
    """Shared settings: unknown keys are errors, and each key may be written in English or Indonesian."""

    model_config = ConfigDict(
        extra="forbid",
        validate_by_name=True,
        validate_by_alias=True,
        coerce_numbers_to_str=True,
        frozen=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _one_name_per_key(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, field in cls.model_fields.items():
                if field.alias and field.alias != name and name in data and field.alias in data:
                    raise ValueError(
                        _("'{name}' and '{alias}' are the same key; keep one", name=name, alias=field.alias)
                    )
        return data


def _as_list(value: Any) -> Any:
    """A single string is accepted where the form has one line instead of a list."""
    return [value] if isinstance(value, str) else value


def as_target(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in (END, "selesai"):
        return END
    return value


class Actor(_Model):
    """A swimlane of the flowchart: one role (Pelaksana) that carries out steps."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", max_length=64, description="short name used in steps")
    name: str = Field(alias="nama", min_length=1, description="the role as written on the form")


class Step(_Model):
    """One numbered row of the procedure with its Mutu Baku."""

    no: int = Field(alias="nomor", ge=1, le=1_000_000, description="step number, ascending")
    activity: str = Field(alias="kegiatan", min_length=1, description="Uraian Kegiatan")
    actor: list[str] = Field(
        alias="pelaksana", min_length=1, description="id of the lane that does this step, or a list of lanes"
    )
    together: Together = Field(
        default="any",
        alias="bersama",
        description="for a step in several lanes: any (one of them does it) or all (each does its part)",
    )
    requires: list[str] = Field(default_factory=list, alias="kelengkapan", description="Mutu Baku: Kelengkapan")
    time: str | None = Field(
        default=None,
        alias="waktu",
        description='Mutu Baku: Waktu, e.g. "60 Menit", "3 Hari", "PT1H"; absent or "-" when the form gives none',
    )
    time_with: int | None = Field(
        default=None, alias="waktu_bersama", description="shares the time standard of step N (a merged Waktu cell)"
    )
    output: list[str] = Field(default_factory=list, description="Mutu Baku: Output")
    note: str | None = Field(default=None, alias="keterangan", description="Keterangan")
    next: Target | None = Field(default=None, alias="lanjut", description="next step no, or end")
    outcomes: dict[str, Target] | None = Field(
        default=None, alias="pilihan", description="decision: outcome name -> step no or end"
    )

    @field_validator("requires", "output", "actor", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("next", mode="before")
    @classmethod
    def _target(cls, value: Any) -> Any:
        return as_target(value)

    @field_validator("outcomes", mode="before")
    @classmethod
    def _targets(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): as_target(v) for k, v in value.items()}
        return value

    @field_validator("time", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and value.strip() in NO_STANDARD):
            return None
        if isinstance(value, str):
            try:
                parse_duration(value)
            except DurationError as err:
                raise ValueError(f"{err.message}; {err.hint}") from None
            return value.strip()
        return value

    @property
    def is_decision(self) -> bool:
        return bool(self.outcomes)


class Revision(_Model):
    no: int = Field(alias="nomor", ge=0)
    date: Date = Field(alias="tanggal")


class Approval(_Model):
    name: str = Field(alias="nama")
    position: str | None = Field(default=None, alias="jabatan")
    nip: str | None = None


class Calendar(_Model):
    """Working time of the office that runs the SOP; the time standards count in it."""

    timezone: str = Field(default="Asia/Jakarta", alias="zona_waktu")
    workdays: list[str] = Field(default=list(WEEKDAYS[:5]), alias="hari_kerja")
    hours: list[str] = Field(default=["08:00-16:00"], alias="jam_kerja", description='e.g. "08:00-16:00"')
    holidays: str | None = Field(
        default="ID", alias="hari_libur", description="country code for public holidays (e.g. ID), or null"
    )
    holiday_categories: list[str] = Field(
        default=list(HOLIDAY_CATEGORIES),
        alias="kategori_libur",
        description="categories of the holidays package: public, and government for cuti bersama",
    )
    days_off: list[Date] = Field(default_factory=list, alias="cuti", description="extra days off")
    mode: Literal["working", "continuous"] = "working"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(_("unknown timezone {value!r}; use a name like Asia/Jakarta", value=value)) from None
        return value

    @field_validator("workdays", mode="before")
    @classmethod
    def _weekdays(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        days = []
        for item in value:
            if isinstance(item, int) and 1 <= item <= 7:
                days.append(WEEKDAYS[item - 1])
            elif isinstance(item, str) and item.strip().lower() in _WEEKDAY_NAMES:
                days.append(_WEEKDAY_NAMES[item.strip().lower()])
            else:
                raise ValueError(_("not a weekday: {item!r}; use mon..sun, senin..minggu or 1..7", item=item))
        return sorted(set(days), key=WEEKDAYS.index)

    @field_validator("hours", mode="before")
    @classmethod
    def _ranges(cls, value: Any) -> Any:
        value = _as_list(value)
        if not isinstance(value, list):
            return value
        previous_end = -1
        for text in value:
            start, end = parse_hours(str(text))
            if start <= previous_end:
                raise ValueError(_("working hours {text!r} overlap or are out of order", text=text))
            previous_end = end
        return value

    @field_validator("holidays", mode="before")
    @classmethod
    def _country(cls, value: Any) -> Any:
        if value in (False, "none", ""):
            return None
        if isinstance(value, str) and not _COUNTRY.match(value.strip()):
            raise ValueError(_("{value!r} is not a country code; write it like ID, or null for none", value=value))
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("holiday_categories", mode="before")
    @classmethod
    def _categories(cls, value: Any) -> Any:
        return _as_list(value)

    def ranges(self) -> list[tuple[int, int]]:
        """The working hours of a day as (start, end) minutes after midnight."""
        return [parse_hours(text) for text in self.hours]

    @property
    def day_minutes(self) -> int:
        """How long one day (`hari`) of the time standard lasts."""
        if self.mode == "continuous":
            return 1440
        return sum(end - start for start, end in self.ranges())

    @property
    def week_days(self) -> int:
        return 7 if self.mode == "continuous" else WORKDAYS_PER_WEEK


class Sop(_Model):
    """A whole SOP Administrasi Pemerintahan: the header of the form and its procedure."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64, description="the name used on the command line")
    number: str = Field(alias="nomor", min_length=1, description="Nomor SOP")
    title: str = Field(alias="judul", min_length=1, description="Judul / Nama SOP")
    organization: list[str] = Field(default_factory=list, alias="unit")
    created: Date | None = Field(default=None, alias="tanggal_pembuatan")
    revision: Revision | None = Field(default=None, alias="tanggal_revisi")
    effective: Date | None = Field(default=None, alias="tanggal_efektif")
    approved_by: Approval | None = Field(default=None, alias="disahkan_oleh")
    legal_basis: list[str] = Field(default_factory=list, alias="dasar_hukum")
    qualifications: list[str] = Field(default_factory=list, alias="kualifikasi_pelaksana")
    related: list[str] = Field(default_factory=list, alias="keterkaitan")
    equipment: list[str] = Field(default_factory=list, alias="peralatan_perlengkapan")
    warning: str | None = Field(default=None, alias="peringatan")
    records: str | None = Field(default=None, alias="pencatatan_pendataan")
    calendar: Calendar = Field(default_factory=Calendar, alias="kalender")
    actors: list[Actor] = Field(alias="pelaksana", min_length=1, description="lanes, left to right")
    steps: list[Step] = Field(alias="prosedur", min_length=1)

    @field_validator("organization", "legal_basis", "qualifications", "related", "equipment", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _as_list(value)

    def step(self, no: int) -> Step:
        return next(s for s in self.steps if s.no == no)

    def successors(self, index: int) -> list[Target]:
        """Where the work goes after the step at `index`: its outcomes, its `next`, or the following step."""
        step = self.steps[index]
        if step.outcomes:
            return list(step.outcomes.values())
        if step.next is not None:
            return [step.next]
        following: Target = self.steps[index + 1].no if index + 1 < len(self.steps) else END
        return [following]

    def standard_minutes(self, step: Step) -> float | None:
        """The step's own time standard in minutes; None when it has none (or shares another's)."""
        if step.time is None:
            return None
        cal = self.calendar
        return parse_duration(step.time).to_minutes(cal.day_minutes, cal.week_days)

    def total_standard(self) -> float:
        return sum(m for m in (self.standard_minutes(s) for s in self.steps) if m is not None)


def sop_document(sop: Sop) -> dict[str, Any]:
    """The SOP under its canonical English keys: each step with `actors` (a list), `actor` (the first),
    and its standard in minutes (null without one)."""
    data = sop.model_dump(mode="json")
    for step, doc in zip(sop.steps, data["steps"], strict=True):
        actors = doc.pop("actor")
        doc["actors"], doc["actor"] = actors, actors[0]
        doc["standard_minutes"] = sop.standard_minutes(step)
    return data


# ------------------------------------------------------------------ rules across keys

Problem = tuple[tuple[str | int, ...], str]
_KEYS = {
    "actors": ("actors", "pelaksana"),
    "steps": ("steps", "prosedur"),
    "id": ("id",),
    "no": ("no", "nomor"),
    "actor": ("actor", "pelaksana"),
    "together": ("together", "bersama"),
    "time": ("time", "waktu"),
    "time_with": ("time_with", "waktu_bersama"),
    "next": ("next", "lanjut"),
    "outcomes": ("outcomes", "pilihan"),
}


def _get(data: Any, key: str) -> Any:
    """A key of raw YAML data under its English or Indonesian name (None if absent or not a mapping)."""
    if not isinstance(data, dict):
        return None
    for name in _KEYS[key]:
        if name in data:
            return data[name]
    return None


def _has(data: Any, key: str) -> bool:
    return isinstance(data, dict) and any(name in data for name in _KEYS[key])


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def cross_problems(data: dict[str, Any]) -> list[Problem]:
    """The rules that span several keys, checked on the raw data so that every problem of a file is
    found in one pass, however broken its other parts are. Linear in the number of steps."""
    found: list[Problem] = []
    raw_actors, raw_steps = _get(data, "actors"), _get(data, "steps")
    lanes: set[str] = set()
    lanes_readable = isinstance(raw_actors, list)
    for i, actor in enumerate(raw_actors if isinstance(raw_actors, list) else []):
        actor_id = _get(actor, "id")
        if not isinstance(actor_id, str):
            lanes_readable = False
            continue
        if actor_id in lanes:
            found.append((("actors", i, "id"), _("actor '{id}' is listed twice", id=actor_id)))
        lanes.add(actor_id)
    if not isinstance(raw_steps, list):
        return found
    numbers: dict[int, int] = {}
    last = 0
    for i, step in enumerate(raw_steps):
        no = _number(_get(step, "no"))
        if no is None:
            continue
        if no in numbers:
            found.append((("steps", i, "no"), _("step number {no} is used twice", no=no)))
        elif no < last:
            found.append(
                (("steps", i, "no"), _("step {no} comes after step {last}; number steps ascending", no=no, last=last))
            )
        else:
            numbers[no] = i
        last = max(last, no)
    for i, step in enumerate(raw_steps):
        found += _step_problems(i, step, raw_steps, numbers, lanes if lanes_readable else None)
    if not found and len(numbers) == len(raw_steps) and all(isinstance(s, dict) for s in raw_steps):
        found += _flow_problems(raw_steps, numbers)
    return found


def _step_problems(
    i: int, step: Any, steps: list[Any], numbers: dict[int, int], lanes: set[str] | None
) -> list[Problem]:
    found: list[Problem] = []
    if not isinstance(step, dict):
        return found
    no = _number(_get(step, "no"))
    label = _("step {no}", no=no) if no is not None else _("step at position {pos}", pos=i + 1)
    actor = _get(step, "actor")
    actors = [actor] if isinstance(actor, str) else actor if isinstance(actor, list) else []
    for position, lane in enumerate(actors):
        if not isinstance(lane, str):
            continue
        path: tuple[str | int, ...] = (
            ("steps", i, "actor") if isinstance(actor, str) else ("steps", i, "actor", position)
        )
        if lanes is not None and lane not in lanes:
            known = ", ".join(sorted(lanes))
            found.append(
                (path, _("{label}: unknown actor '{lane}'; lanes are {known}", label=label, lane=lane, known=known))
            )
        if actors.index(lane) < position:
            found.append((path, _("{label}: lane '{lane}' is listed twice", label=label, lane=lane)))
    if _has(step, "together") and len(actors) < 2:
        found.append(
            (("steps", i, "together"), _("{label}: 'together' is only for a step in several lanes", label=label))
        )
    outcomes, following = _get(step, "outcomes"), _get(step, "next")
    if outcomes is not None and following is not None:
        found.append((("steps", i, "next"), _("{label}: a decision goes by its outcomes; drop 'next'", label=label)))
    if isinstance(outcomes, dict) and len(outcomes) < 2:
        found.append((("steps", i, "outcomes"), _("{label}: a decision needs at least two outcomes", label=label)))
    target = _number(as_target(following))
    if target is not None and target not in numbers:
        found.append(
            (("steps", i, "next"), _("{label}: next step {target} does not exist", label=label, target=target))
        )
    for name, value in (outcomes or {}).items() if isinstance(outcomes, dict) else ():
        target = _number(as_target(value))
        if target is not None and target not in numbers:
            found.append(
                (
                    ("steps", i, "outcomes", str(name)),
                    _(
                        "{label}: outcome '{name}' goes to step {target}, which does not exist",
                        label=label,
                        name=name,
                        target=target,
                    ),
                )
            )
    found += _shared_time_problems(i, step, steps, numbers, label)
    return found


def _shared_time_problems(
    i: int, step: dict[str, Any], steps: list[Any], numbers: dict[int, int], label: str
) -> list[Problem]:
    """`time_with: N` joins a merged Waktu cell: N has its own time, and every step between shares it."""
    shared = _get(step, "time_with")
    if shared is None:
        return []
    path = ("steps", i, "time_with")
    target = _number(shared)
    if target is None:
        return []  # the schema names the wrong type
    if _get(step, "time") not in (None, *NO_STANDARD):
        return [
            (
                path,
                _(
                    "{label}: a step that shares step {target}'s time has no time of its own; drop 'time'",
                    label=label,
                    target=target,
                ),
            )
        ]
    if target not in numbers:
        return [(path, _("{label}: 'time_with' names step {target}, which does not exist", label=label, target=target))]
    j = numbers[target]
    if _get(steps[j], "time") in (None, *NO_STANDARD):
        return [(path, _("{label}: step {target} has no time of its own to share", label=label, target=target))]
    between = range(min(i, j) + 1, max(i, j))
    if j == i or any(_number(_get(steps[k], "time_with")) != target for k in between):
        return [
            (
                path,
                _(
                    "{label}: it can share the time only of an adjacent step (a merged Waktu cell), "
                    "not of step {target}",
                    label=label,
                    target=target,
                ),
            )
        ]
    return []


def _flow_problems(steps: list[dict[str, Any]], numbers: dict[int, int]) -> list[Problem]:
    """Every step reachable from the first, and every reachable step able to lead to the end (two
    breadth-first passes, forward and backward, so a long SOP costs linear time)."""
    edges: list[list[int]] = []
    finishing: list[int] = []
    for i, step in enumerate(steps):
        outcomes, following = _get(step, "outcomes"), as_target(_get(step, "next"))
        if isinstance(outcomes, dict) and outcomes:
            targets = [as_target(v) for v in outcomes.values()]
        elif following is not None:
            targets = [following]
        else:
            targets = [_get(steps[i + 1], "no") if i + 1 < len(steps) else END]
        edges.append([numbers[t] for t in targets if _number(t) in numbers])
        if END in targets:
            finishing.append(i)
    reached = _walk([0], edges)
    backward: list[list[int]] = [[] for _step in steps]
    for i, nexts in enumerate(edges):
        for j in nexts:
            backward[j].append(i)
    can_finish = _walk(finishing, backward)
    first = _get(steps[0], "no")
    found: list[Problem] = []
    for i, step in enumerate(steps):
        no = _get(step, "no")
        if i not in reached:
            found.append((("steps", i), _("step {no} can never be reached from step {first}", no=no, first=first)))
        elif i not in can_finish:
            found.append((("steps", i), _("step {no} can never lead to the end of the SOP", no=no)))
    return found


def _walk(starts: list[int], edges: list[list[int]]) -> set[int]:
    seen = set(starts)
    todo = list(starts)
    while todo:
        for j in edges[todo.pop()]:
            if j not in seen:
                seen.add(j)
                todo.append(j)
    return seen


def holiday_problems(calendar: Calendar) -> list[str]:
    """Checks the holiday country and categories against the `holidays` package (imported only here:
    `validate` and `start` pay for it, `show` and `list` do not)."""
    if calendar.holidays is None:
        return []
    import holidays

    country, _sep, subdivision = calendar.holidays.partition("-")
    entity = getattr(holidays, country, None)
    if country not in holidays.list_supported_countries() or entity is None:
        return [_("'{code}' is not a country the holidays package knows; use a code like ID, or null", code=country)]
    problems = []
    if subdivision and subdivision not in entity.subdivisions:
        problems.append(_("'{code}' has no subdivision '{sub}'", code=country, sub=subdivision))
    for category in calendar.holiday_categories:
        if category not in entity.supported_categories:
            known = ", ".join(entity.supported_categories)
            problems.append(
                _(
                    "'{code}' has no holiday category '{category}'; it has {known}",
                    code=country,
                    category=category,
                    known=known,
                )
            )
    return problems


def json_schema() -> dict[str, Any]:
    """JSON Schema of the SOP format, generated from the models; Indonesian aliases are listed too."""
    schema = Sop.model_json_schema(by_alias=False)
    models = {cls.__name__: cls for cls in (Sop, Actor, Step, Revision, Approval, Calendar)}
    for name, node in [("Sop", schema), *schema.get("$defs", {}).items()]:
        cls = models.get(name)
        if cls is None:
            continue
        required = node.pop("required", [])
        for field, info in cls.model_fields.items():
            if info.alias and info.alias != field:
                node["properties"][info.alias] = {**node["properties"][field], "title": info.alias}
        node["allOf"] = [
            {"anyOf": [{"required": [key]}, {"required": [cls.model_fields[key].alias]}]}
            if cls.model_fields[key].alias and cls.model_fields[key].alias != key
            else {"required": [key]}
            for key in required
        ]
        if not node["allOf"]:
            del node["allOf"]
    step = schema["$defs"]["Step"]["properties"]
    for key in ("actor", "pelaksana"):  # a single lane id is accepted where the form has one lane
        step[key] = {"anyOf": [{"type": "string"}, step[key]], "description": step[key].get("description", "")}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "SOP Administrasi Pemerintahan (sopcli)"
    return schema
