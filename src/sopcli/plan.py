"""The SOP as a run sees it: a frozen snapshot read from the run's first record, without pydantic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from sopcli.calendar import WorkCalendar

END: Final = "end"


@dataclass(frozen=True)
class PlanStep:
    no: int
    activity: str
    actor: str
    requires: tuple[str, ...]
    output: tuple[str, ...]
    time: str
    standard_minutes: float
    outcomes: dict[str, int | str]
    next: int | str

    @property
    def is_decision(self) -> bool:
        return bool(self.outcomes)


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

    @classmethod
    def from_snapshot(cls, document: dict[str, Any], closed: list[str]) -> Plan:
        raw_steps = document["steps"]
        steps = []
        for i, s in enumerate(raw_steps):
            following = raw_steps[i + 1]["no"] if i + 1 < len(raw_steps) else END
            steps.append(
                PlanStep(
                    no=s["no"],
                    activity=s["activity"],
                    actor=s["actor"],
                    requires=tuple(s.get("requires") or ()),
                    output=tuple(s.get("output") or ()),
                    time=s["time"],
                    standard_minutes=s["standard_minutes"],
                    outcomes=dict(s.get("outcomes") or {}),
                    next=s["next"] if s.get("next") is not None else following,
                )
            )
        return cls(
            id=document["id"],
            number=document["number"],
            title=document["title"],
            actors={a["id"]: a["name"] for a in document["actors"]},
            steps=tuple(steps),
            calendar=WorkCalendar.from_settings(document.get("calendar") or {}, closed),
            document=document,
        )

    def step(self, no: int) -> PlanStep | None:
        return next((s for s in self.steps if s.no == no), None)

    def lane(self, step: PlanStep) -> str:
        return self.actors.get(step.actor, step.actor)
