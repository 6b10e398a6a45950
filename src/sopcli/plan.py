"""The SOP as a run sees it: a frozen snapshot read from the run's first record, without pydantic."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from sopcli.calendar import WorkCalendar

END: Final = "end"


@dataclass(frozen=True)
class PlanStep:
    no: int
    activity: str
    actors: tuple[str, ...]
    together: str  # "any": one of the lanes does it; "all": each lane does its part
    requires: tuple[str, ...]
    output: tuple[str, ...]
    time: str | None
    standard_minutes: float | None  # None: no standard of its own (none at all, or shared)
    time_with: int | None
    outcomes: dict[str, int | str]
    next: int | str
    note: str | None = None

    @property
    def is_decision(self) -> bool:
        return bool(self.outcomes)

    @property
    def actor(self) -> str:
        return self.actors[0]

    @property
    def several(self) -> bool:
        return len(self.actors) > 1


@dataclass(frozen=True)
class Plan:
    """What a run executes: lanes, steps with their standards in minutes, and the working calendar."""

    id: str
    number: str
    title: str
    actors: dict[str, str]
    steps: tuple[PlanStep, ...]
    calendar: WorkCalendar
    document: dict[str, Any]
    holidays: dict[str, dict[str, str]] = field(default_factory=dict)  # date -> {"id": name, "en": name}
    days_off: tuple[str, ...] = ()

    @classmethod
    def from_snapshot(cls, document: dict[str, Any], closed: list[str], names: dict[str, Any] | None = None) -> Plan:
        raw_steps = document["steps"]
        steps = []
        for i, s in enumerate(raw_steps):
            following = raw_steps[i + 1]["no"] if i + 1 < len(raw_steps) else END
            actors = s.get("actors") or [s["actor"]]
            steps.append(
                PlanStep(
                    no=s["no"],
                    activity=s["activity"],
                    actors=tuple(actors),
                    together=s.get("together") or "any",
                    requires=tuple(s.get("requires") or ()),
                    output=tuple(s.get("output") or ()),
                    time=s.get("time"),
                    standard_minutes=s.get("standard_minutes"),
                    time_with=s.get("time_with"),
                    outcomes=dict(s.get("outcomes") or {}),
                    next=s["next"] if s.get("next") is not None else following,
                    note=s.get("note"),
                )
            )
        calendar = document.get("calendar") or {}
        return cls(
            id=document["id"],
            number=document["number"],
            title=document["title"],
            actors={a["id"]: a["name"] for a in document["actors"]},
            steps=tuple(steps),
            calendar=WorkCalendar.from_settings(calendar, closed),
            document=document,
            holidays=dict(names or {}),
            days_off=tuple(str(d) for d in calendar.get("days_off") or ()),
        )

    def step(self, no: int) -> PlanStep | None:
        return next((s for s in self.steps if s.no == no), None)

    def lane(self, actor: str) -> str:
        return self.actors.get(actor, actor)

    def lanes(self, step: PlanStep) -> str:
        return ", ".join(self.lane(a) for a in step.actors)

    def group(self, step: PlanStep) -> tuple[int, ...]:
        """The steps that share one time standard with `step` (a merged Waktu cell), in order."""
        head = step.time_with if step.time_with is not None else step.no
        return tuple(s.no for s in self.steps if s.no == head or s.time_with == head)

    def group_standard(self, step: PlanStep) -> float | None:
        head = self.step(step.time_with) if step.time_with is not None else step
        return head.standard_minutes if head else None
