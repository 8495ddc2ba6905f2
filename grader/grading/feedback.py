"""Feedback a student can act on, written from a grading report (Markdown)."""

from __future__ import annotations

import re

from grader.limits import FEEDBACK_LIMIT

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def escape(text: str) -> str:
    """``text`` safe inside Markdown and HTML: no tags, links, code spans,
    emphasis, tables or @mentions can start from it."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return text.replace("@", "@\u200b").replace("\n", " ")


def feedback_markdown(report: dict, student: str, assignment: str) -> str:
    """A Markdown page: score per part, then each lost test with what it
    checks and what went wrong; at most FEEDBACK_LIMIT characters."""
    text = _feedback_lines(report, student, assignment)
    if len(text) > FEEDBACK_LIMIT:
        text = text[: FEEDBACK_LIMIT - 100].rsplit("\n", 1)[0] + "\n\n(feedback cut here: ask your instructor for the rest)\n"
    return text


def _feedback_lines(report: dict, student: str, assignment: str) -> str:
    lines = [f"# {assignment}: feedback for {escape(student)}", "",
             f"**Score: {report['score']:g} / {report['max_score']:g}**", ""]
    for notice in report.get("notices", []):
        lines.append(f"> Note: {escape(notice)}")
    if report.get("notices"):
        lines.append("")
    lines += ["| part | score |", "|---|---|"]
    lines += [f"| {p['name']} | {p['score']:g} / {p['max_score']:g} |" for p in report["parts"]]
    lost = [(p, t) for p in report["parts"] for t in p["tests"] if t["status"] != "passed"]
    lines.append("")
    if not lost:
        lines.append("Every hidden test passed. Well done.")
        return "\n".join(lines) + "\n"
    lines.append("## What to fix")
    current = None
    for part, test in lost:
        if part["name"] != current:
            current = part["name"]
            lines += ["", f"### {current} ({part['score']:g} / {part['max_score']:g})", ""]
        checks = f" ({escape(test['checks'])})" if test.get("checks") else ""
        lines.append(f"- `{test['name']}`{checks}, {test['status']}, -{test['max_score']:g}: "
                     f"{escape(test['message'])}")
    return "\n".join(lines) + "\n"
