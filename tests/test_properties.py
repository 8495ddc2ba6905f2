"""The property checks of the hidden suite (grading_suite/hidden/properties.py):
their examples depend on the submission's draw alone, never on the process."""

import json
import subprocess
import sys

from grader import paths

EXAMPLES = """
import json, random, sys
{imports}
from hypothesis import strategies as st
from grading_suite.hidden.properties import check_property

class Observe:
    draw = random.Random(20261207)

seen = []
strategy = st.tuples(st.integers(0, 10**6), st.floats(-1e9, 1e9), st.text(max_size=5), st.lists(st.integers(), max_size=4))
check_property(Observe(), strategy, seen.append, examples=40)
print(json.dumps(seen))
"""


def _examples(imports: str) -> list:
    result = subprocess.run([sys.executable, "-c", EXAMPLES.format(imports=imports)], cwd=paths.ROOT,
                            capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout)


def test_examples_depend_on_the_seed_alone_not_on_the_modules_loaded(tmp_path):
    # A module full of constants, loaded from a local folder: Hypothesis would mix them into its examples.
    (tmp_path / "lots_of_constants.py").write_text("A = 987654\nB = 'zq'\nC = 12345.5\nD = [424242, -77]\n")
    alone = _examples("")
    crowded = _examples(f"sys.path.insert(0, {str(tmp_path)!r}); import lots_of_constants; "
                        "import grader.classroom.autograde, grader.cli, grader.classroom.collect, grader.grading.report")
    assert len(alone) == 40
    assert alone == crowded


def test_the_first_failing_example_is_raised_after_the_run():
    import random

    import pytest
    from hypothesis import strategies as st

    from grading_suite.hidden.properties import check_property

    class Observe:
        draw = random.Random(5)

    calls = []

    def check(value):
        calls.append(value)
        assert value < 50, f"{value} is too large"

    with pytest.raises(AssertionError, match="too large"):
        check_property(Observe(), st.integers(0, 100), check, examples=30)
    assert len(calls) >= 2 and [value for value in calls if value >= 50][:1] == [calls[-1]]
