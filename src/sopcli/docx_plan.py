"""Turns what was read from a Word form into SOP YAML, saying beside each value what had to be guessed.

The form is silent on the id, sometimes on a lane's name, on whether one lane or each does a step drawn
in several, and often on a decision's targets: each guess is a comment beside its value."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sopcli.docx_read import (
    ACTOR_ID,
    DURATION_IN_TEXT,
    EMPTY_MARKS,
    HEADER_NAMES,
    ITEM_MARKER,
    LIST_JOIN,
    LIST_KEYS,
    NEGATIVE,
    OUTCOME_WORDS,
    SIGNATURE_WORDS,
    SOP_ID,
    TEXT_KEYS,
    TOGETHER_WORDS,
    Form,
    StepRead,
    flow_pieces,
    is_empty,
    json_value,
    list_items,
    parse_date,
    spellings,
    words,
)
from sopcli.docx_tables import DECISION, TERMINATOR
from sopcli.i18n import _
from sopcli.yaml_out import Mapping, Value, Writer, slug

ID_LENGTH = 48
END_VALUE = "selesai"
REVISION_NUMBER = r"(?:revisi|revision|rev)\.?\s*(?:ke)?\s*[-.:]?\s*(\d{1,3})\b"


def to_yaml(form: Form, source: str) -> tuple[str, list[tuple[int, str]], list[str]]:
    """The YAML text, the guesses (line, what) and what could not be read."""
    plan = Plan(form)
    items = plan.items()
    writer = Writer()
    title = " ".join(form.fields.get("title", [])) or source
    writer.comment(_("{title}: imported by `sop import` from {file}.", title=title, file=source))
    writer.comment(_("Comments say what the form writes differently and which values were guessed; check those."))
    writer.lines.append("")
    writer.mapping(items)
    return writer.text(), writer.guesses, [*form.unread, *plan.unread]


def target_value(target: int | str) -> int | str:
    return END_VALUE if target == "end" else target


class Plan:
    """The YAML keys of one imported SOP, in the order of the form."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.exported = "id" in form.properties  # written by sop export
        self.unread: list[str] = []
        self.numbers = self._numbers()
        self.lane_ids = self._lane_ids()

    def text(self, key: str) -> str:
        return " ".join(self.form.fields.get(key, []))

    def items(self) -> Mapping:
        missing = [HEADER_NAMES[key] for key in HEADER_NAMES if key not in self.form.fields]
        if missing:
            self.unread.append(_("not on the form: {labels}", labels=", ".join(missing)))
        items: Mapping = [("id", self.sop_id()), ("nomor", self.number()), ("judul", self.title())]
        if self.form.units:
            items.append(("unit", Value(self.form.units)))
        items += self.dates()
        if "approved" in self.form.fields and not is_empty(self.form.fields["approved"]):
            items.append(("disahkan_oleh", self.approval()))
        for key, name in LIST_KEYS.items():
            if key in self.form.fields:
                items.append((name, Value(list_items(self.form.fields[key]))))
        for key, name in TEXT_KEYS.items():
            if key in self.form.fields:
                items.append((name, Value(None if is_empty(self.form.fields[key]) else self.text(key))))
        calendar = self.calendar()
        if calendar:
            items.append(("kalender", calendar))
        items.append(("pelaksana", self.lanes()))
        items.append(("prosedur", [self.step(i) for i in range(len(self.form.steps))]))
        return items

    # ------------------------------------------------ the header

    def sop_id(self) -> Value:
        given = self.form.properties.get("id", "")
        if SOP_ID.match(given):
            return Value(given)
        made = slug(self.text("title") or self.form.core_title, ID_LENGTH) or slug(self.text("number"), ID_LENGTH)
        return Value(
            made or "sop",
            guess=_("made from the Nama SOP; it is the name used on the command line, change it freely"),
        )

    def number(self) -> Value:
        if self.text("number"):
            return Value(self.text("number"))
        return Value("", guess=_("no Nomor SOP on the form; write it here"))

    def title(self) -> Value:
        if self.text("title"):
            return Value(self.text("title"))
        if self.form.core_title:
            return Value(self.form.core_title, guess=_("no Nama SOP on the form; taken from the document's title"))
        return Value("", guess=_("no Nama SOP on the form; write it here"))

    def dates(self) -> Mapping:
        items: Mapping = []
        for key, name in (
            ("created", "tanggal_pembuatan"),
            ("revision", "tanggal_revisi"),
            ("effective", "tanggal_efektif"),
        ):
            if key not in self.form.fields:
                continue
            value = self.revision() if key == "revision" else self.day(key)
            if value is not None:
                items.append((name, value))
        return items

    def day(self, key: str) -> Value | None:
        written = self.text(key)
        if is_empty(self.form.fields[key]):
            return None
        found = parse_date(written)
        if found is None:
            self.unread.append(_("{label} '{text}' is not a date", label=HEADER_NAMES[key], text=written))
            return None
        return Value(found, note=written)

    def revision(self) -> Value | Mapping | None:
        written = self.text("revision")
        if is_empty(self.form.fields["revision"]) or words(written) in ("0", "revisi 0"):
            return Value(None)
        found = parse_date(written)
        if found is None:
            self.unread.append(_("{label} '{text}' is not a date", label=HEADER_NAMES["revision"], text=written))
            return None
        number = re.search(REVISION_NUMBER, written, re.I) or re.match(r"^\s*(\d{1,3})\s*[(,]", written)
        no = Value(int(number.group(1))) if number else Value(1, guess=_("the form gives no revision number"))
        return [("nomor", no), ("tanggal", Value(found, note=written))]

    def approval(self) -> Mapping:
        lines = [p for p in self.form.fields["approved"] if words(p) not in SIGNATURE_WORDS]
        nip = None
        for line in lines:
            match = re.match(r"^NIP\s*\.?\s*:?\s*(.+)$", line, re.I)
            if match:
                nip = match.group(1).strip()
                lines = [other for other in lines if other is not line]
                break
        items: Mapping = []
        if len(lines) > 1:
            items.append(("jabatan", Value(" ".join(lines[:-1]))))
        if lines:
            items.append(("nama", Value(lines[-1])))
        else:
            items.append(("nama", Value("", guess=_("no name under Disahkan oleh; write it here"))))
        if nip:
            digits = "".join(nip.split())
            plain = digits if digits.isdigit() else nip  # a NIP is 18 digits; spaces only group them
            items.append(("nip", Value(plain, note=f"NIP. {nip}" if plain != nip else "")))
        return items

    def calendar(self) -> Mapping:
        from sopcli.model import Calendar

        facts = {k.removeprefix("calendar."): v for k, v in self.form.properties.items() if k.startswith("calendar.")}
        if not facts:
            return []
        chunks = sorted((k for k in facts if k.startswith("days_off.")), key=lambda k: int(k.split(".")[1]))
        days = [date.fromisoformat(day) for k in chunks for day in facts[k].split(",") if day]
        items: Mapping = []
        for key, info in Calendar.model_fields.items():
            if key == "days_off":
                value: Any = days or None
            elif key in facts:
                value = json_value(facts[key])
                if value is None and facts[key] != "null":
                    self.unread.append(_("the calendar in the document's properties could not be read"))
                    continue
            else:
                continue
            if value is not None or key == "holidays":
                items.append((info.alias or key, Value(value, inline=key != "days_off")))
        return items

    # ------------------------------------------------ the lanes

    def _lane_ids(self) -> list[str]:
        by_name = {
            name: key.removeprefix("lane.")
            for key, name in self.form.properties.items()
            if key.startswith("lane.") and ACTOR_ID.match(key.removeprefix("lane."))
        }
        ids: list[str] = []
        for k, lane in enumerate(self.form.lanes, 1):
            wanted = by_name.get(lane.name) or slug(lane.name) or f"pelaksana-{k}"
            unique, n = wanted, 2
            while unique in ids:
                unique, n = f"{wanted}-{n}", n + 1
            ids.append(unique)
        return ids

    def lanes(self) -> list[Mapping]:
        out = []
        for k, (lane, lane_id) in enumerate(zip(self.form.lanes, self.lane_ids, strict=True), 1):
            name = (
                Value(lane.name)
                if lane.name
                else Value(_("Lane {n}", n=k), guess=_("the lane column has no name on the form; name it"))
            )
            out.append([("id", Value(lane_id)), ("nama", name)])
        return out

    # ------------------------------------------------ the steps

    def _numbers(self) -> list[tuple[int, bool]]:
        """Each step's number, and whether it was guessed (a row without one follows the row above)."""
        out: list[tuple[int, bool]] = []
        for step in self.form.steps:
            if step.no is not None:
                out.append((step.no, False))
            else:
                out.append(((out[-1][0] + 1) if out else 1, True))
        return out

    def following(self, i: int) -> int | str:
        return self.numbers[i + 1][0] if i + 1 < len(self.numbers) else "end"

    def previous(self, i: int) -> int | str:
        return self.numbers[i - 1][0] if i > 0 else "end"

    def step(self, i: int) -> Mapping:
        step = self.form.steps[i]
        no, guessed = self.numbers[i]
        items: Mapping = [
            ("nomor", Value(no, guess=_("the row has no number; numbered after the row above") if guessed else "")),
            ("kegiatan", self.activity(step)),
        ]
        lanes, lane_value = self.step_lanes(i)
        items.append(("pelaksana", lane_value))
        kept, together, flows = self.read_notes(step)
        if len(lanes) > 1:
            items.append(("bersama", self.together(together, kept)))
        requires, output = self.mutu(step.requires), self.mutu(step.output)
        if requires is not None:
            items.append(("kelengkapan", requires))
        items.append(self.time(i))
        if output is not None:
            items.append(("output", output))
        if kept:
            items.append(("keterangan", Value(" ".join(kept))))
        items += self.flow(i, step, kept, flows)
        return items

    def activity(self, step: StepRead) -> Value:
        text = " ".join(step.activity)
        return Value(text) if text else Value("", guess=_("the row has no activity text; write it here"))

    def step_lanes(self, i: int) -> tuple[list[int], Value]:
        step = self.form.steps[i]
        marked = {lane: kinds for lane, kinds in step.marks.items() if kinds}
        lanes = sorted(k for k, kinds in marked.items() if any(kind != TERMINATOR for kind in kinds)) or sorted(marked)
        guess = ""
        if not lanes:
            text = " ".join(step.activity).lower()
            named = [k for k, lane in enumerate(self.form.lanes) if lane.name and lane.name.lower() in text]
            before = self.form.steps[i - 1] if i > 0 else None
            lanes = named[:1] or (sorted(before.marks)[:1] if before and before.marks else []) or [0]
            guess = _("no lane is marked in this row; guessed {lane}", lane=self.lane_ids[lanes[0]])
        ids = [self.lane_ids[k] for k in lanes]
        return lanes, Value(ids[0] if len(ids) == 1 else ids, guess=guess, inline=True)

    def read_notes(self, step: StepRead) -> tuple[list[str], str | None, list[tuple[str, int | str]]]:
        """The Keterangan cell: the SOP's own note, the sentence saying how lanes share the step, the flow."""
        kept: list[str] = []
        together = None
        flows: list[tuple[str, int | str]] = []
        for paragraph in step.notes:
            phrase = spellings()[2].get(words(paragraph))
            pieces = None if phrase else flow_pieces(paragraph)
            if phrase:
                together = phrase
            elif pieces is not None:
                flows += pieces
            else:
                kept.append(paragraph)
        return kept, together, flows

    def together(self, phrase: str | None, kept: list[str]) -> Value:
        if phrase:
            return Value(phrase)
        note = " ".join(kept)
        for value, pattern in TOGETHER_WORDS:
            match = pattern.search(note)
            if match:
                return Value(value, note=_("read from the word '{word}' in Keterangan", word=match.group(1)))
        return Value(
            "any",
            guess=_("the form does not say whether one of these lanes does it (any) or each does its part (all)"),
        )

    def mutu(self, paragraphs: list[str]) -> Value | None:
        """A Kelengkapan or Output cell: its parts (paragraphs, and parts joined with " + ")."""
        if is_empty(paragraphs):
            return None
        items: list[str] = []
        for paragraph in paragraphs:
            marker = ITEM_MARKER.match(paragraph)
            text = paragraph[marker.end() :] if marker else paragraph
            items += [part.strip() for part in text.split(LIST_JOIN) if part.strip() not in EMPTY_MARKS]
        if len(items) == 1:
            return Value(items[0])
        joined = any(LIST_JOIN in p for p in paragraphs)
        return Value(items, note=_('the form\'s cell: "{text}"', text=" ".join(paragraphs)) if joined else "")

    def time(self, i: int) -> tuple[str, Value]:
        step = self.form.steps[i]
        origin = step.shares_with
        if origin is not None and not is_empty([self.form.steps[origin].time or ""]):
            no = self.numbers[origin][0]
            return "waktu_bersama", Value(no, note=_("one merged Waktu cell with step {no}", no=no))
        written = (step.time or "").strip()
        if written in EMPTY_MARKS:
            return "waktu", Value("-", note="" if written else _("the Waktu cell is empty: no time standard"))
        return "waktu", self.duration(written, self.numbers[i][0])

    def duration(self, written: str, no: int) -> Value:
        from sopcli.duration import DurationError, parse_duration

        try:
            parse_duration(written)
            return Value(written)
        except DurationError:
            pass
        if self.form.time_unit and re.fullmatch(r"\d+(?:[.,]\d+)?", written):
            with_unit = f"{written} {self.form.time_unit}"
            return Value(with_unit, note=_("the Waktu column counts in {unit}", unit=self.form.time_unit))
        for match in DURATION_IN_TEXT.finditer(written):
            amount = match.group(2) or match.group(1)
            candidate = f"{amount} {match.group(3)}"
            try:
                parse_duration(candidate)
            except DurationError:
                continue
            return Value(candidate, guess=_("the form writes '{text}'; read as {time}", text=written, time=candidate))
        self.unread.append(
            _(
                "step {no}: the Waktu '{text}' is not a time standard; write it like 10 Menit or 2 Jam",
                no=no,
                text=written,
            )
        )
        return Value(written)

    # ------------------------------------------------ where the work goes next

    def flow(self, i: int, step: StepRead, kept: list[str], flows: list[tuple[str, int | str]]) -> Mapping:
        items: Mapping = []
        outcomes = [(name, target) for name, target in flows if name]
        jumps = [target for name, target in flows if not name]
        if jumps:
            items.append(("lanjut", Value(target_value(jumps[0]))))
        drawn = any(DECISION in kinds for kinds in step.marks.values())
        # a form written by sop export says every flow in Keterangan: words in an activity are only words
        inferred = not self.exported
        said = inferred and (OUTCOME_WORDS.search(" ".join(kept)) or OUTCOME_WORDS.search(" ".join(step.activity)))
        if not (outcomes or drawn or said):
            return items
        names = (said.group(1).lower(), said.group(2).lower()) if said else ("ya", "tidak")
        choices: Mapping = [(name, Value(target_value(target))) for name, target in outcomes]
        if len(outcomes) < 2:
            choices += self.guessed_outcomes(i, outcomes, names)
        items.append(("pilihan", choices))
        return items

    def guessed_outcomes(self, i: int, given: list[tuple[str, int | str]], names: tuple[str, str]) -> Mapping:
        """Targets for the outcomes a decision names none for. Without any: the positive outcome goes on
        to the next row, the negative one back to the step before (where work is sent back to be redone).
        Beside one given outcome that leaves the next row, the other goes to the next row; beside one
        that goes to the next row, the other goes back."""
        positive, negative = names
        if not given:
            wanted = [(positive, self.following(i)), (negative, self.previous(i))]
        else:
            name, target = given[0]
            other = positive if NEGATIVE.match(name) else negative
            if other == name:
                other = "ya" if other != "ya" else "tidak"
            wanted = [(other, self.following(i) if target != self.following(i) else self.previous(i))]
        return [(name, Value(target_value(target), guess=self.why(i, name, target))) for name, target in wanted]

    def why(self, i: int, name: str, target: int | str) -> str:
        if target == "end":
            return _("the form names no target for '{name}'; guessed the end of the SOP", name=name)
        if target == self.following(i):
            return _("the form names no target for '{name}'; guessed the next row ({target})", name=name, target=target)
        return _(
            "the form names no target for '{name}'; guessed the step before ({target}), where work goes back",
            name=name,
            target=target,
        )
