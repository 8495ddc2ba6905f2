"""The grader's side of the probe channel: one sandboxed child per
submission, asked one question at a time, judged by nothing it says.

``ProbeSession(cells, isolation)`` starts ``python -m grader.grading.child`` in the
sandbox, loads the notebook's library cells into it one at a time, and then
answers ``call(name, arguments, seed, part)`` for the judgements (it is the
``BACKEND`` of ``grading_suite.public.observe``).  It enforces:

* a time limit per cell (``CELL_SECONDS``) and per probe call
  (``PROBE_SECONDS``; ``AFTER_TIMEOUT_SECONDS`` once a call has timed out;
  after ``TIMEOUTS_PER_PART`` timeouts a part's remaining probes are not run);
  a child that overruns is killed and a fresh one loads the cells again for
  the calls that remain, without the cell that hung or killed its process;
* a time limit for the whole notebook (``NOTEBOOK_SECONDS``);
* a size limit per answer (``MAX_ANSWER_BYTES``); answers must echo their
  request's random nonce and are decoded with ``decode_answer`` only (JSON and
  checked arrays, never pickle).

Whatever goes wrong in the child becomes ``ProbeNotRun`` for that call.
"""

from __future__ import annotations

import os
import secrets
import selectors
import sys
import time

from grader.grading import sandbox
from grader.grading.child import HEADER  # the frame format, defined once for both ends
from grader.limits import (AFTER_TIMEOUT_SECONDS, CELL_SECONDS, MAX_ANSWER_BYTES, MAX_STARTS, NOTEBOOK_SECONDS,
                           PROBE_SECONDS, START_SECONDS, TIMEOUTS_PER_PART)
from grading_suite.public.observe import ProbeNotRun, decode_answer
from grading_suite.public.probes.codec import WireError


class _ChildGone(Exception):
    """The child died, hung or broke the protocol; ``status`` is "timeout" or "error"."""

    def __init__(self, message: str, status: str = "error"):
        super().__init__(message)
        self.status = status


class _Child:
    """One running child and its pipes."""

    def __init__(self, isolation: str):
        import json

        self._json = json
        self.sandboxed = sandbox.SandboxedChild([sys.executable, "-m", "grader.grading.child"], isolation)
        self.sandboxed.__enter__()
        self.process = self.sandboxed.process
        self.input = self.process.stdin.fileno()
        self.output = self.process.stdout.fileno()
        os.set_blocking(self.input, False)
        os.set_blocking(self.output, False)
        self.buffer = b""

    def close(self) -> None:
        self.sandboxed.__exit__(None, None, None)

    def exit_note(self) -> str:
        code = self.process.poll()
        if code is None:
            return "it stopped answering"
        return f"exit code {code}" if code >= 0 else f"killed by signal {-code}"

    def send(self, request: dict, deadline: float) -> None:
        payload = self._json.dumps(request).encode("utf-8")
        data = HEADER.pack(len(payload)) + payload
        with selectors.DefaultSelector() as selector:
            selector.register(self.input, selectors.EVENT_WRITE)
            while data:
                if not selector.select(max(deadline - time.monotonic(), 0)):
                    raise _ChildGone("did not take its request in time", "timeout")
                try:
                    data = data[os.write(self.input, data):]
                except BrokenPipeError:
                    raise _ChildGone(f"the grading process ended ({self.exit_note()})") from None

    def receive(self, deadline: float) -> bytes:
        with selectors.DefaultSelector() as selector:
            selector.register(self.output, selectors.EVENT_READ)
            while True:
                if len(self.buffer) >= HEADER.size:
                    size = HEADER.unpack(self.buffer[:HEADER.size])[0]
                    if size > MAX_ANSWER_BYTES:
                        raise _ChildGone(f"sent an answer of {size} bytes (limit {MAX_ANSWER_BYTES})")
                    if len(self.buffer) >= HEADER.size + size:
                        frame = self.buffer[HEADER.size:HEADER.size + size]
                        self.buffer = self.buffer[HEADER.size + size:]
                        return frame
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    raise _ChildGone("timeout", "timeout")
                chunk = os.read(self.output, 1 << 20)
                if not chunk:
                    self.process.wait()
                    raise _ChildGone(f"the grading process ended while running your code ({self.exit_note()})")
                self.buffer += chunk

    def ask(self, request: dict, seconds: float) -> dict:
        deadline = time.monotonic() + seconds
        nonce = secrets.randbits(63)
        self.send({**request, "nonce": nonce}, deadline)
        frame = self.receive(deadline)
        if frame[:16] != f"{nonce:016x}".encode("ascii"):
            raise _ChildGone("the grading process sent an answer that was not for this request")
        try:
            return decode_answer(frame[16:])
        except WireError as error:
            raise _ChildGone(f"the grading process sent a malformed answer ({error})") from None


