"""The SOP as a Mermaid flowchart: lanes as subgraphs, decisions as diamonds with labelled edges."""

from __future__ import annotations

from sopcli.model import Sop
from sopcli.plan import END


def _label(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", " ")


def sop_mermaid(sop: Sop) -> str:
    lines = ["flowchart TD", f'    start(["Mulai: {_label(sop.title)}"])']
    for actor in sop.actors:
        lines.append(f'    subgraph lane_{actor.id}["{_label(actor.name)}"]')
        for step in sop.steps:
            if step.actor == actor.id:
                text = _label(f"{step.no}. {step.activity} ({step.time})")
                lines.append(f'        s{step.no}{{"{text}"}}' if step.is_decision else f'        s{step.no}["{text}"]')
        lines.append("    end")
    lines.append('    finish(["Selesai"])')
    lines.append(f"    start --> s{sop.steps[0].no}")
    for i, step in enumerate(sop.steps):
        if step.outcomes:
            for name, target in step.outcomes.items():
                node = "finish" if target == END else f"s{target}"
                lines.append(f'    s{step.no} -->|"{_label(name)}"| {node}')
        else:
            (target,) = sop.successors(i)
            lines.append(f"    s{step.no} --> {'finish' if target == END else f's{target}'}")
    return "\n".join(lines) + "\n"
