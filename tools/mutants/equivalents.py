"""The review of surviving mutants (tools/mutants.py): the reviewed equivalents and the verdict.

``tools/mutants_equivalent.toml`` lists the mutants judged equivalent to the
reference, each matched by its method, original line and mutated line (stripped),
never by line number, so edits elsewhere keep the list valid.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

EQUIVALENTS = Path(__file__).resolve().parents[1] / "mutants_equivalent.toml"
EQUIVALENT_KEYS = ("where", "original", "mutated", "why")
TARGET = 0.95  # the mutation score a run must reach


def load_equivalents(path: Path = EQUIVALENTS) -> list[dict]:
    """The reviewed equivalent mutants: ``[[equivalent]]`` tables with where,
    original, mutated (stripped lines, as printed by this tool) and why.

    Raises:
        ValueError: if the file is malformed or lists a mutant twice.
    """
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    if set(data) - {"equivalent"}:
        raise ValueError(f"{path}: unknown top-level keys {sorted(set(data) - {'equivalent'})}")
    entries = data.get("equivalent", [])
    seen = set()
    for number, entry in enumerate(entries, start=1):
        if set(entry) != set(EQUIVALENT_KEYS):
            raise ValueError(f"{path}: entry {number} needs exactly the keys {EQUIVALENT_KEYS}, got {sorted(entry)}")
        if not all(isinstance(entry[k], str) and entry[k].strip() for k in EQUIVALENT_KEYS):
            raise ValueError(f"{path}: entry {number} has an empty or non-string value")
        if len(entry["why"].split()) < 5:
            raise ValueError(f"{path}: entry {number} ({entry['where']}) needs a real reason in 'why'")
        key = (entry["where"], entry["original"], entry["mutated"])
        if key in seen:
            raise ValueError(f"{path}: entry {number} lists {key} twice")
        seen.add(key)
    return entries


def verdict(mutants: list, equivalents: list[dict]) -> dict:
    """Classify the graded mutants against the reviewed equivalents."""
    listed = {(e["where"], e["original"], e["mutated"]) for e in equivalents}
    killed = [m for m in mutants if m.outcome == "killed"]
    survived = [m for m in mutants if m.outcome == "survived"]
    equivalent = [m for m in survived if m.key in listed]
    unlisted = [m for m in survived if m.key not in listed]
    wrongly_listed = [m for m in killed if m.key in listed]
    errors = [m for m in mutants if m.outcome not in ("killed", "survived")]
    non_equivalent = len(killed) + len(unlisted)
    score = len(killed) / non_equivalent if non_equivalent else 1.0
    return {"killed": killed, "equivalent": equivalent, "unlisted": unlisted,
            "wrongly_listed": wrongly_listed, "errors": errors, "score": score,
            "non_equivalent": non_equivalent,
            "ok": score >= TARGET and not unlisted and not wrongly_listed and not errors}
