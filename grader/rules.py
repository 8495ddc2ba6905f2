"""The rule table: every rule the release tells students, and the graded tests that enforce it.

``grading_suite/rules/<cell>.toml`` holds the rules of one notebook test cell
(``test_dataset.toml`` for the cell ``test_dataset``)::

    [[rule]]
    id = "dataset-abstract"                        # unique across the table
    rule = "Dataset() raises TypeError: ..."       # the rule in one sentence
    told = ["Dataset is an abstract base class"]   # phrases of the release notebook that tell the student
    tests = ["test_dataset_is_abstract"]           # graded tests (public or hidden) of that cell

``tests/test_rules.py`` holds the table to account: every rule is told in the
release and has a test; every graded test enforces a rule.  ``python -m grader
rules`` prints the table with each test's points.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from grader import paths


@dataclass(frozen=True)
class Rule:
    id: str
    cell: str
    rule: str
    told: tuple[str, ...]
    tests: tuple[str, ...]


def load_rules(directory: Path = paths.RULES_DIR) -> list[Rule]:
    """Every rule of every ``<cell>.toml`` in ``directory``, in file order.

    Raises:
        ValueError: if a rule lacks one of ``id``, ``rule``, ``told``, ``tests`` (the message names the file).
    """
    rules = []
    for path in sorted(directory.glob("*.toml")):
        for entry in tomllib.loads(path.read_text(encoding="utf-8")).get("rule", []):
            missing = [key for key in ("id", "rule", "told", "tests") if key not in entry]
            if missing:
                raise ValueError(f"{path.name}: rule {entry.get('id', '?')!r} lacks {', '.join(missing)}")
            rules.append(Rule(str(entry["id"]), path.stem, " ".join(str(entry["rule"]).split()),
                              tuple(entry["told"]), tuple(entry["tests"])))
    return rules


def table(rules: list[Rule], points: dict[str, float]) -> str:
    """The rule table as Markdown: cell, rule, where the release says it, tests with their points."""
    lines = ["| cell | rule | told in the release | tests (points) |", "|---|---|---|---|"]
    for rule in rules:
        told = "; ".join(f"“{phrase}”" for phrase in rule.told)
        tests = ", ".join(f"`{name}` ({points.get(name, 0):g})" for name in rule.tests)
        lines.append(f"| {rule.cell} | {rule.rule} | {told} | {tests} |".replace("\n", " "))
    return "\n".join(lines)
