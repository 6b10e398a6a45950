"""The SOP as a Mermaid flowchart: lanes as subgraphs, decisions as diamonds with labelled edges."""

from __future__ import annotations

from typing import Any

from sopcli.i18n import _
from sopcli.plan import END
from sopcli.render import unsafe


def _label(text: str) -> str:
    """Text inside a quoted Mermaid label: its markup characters, controls and direction overrides as
    Mermaid entity codes (`#27;`), so neither the diagram nor a terminal showing it can be subverted."""
    return "".join(f"#{ord(c)};" if c in '"<>#&`' or unsafe(c) else c for c in text.replace("\n", " "))


def sop_mermaid(doc: dict[str, Any]) -> str:
    """A step drawn in several lanes sits in the first of them, its label naming the others."""
    names = {a["id"]: a["name"] for a in doc["actors"]}
    steps = doc["steps"]
    begin = _label(_("Start"))
    lines = ["flowchart TD", f'    start(["{begin}: {_label(doc["title"])}"])']
    for actor in doc["actors"]:
        lines.append(f'    subgraph lane_{actor["id"]}["{_label(actor["name"])}"]')
        for step in steps:
            if step["actors"][0] != actor["id"]:
                continue
            extra = f" [{', '.join(names[a] for a in step['actors'])}]" if len(step["actors"]) > 1 else ""
            text = _label(f"{step['no']}. {step['activity']} ({step['time'] or '-'}){extra}")
            lines.append(
                f'        s{step["no"]}{{"{text}"}}' if step.get("outcomes") else f'        s{step["no"]}["{text}"]'
            )
        lines.append("    end")
    finish = _label(_("End"))
    lines.append(f'    finish(["{finish}"])')
    lines.append(f"    start --> s{steps[0]['no']}")
    for i, step in enumerate(steps):
        following = steps[i + 1]["no"] if i + 1 < len(steps) else END
        if step.get("outcomes"):
            for name, target in step["outcomes"].items():
                node = "finish" if target == END else f"s{target}"
                lines.append(f'    s{step["no"]} -->|"{_label(name)}"| {node}')
        else:
            target = step["next"] if step.get("next") is not None else following
            lines.append(f"    s{step['no']} --> {'finish' if target == END else f's{target}'}")
    return "\n".join(lines) + "\n"
