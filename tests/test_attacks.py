"""The attack corpus (tests/attack_corpus.py) against the real grader: forging
gains nothing, every attack ends within its limits, and no report or feedback
carries a line of the judgements, the reference library or source/, even
after base64 and zlib decoding."""

import base64
import binascii
import json
import re
import time
import zlib

import nbformat
import pytest

from grader.grading import suite
from grader.grading.feedback import feedback_markdown
from grader.grading.grade import grade_notebook, secret_files
from grader.limits import NOTEBOOK_SECONDS
from grader.publish.fill import fill_release, reference_solutions
from tests.attack_corpus import ATTACKS, Attack
from tests.fixture_submissions import release_cells

pytestmark = pytest.mark.slow
HONEST = {"stubs": 0.0, "reference": 100.0}
SECRET_LINE_LENGTH = 40
BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")


def attack_notebook(attack) -> nbformat.NotebookNode:
    """The base notebook with the attack's code before (and edits inside) its cell."""
    source = (release_cells() if attack.base == "stubs" else reference_solutions())[attack.cell]
    if attack.replace:
        assert attack.replace[0] in source, f"{attack.name}: {attack.replace[0]!r} not in cell {attack.cell}"
        source = source.replace(*attack.replace)
    return fill_release({attack.cell: attack.code + source}, reference=attack.base == "reference")


def secret_lines() -> set[str]:
    lines = set()
    for path in secret_files():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if len(line.strip()) >= SECRET_LINE_LENGTH:
                lines.add(line.strip())
    return lines


SECRETS = secret_lines()


def decoded_views(text: str) -> list[str]:
    """``text`` and whatever its base64 runs decode to, alone and joined in order, raw or inflated."""
    runs = BASE64_RUN.findall(text)
    views = [text]
    for blob in runs + ["".join(runs)]:
        try:
            raw = base64.b64decode(blob + "=" * (-len(blob) % 4))
        except (binascii.Error, ValueError):
            continue
        views.append(raw.decode("utf-8", errors="replace"))
        try:
            views.append(zlib.decompress(raw).decode("utf-8", errors="replace"))
        except zlib.error:
            pass
    return views


def leaked(text: str) -> list[str]:
    """Secret lines found in ``text`` or in its decodings."""
    return sorted({line for view in decoded_views(text) for line in SECRETS if line in view})


def test_the_corpus_is_large_and_its_names_unique():
    assert len(ATTACKS) >= 30
    assert len({a.name for a in ATTACKS}) == len(ATTACKS)
    assert all(a.base in HONEST and a.outcome in ("honest", "at_most") for a in ATTACKS)


def test_the_leak_check_finds_planted_lines():
    line = next(iter(sorted(SECRETS)))
    planted = base64.b64encode(zlib.compress(("junk\n" + line + "\n").encode())).decode()
    assert leaked(f"a message {planted[:60]} and {planted[60:]} in two chunks") == [line]
    assert leaked("nothing to see") == []


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_attack(attack, tmp_path):
    _check_attack(attack, tmp_path)


def _check_attack(attack, tmp_path):
    path = tmp_path / "attack.ipynb"
    nbformat.write(attack_notebook(attack), path)
    start = time.monotonic()
    report = grade_notebook(path)
    elapsed = time.monotonic() - start
    assert elapsed < NOTEBOOK_SECONDS + 30, f"{attack.name} took {elapsed:.0f} s"
    assert report["isolation"] == "bubblewrap"
    honest = HONEST[attack.base]
    lost = [f"{t['name']}: {t['message']}" for p in report["parts"] for t in p["tests"] if t["status"] != "passed"]
    if attack.outcome == "honest":
        assert report["score"] == honest, (attack.name, report["score"], lost[:5])
    else:
        assert report["score"] <= honest, (attack.name, report["score"])
    shown = [*(t["message"] for p in report["parts"] for t in p["tests"]), *report["notices"]]
    assert all(text.isprintable() for text in shown), attack.name
    everything = "\n".join([*shown, feedback_markdown(report, "attacker", "05_dataloader")])
    assert leaked(everything) == [], attack.name


def test_code_that_does_nothing_scores_zero(tmp_path):
    """Every stub replaced by `pass`: the provided lines around the stubs still return
    something (the input, unchanged), and no check may count that as work done."""
    cells = {name: source.replace("raise NotImplementedError()", "pass") for name, source in release_cells().items()}
    path = tmp_path / "noop.ipynb"
    nbformat.write(fill_release(cells, reference=False), path)
    report = grade_notebook(path)
    passed = [t["name"] for p in report["parts"] for t in p["tests"] if t["status"] == "passed"]
    assert report["score"] == 0, passed


def recorded_answers(key: bytes) -> dict[str, str]:
    """Every probe call the whole suite makes when its inputs are drawn from
    ``key``, answered by the reference library in this process: the table a
    student could build for the inputs they know (here even the hidden ones)."""
    from grading_suite.public import observe
    from grader.grading.student_code import current

    table: dict[str, str] = {}

    class Recording:
        def call(self, name, arguments, seed, part=""):
            observe.load_all(observe.PROBE_PACKAGES)
            data = observe.encode_answer(observe.run_probe(current(), name, arguments, seed))
            table[json.dumps([name, arguments], sort_keys=True)] = data.decode()
            return observe.decode_answer(data, max_string=None)

    failed = []
    suite.run(Recording(), lambda result: result.status == "passed" or failed.append(result), draw_key=key)
    assert failed == [], f"the reference fails its own suite under key {key!r}: {failed[:3]}"
    return table


REPLAY = """
import json as _json, sys as _sys
_TABLE = _json.loads({table!r})
_observe = _sys.modules.get("grading_suite.public.observe")
if _observe is not None:
    _original = _observe.run_probe
    def _replay(student, name, arguments, seed):
        known = _TABLE.get(_json.dumps([name, arguments], sort_keys=True))
        return _json.loads(known) if known is not None else _original(student, name, arguments, seed)
    _observe.run_probe = _replay
"""


def test_answers_recorded_for_known_inputs_score_nothing(tmp_path):
    """The stubs plus a table of the reference's answers to every probe call of
    a student's own run (the fixed key of the local backend): graded with that
    key the table earns full marks (so the attack is real), graded as the
    grader draws, nothing."""
    table = recorded_answers(b"local")
    attack = Attack("replayed_answers", "answer every probe call from a recorded table", "stubs", "dataset",
                    REPLAY.format(table=json.dumps(table)))
    path = tmp_path / "replay.ipynb"
    nbformat.write(attack_notebook(attack), path)
    assert grade_notebook(path, key=b"local")["score"] == 100
    report = grade_notebook(path)
    passed = [t["name"] for p in report["parts"] for t in p["tests"] if t["status"] == "passed"]
    assert report["score"] == 0, passed
