"""Print a grading report as a table, and write it as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from tinytorch.export import write_atomically


def format_report(report: dict) -> str:
    """Part, score / max, and one line per test that did not pass."""
    lines = [f"{report['notebook']}: {report['score']:g} / {report['max_score']:g}"]
    for notice in report.get("notices", []):
        lines.append(f"  note: {notice}")
    width = max(len(part["name"]) for part in report["parts"])
    for part in report["parts"]:
        lines.append(f"  {part['name']:<{width}}  {part['score']:>5g} / {part['max_score']:<4g}")
        for test in part["tests"]:
            if test["status"] != "passed":
                lines.append(f"      - {test['name']} ({test['status']}, -{test['max_score']:g}): {test['message']}")
    return "\n".join(lines)


def write_json(report: dict, path: Path) -> None:
    write_atomically(Path(path), json.dumps(report, indent=2, sort_keys=False) + "\n")
