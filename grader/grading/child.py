"""The sandboxed grading child: load a submission's cells, then answer probe
requests, one at a time, over its standard input and output.

    python -m grader.grading.child [--uid UID]

Frames are a 4-byte big-endian length and UTF-8 JSON.  Requests (from the
grader, ``grader.grading.channel``):

    {"op": "load", "cell": ID, "source": TEXT}     run one library cell
    {"op": "skip", "cell": ID, "error": TEXT}      a cell the grader will not run again
    {"op": "probe", "name": N, "arguments": {..}, "seed": S}

Every request also carries a random ``nonce``.  Each is answered by one frame:
the nonce as 16 hexadecimal digits, then JSON shaped as
``grading_suite.public.observe.run_probe`` answers (``{"value": ...}``,
``{"raised": ...}``, ...), so an answer written ahead of its request is
refused.  The child first sends ``{"value": "ready"}`` with no nonce.  Nothing here is trusted: the submission runs in this
process and may rewrite any of it.  The grader judges the answers, enforces
the time limits and restarts the child when it dies or hangs.

Student output goes to /dev/null: the protocol uses copies of the original
descriptors.  With ``--uid`` (the grader runs as root) the process drops to that
unprivileged user before any submission code runs; submission code then runs
in a forked grandchild, so ``os.kill(os.getppid(), ...)`` reaches only this
wrapper, never the grader.
"""

from __future__ import annotations

import argparse
import importlib.abc
import json
import os
import signal
import struct
import sys

BLOCKED_MODULES = ("tinytorch.core.dataloader",)
HEADER = struct.Struct(">I")


class _BlockReference(importlib.abc.MetaPathFinder):
    """Refuse to import the reference library (outside the sandbox, where it exists)."""

    def find_spec(self, fullname, path, target=None):
        if fullname in BLOCKED_MODULES:
            raise ImportError(f"{fullname} is not available while grading: "
                              "the graded code must be the notebook's own")
        return None


def _read_exactly(fd: int, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def read_frame(fd: int) -> bytes | None:
    """One frame from ``fd``, or None at end of input."""
    header = _read_exactly(fd, HEADER.size)
    if header is None:
        return None
    return _read_exactly(fd, HEADER.unpack(header)[0])


def write_frame(fd: int, payload: bytes) -> None:
    data = HEADER.pack(len(payload)) + payload
    while data:
        data = data[os.write(fd, data):]


def _serve(requests: int, answers: int) -> None:
    from grader.grading import student_code
    from grading_suite.public import observe
    from grading_suite.public.probes.codec import to_wire
    from grading_suite.public.probes.support import exception_info

    submission = student_code.Submission({}, module_name="submission")
    module = student_code.new_module("submission")
    submission.namespace = module.__dict__
    server = os.getpid()
    write_frame(answers, observe.encode_answer({"value": "ready"}))
    while (frame := read_frame(requests)) is not None:
        request = json.loads(frame)
        try:
            if request["op"] == "load":
                failure = student_code.load_cell(submission, request["cell"], request["source"])
                answer = {"value": failure.error if failure else None}
            elif request["op"] == "skip":
                submission.cell_sources[request["cell"]] = request.get("source", "")
                submission.failures.append(student_code.CellFailure(request["cell"], request["error"]))
                answer = {"value": None}
            else:
                answer = observe.run_probe(submission, request["name"], request["arguments"], request["seed"])
        except BaseException as error:  # noqa: BLE001 - sys.exit and the like inside student code
            answer = {"raised": to_wire(exception_info(error))}
        if os.getpid() != server:  # a process the submission forked came back here: it must not answer
            os._exit(0)
        write_frame(answers, f"{request['nonce']:016x}".encode("ascii") + observe.encode_answer(answer))


def _drop_privileges(uid: int | None) -> None:
    if uid is None:
        return
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.grading.child")
    parser.add_argument("--uid", type=int)
    arguments = parser.parse_args(argv)
    # Everything grading needs is imported before privileges are dropped (the
    # interpreter's files may sit where the sandbox user cannot read them).
    import numpy  # noqa: F401

    import tinytorch.core.tensor  # noqa: F401
    from grader.grading import student_code  # noqa: F401
    from grading_suite.public import observe

    observe.load_all(observe.PROBE_PACKAGES)
    sys.meta_path.insert(0, _BlockReference())
    requests, answers = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    _drop_privileges(arguments.uid)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large write fails instead of killing us
    try:
        pid = os.fork()
    except OSError:  # no process left under the limit: serve from this process
        pid = 0
    if pid == 0:
        try:
            _serve(requests, answers)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
