"""The SOP format of PermenPAN-RB 35/2012 as pydantic models: English keys, Indonesian aliases."""

from __future__ import annotations

from datetime import date as Date
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sopcli.calendar import WEEKDAYS, parse_hours
from sopcli.duration import WORKDAYS_PER_WEEK, DurationError, parse_duration
from sopcli.plan import END

Target = int | Literal["end"]

_WEEKDAY_NAMES = {
    **{name: name for name in WEEKDAYS},
    **dict(zip(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"), WEEKDAYS, strict=True)),
    **dict(zip(("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu"), WEEKDAYS, strict=True)),
    "jum'at": "fri",
    "ahad": "sun",
}


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
                    raise ValueError(f"'{name}' and '{field.alias}' are the same key; keep one")
        return data


def _as_list(value: Any) -> Any:
    """A single string is accepted where the form has one line instead of a list."""
    return [value] if isinstance(value, str) else value


def _as_target(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in (END, "selesai"):
        return END
    return value


class Actor(_Model):
    """A swimlane of the flowchart: one role (Pelaksana) that carries out steps."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", description="short name used in steps")
    name: str = Field(alias="nama", min_length=1, description="the role as written on the form")


class Step(_Model):
    """One numbered row of the procedure with its Mutu Baku."""

    no: int = Field(alias="nomor", ge=1, description="step number, ascending")
    activity: str = Field(alias="kegiatan", min_length=1, description="Uraian Kegiatan")
    actor: str = Field(alias="pelaksana", description="id of the lane that does this step")
    requires: list[str] = Field(default_factory=list, alias="kelengkapan", description="Mutu Baku: Kelengkapan")
    time: str = Field(alias="waktu", description='Mutu Baku: Waktu, e.g. "60 Menit", "3 Hari", "PT1H"')
    output: list[str] = Field(default_factory=list, description="Mutu Baku: Output")
    note: str | None = Field(default=None, alias="keterangan", description="Keterangan")
    next: Target | None = Field(default=None, alias="lanjut", description="next step no, or end")
    outcomes: dict[str, Target] | None = Field(
        default=None, alias="pilihan", description="decision: outcome name -> step no or end"
    )

    @field_validator("requires", "output", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("next", mode="before")
    @classmethod
    def _target(cls, value: Any) -> Any:
        return _as_target(value)

    @field_validator("outcomes", mode="before")
    @classmethod
    def _targets(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): _as_target(v) for k, v in value.items()}
        return value

    @field_validator("time")
    @classmethod
    def _duration(cls, value: str) -> str:
        try:
            parse_duration(value)
        except DurationError as err:
            raise ValueError(f"{err.message}; {err.hint}") from None
        return value.strip()

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
        default="ID", alias="hari_libur", description="country code for public holidays, or null"
    )
    days_off: list[Date] = Field(default_factory=list, alias="cuti", description="extra days off")
    mode: Literal["working", "continuous"] = "working"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r}; use a name like Asia/Jakarta") from None
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
                raise ValueError(f"not a weekday: {item!r}; use mon..sun, senin..minggu or 1..7")
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
                raise ValueError(f"working hours {text!r} overlap or are out of order")
            previous_end = end
        return value

    @field_validator("holidays", mode="before")
    @classmethod
    def _country(cls, value: Any) -> Any:
        return None if value in (False, "none", "") else value

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

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="the name used on the command line")
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

    def actor(self, actor_id: str) -> Actor:
        return next(a for a in self.actors if a.id == actor_id)

    def successors(self, index: int) -> list[Target]:
        """Where the work goes after the step at `index`: its outcomes, its `next`, or the following step."""
        step = self.steps[index]
        if step.outcomes:
            return list(step.outcomes.values())
        if step.next is not None:
            return [step.next]
        following: Target = self.steps[index + 1].no if index + 1 < len(self.steps) else END
        return [following]

    def standard_minutes(self, step: Step) -> float:
        cal = self.calendar
        return parse_duration(step.time).to_minutes(cal.day_minutes, cal.week_days)

    def problems(self, flow: bool = True) -> list[tuple[tuple[str | int, ...], str]]:
        """Rules that span several keys, as (key path, message); empty when the SOP is coherent.

        `flow=False` skips reachability, for a partial SOP whose broken steps were left out."""
        found: list[tuple[tuple[str | int, ...], str]] = []
        lanes: set[str] = set()
        for i, actor in enumerate(self.actors):
            if actor.id in lanes:
                found.append((("actors", i, "id"), f"actor '{actor.id}' is listed twice"))
            lanes.add(actor.id)
        numbers: set[int] = set()
        all_numbers = {s.no for s in self.steps}
        last = 0
        for i, step in enumerate(self.steps):
            if step.actor not in lanes:
                found.append(
                    (
                        ("steps", i, "actor"),
                        f"step {step.no}: unknown actor '{step.actor}'; lanes are {', '.join(sorted(lanes))}",
                    )
                )
            if step.no in numbers:
                found.append((("steps", i, "no"), f"step number {step.no} is used twice"))
            elif step.no < last:
                found.append((("steps", i, "no"), f"step {step.no} comes after step {last}; number steps ascending"))
            numbers.add(step.no)
            last = max(last, step.no)
            if step.outcomes is not None and step.next is not None:
                found.append((("steps", i, "next"), f"step {step.no}: a decision goes by its outcomes; drop 'next'"))
            if step.outcomes is not None and len(step.outcomes) < 2:
                found.append((("steps", i, "outcomes"), f"step {step.no}: a decision needs at least two outcomes"))
            if step.next is not None and step.next != END and step.next not in all_numbers:
                found.append((("steps", i, "next"), f"step {step.no}: next step {step.next} does not exist"))
            for name, target in (step.outcomes or {}).items():
                if target != END and target not in all_numbers:
                    found.append(
                        (
                            ("steps", i, "outcomes", name),
                            f"step {step.no}: outcome '{name}' goes to step {target}, which does not exist",
                        )
                    )
        if found or not flow:
            return found
        return self._flow_problems()

    def _flow_problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Every step reachable from the first, and every reachable step able to lead to the end."""
        index_of = {s.no: i for i, s in enumerate(self.steps)}
        edges: dict[int, list[int]] = {}
        finishing: set[int] = set()
        for i in range(len(self.steps)):
            targets = self.successors(i)
            edges[i] = [index_of[t] for t in targets if isinstance(t, int)]
            if END in targets:
                finishing.add(i)
        reached = {0}
        todo = [0]
        while todo:
            for j in edges[todo.pop()]:
                if j not in reached:
                    reached.add(j)
                    todo.append(j)
        changed = True
        while changed:
            changed = False
            for i, nexts in edges.items():
                if i not in finishing and any(j in finishing for j in nexts):
                    finishing.add(i)
                    changed = True
        found: list[tuple[tuple[str | int, ...], str]] = [
            (("steps", i), f"step {step.no} can never be reached from step {self.steps[0].no}")
            for i, step in enumerate(self.steps)
            if i not in reached
        ]
        for i in sorted(reached - finishing):
            found.append((("steps", i), f"step {self.steps[i].no} can never lead to the end of the SOP"))
        return found


def sop_document(sop: Sop) -> dict[str, Any]:
    """The SOP under its canonical English keys, each step with its standard in minutes."""
    data = sop.model_dump(mode="json")
    for step, doc in zip(sop.steps, data["steps"], strict=True):
        doc["standard_minutes"] = sop.standard_minutes(step)
    return data


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
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "SOP Administrasi Pemerintahan (sopcli)"
    return schema