class ProbeSession:
    """Probe calls for one notebook (see the module docstring); a context manager.

    Args:
        cells: the notebook's library cells as ``(cell_id, source)`` pairs.
        isolation: ``sandbox.isolation()``'s answer for this run.
    """

    def __init__(self, cells: list[tuple[str, str]], isolation: str, notebook_seconds: float = NOTEBOOK_SECONDS):
        self.cells = list(cells)
        self.isolation = isolation
        self.deadline = time.monotonic() + notebook_seconds
        self.notebook_seconds = notebook_seconds
        self.dropped: dict[str, str] = {}   # cell id -> why it is no longer run
        self.timeouts: dict[str, int] = {}  # part -> probe calls that timed out
        self.child: _Child | None = None
        self.spare: _Child | None = None    # a child started ahead of its first request
        self.starts = 0
        self.broken: str | None = None      # why the grader itself failed, if it did

    def __enter__(self) -> "ProbeSession":
        self.spare = _Child(self.isolation)  # boots while the judgements are collected
        return self

    def __exit__(self, *exc) -> None:
        self._stop()
        self._close_spare()

    def _stop(self) -> None:
        if self.child is not None:
            self.child.close()
            self.child = None

    def _close_spare(self) -> None:
        if self.spare is not None:
            self.spare.close()
            self.spare = None

    def _left(self) -> float:
        return self.deadline - time.monotonic()

    def _start(self) -> None:
        """Start a child and load the cells, dropping any that hangs or ends the process."""
        while True:
            if self.starts >= MAX_STARTS:
                raise ProbeNotRun(f"not run: the grading process was restarted {MAX_STARTS} times")
            self.starts += 1
            self.child, self.spare = self.spare or _Child(self.isolation), None
            current = None
            try:
                self.child.receive(time.monotonic() + min(START_SECONDS, max(self._left(), 0)))
                for cell_id, source in self.cells:
                    current = cell_id
                    if cell_id in self.dropped:
                        self.child.ask({"op": "skip", "cell": cell_id, "source": source,
                                        "error": self.dropped[cell_id]}, CELL_SECONDS)
                    else:
                        self.child.ask({"op": "load", "cell": cell_id, "source": source},
                                       min(CELL_SECONDS, max(self._left(), 0)))
                return
            except _ChildGone as gone:
                self._stop()
                if self._left() <= 0:
                    raise ProbeNotRun(f"not run: the notebook's {self.notebook_seconds:g} s were used up",
                                      "timeout") from None
                if current is None:  # no submission code has run yet: the grader itself is broken
                    self.broken = (f"the grading child could not start ({gone}); check that "
                                   "`python -m grader.grading.child` imports in the sandbox")
                    raise ProbeNotRun(self.broken) from None
                self.dropped[current] = (f"a timeout: its top-level code did not finish within {CELL_SECONDS} s"
                                         if gone.status == "timeout" else
                                         "its top-level code ended the grading process")

    def call(self, name: str, arguments: dict, seed: int, part: str = "") -> dict:
        """The decoded answer of probe ``name``; see ``observe.interpret``.

        Raises:
            ProbeNotRun: the call timed out, the child died or misbehaved, or
                the notebook's or the part's time is used up.
        """
        if self.broken:
            raise ProbeNotRun(self.broken)
        if self.timeouts.get(part, 0) >= TIMEOUTS_PER_PART:
            raise ProbeNotRun(f"not run: {TIMEOUTS_PER_PART} earlier checks of the {part} part timed out", "timeout")
        if self._left() <= 0:
            raise ProbeNotRun(f"not run: the notebook's {self.notebook_seconds:g} s were used up", "timeout")
        if self.child is None:
            self._start()
        limit = AFTER_TIMEOUT_SECONDS if self.timeouts else PROBE_SECONDS
        limit = min(limit, max(self._left(), 0.0))
        try:
            return self.child.ask({"op": "probe", "name": name, "arguments": arguments, "seed": seed}, limit)
        except _ChildGone as gone:
            self._stop()
            if gone.status == "timeout":
                self.timeouts[part] = self.timeouts.get(part, 0) + 1
                raise ProbeNotRun(f"did not finish within {limit:g} s (an infinite loop, or code far slower "
                                  "than needed)", "timeout") from None
            raise ProbeNotRun(str(gone)) from None
