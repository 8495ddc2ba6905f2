"""How long grading one notebook takes: median wall time of `grade_notebook`
(child start-up included; this interpreter's own start-up excluded).

    .venv/bin/python benchmarks/grade_one.py [NOTEBOOK] [--repeats 5]

Target: at most 2 s per notebook on 2 cores.
"""

import argparse
import statistics
import time
from pathlib import Path

from grader import paths
from grader.grading.grade import grade_notebook, hidden_tests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebook", nargs="?",
                        default=str(paths.SUBMITTED_DIR / "example_perfect" / paths.ASSIGNMENT / paths.NOTEBOOK_NAME))
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()
    start = time.perf_counter()
    tests = hidden_tests()
    print(f"collected {len(tests)} hidden tests once in {time.perf_counter() - start:.2f} s")
    times = []
    for _ in range(arguments.repeats):
        start = time.perf_counter()
        report = grade_notebook(Path(arguments.notebook))
        times.append(time.perf_counter() - start)
    print(f"{Path(arguments.notebook).name}: score {report['score']:g} / {report['max_score']:g}")
    print(f"grading wall time over {arguments.repeats} runs: median {statistics.median(times):.2f} s, "
          f"min {min(times):.2f} s, max {max(times):.2f} s (target <= 2 s)")


if __name__ == "__main__":
    main()
