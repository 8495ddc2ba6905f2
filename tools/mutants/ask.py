"""cosmic-ray's test command for one mutant (see ``tools/mutants.py``).

    python -I -S tools/mutants/ask.py SOCKET CELLS_DIR

Asks the grading server on ``SOCKET`` to grade the cells in ``CELLS_DIR`` (where
cosmic-ray has just applied a mutation).  Exit 0 (survived) when the notebook
scores full marks; 1 (killed) when it scores less; 3 when grading itself broke
(the output then starts with GRADER-ERROR and tools/mutants.py reports it as
an error, never as a kill).  Standard library only, so it starts in ~20 ms.
"""

import json
import socket
import sys

ANSWER_SECONDS = 280  # the grader stops a notebook after 120 s; this is a backstop


def main() -> int:
    socket_path, cells_dir = sys.argv[1], sys.argv[2]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(ANSWER_SECONDS)
            connection.connect(socket_path)
            with connection.makefile("rwb") as stream:
                stream.write(json.dumps({"cells_dir": cells_dir}).encode() + b"\n")
                stream.flush()
                answer = json.loads(stream.readline())
    except (OSError, ValueError) as error:
        answer = {"error": f"no answer from the grading server: {error}"}
    if "error" in answer:
        print(f"GRADER-ERROR {answer['error']}")
        return 3
    print(f"score={answer['score']:g}/{answer['max_score']:g} seconds={answer['seconds']}")
    for failed in answer["failed"]:
        print(f"failed {failed}")
    return 0 if answer["score"] >= answer["max_score"] else 1


if __name__ == "__main__":
    sys.exit(main())
