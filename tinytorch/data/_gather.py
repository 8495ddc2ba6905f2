"""Gathering rows of stored arrays into batches: reused buffers and helper threads.

Private machinery of ``tinytorch.data.fast``.  ``RowGather`` fetches the
batches of one epoch of a TensorDataset-like dataset, one ``np.take`` per
stored array; ``helpers`` is the process's set of gather threads.
"""

from __future__ import annotations

import math
import os
import queue
import sys
import threading

import numpy as np

from tinytorch.core.tensor import Tensor

POOLED_BYTES = 1 << 20  # batches from 1 MiB up are gathered into reused buffers
AHEAD_BYTES = 256 * 1024  # batches from 256 KiB up are gathered one batch ahead by helper threads
RUN_BYTES = 1 << 20  # a shared gather is cut into runs of about this size, claimed one at a time
MAX_HELPERS = 3  # helper threads at most, one for each usable core beyond the first
PATIENCE_SECONDS = 0.002  # how long a caller waits for a helper's run before copying the batch itself


def usable_cores() -> int:
    """Return how many CPU cores this process may run on (at least 1)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


class GatherJob:
    """One gather, ``array[indices]`` written into ``out``, cut into runs of rows.

    Any thread may call ``work``: each run is claimed by exactly one thread
    and copied with ``np.take(mode="clip")``, which releases the GIL while it
    copies, so threads on different cores copy at the same time (the default
    ``mode="raise"`` would first copy into a scratch array and then into
    ``out``).  ``result`` copies the runs nobody has claimed yet, waits for the
    others and returns ``out``.  Indices must be in range: they are clipped,
    not checked.

    A helper whose core the system gives to another process stops in the
    middle of its run, for a time slice of several milliseconds.  So
    ``result`` waits at most ``PATIENCE_SECONDS`` for the helpers' runs; then
    it gathers the whole batch again, into new memory, and returns that
    (``overtaken`` is then true).  ``out`` is left to the late helper and is
    never handed out: its pool reuses it only once the helper has dropped
    the job.  On a busy machine this can make one batch more exist for a
    moment.
    """

    def __init__(self, array: np.ndarray, indices: np.ndarray, out: np.ndarray, runs: int) -> None:
        self.array, self.indices, self.out = array, indices, out
        runs = max(1, min(runs, len(indices)))
        self.bounds = [len(indices) * run // runs for run in range(runs + 1)]
        self._lock = threading.Lock()
        self._claimed = 0
        self._unfinished = runs
        self._finished = threading.Lock()  # held until the last run is written
        self._finished.acquire()
        self._error: BaseException | None = None
        self._process = os.getpid()
        self.overtaken = False

    def work(self) -> None:
        """Copy unclaimed runs until none is left."""
        while True:
            with self._lock:
                run = self._claimed
                if run == len(self.bounds) - 1:
                    return
                self._claimed += 1
            start, stop = self.bounds[run], self.bounds[run + 1]
            try:
                np.take(self.array, self.indices[start:stop], axis=0, out=self.out[start:stop], mode="clip")
            except BaseException as error:  # raised by `result`, in the calling thread
                self._error = self._error or error
            with self._lock:
                self._unfinished -= 1
                if self._unfinished == 0:
                    self._finished.release()

    @property
    def done(self) -> bool:
        """True once every run is written."""
        return self._unfinished == 0

    def result(self) -> np.ndarray:
        """Help until every run is written; return ``out``, or raise what a run raised."""
        if os.getpid() != self._process:
            # A child made by fork: the threads that claimed runs were not
            # copied into it, so copy every row here.
            np.take(self.array, self.indices, axis=0, out=self.out, mode="clip")
        else:
            self.work()
            if not self._finished.acquire(timeout=-1 if PATIENCE_SECONDS is None else PATIENCE_SECONDS):
                self.overtaken = True  # a paused helper still holds a run: copy every row here
                return np.take(self.array, self.indices, axis=0, mode="clip")
        if self._error is not None:
            raise self._error
        out = self.out
        self.array = self.indices = self.out = None  # a helper's queue may still hold the job
        return out


class GatherHelpers:
    """Daemon threads that work on queued ``GatherJob``s, oldest first.

    They start on first use, one for each usable core beyond the first, at
    most ``MAX_HELPERS``: none on a single core, and fewer if the system
    refuses a thread.  Between jobs they sleep on a queue and use no CPU.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue | None = None
        self.count = 0

    def start(self) -> int:
        """Start the helpers if that has not been tried yet; return how many run."""
        if self._jobs is not None:  # started (or tried) before: no lock needed to read
            return self.count
        with self._lock:
            if self._jobs is None:
                jobs = queue.SimpleQueue()
                for _ in range(min(usable_cores() - 1, MAX_HELPERS)):
                    try:
                        threading.Thread(target=self._serve, args=(jobs,),
                                         name="tinytorch-gather", daemon=True).start()
                    except RuntimeError:  # the system refused another thread
                        break
                    self.count += 1
                self._jobs = jobs  # last: a caller that sees it also sees the count
            return self.count

    def submit(self, job: GatherJob) -> None:
        """Hand ``job`` to every helper; each claims runs until none is left.

        When the helpers are behind (jobs waiting for two rounds of them),
        the job is not queued: the caller copies its runs itself, and the
        queue, and the memory it holds, stay bounded.
        """
        for _ in range(self.count):
            if self._jobs.qsize() >= 2 * self.count:
                return
            self._jobs.put(job)

    @staticmethod
    def _serve(jobs: queue.SimpleQueue) -> None:
        while True:
            job = jobs.get()
            job.work()
            del job  # hold no batch while asleep: the loader reuses buffers nobody holds

    def forget(self) -> None:
        """In a child made by ``fork`` the threads were not copied: start afresh there."""
        self.__init__()


helpers = GatherHelpers()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: helpers.forget())


def _reference_count(pool: list, position: int) -> int:
    return sys.getrefcount(pool[position])


# What _reference_count reports for a buffer that nothing but its pool refers
# to (0 where reference counts are unknown: then no buffer is ever reused).
_UNUSED = _reference_count([np.empty(0)], 0) if hasattr(sys, "getrefcount") else 0


class RowGather:
    """Fetch batches of stored arrays: one gather per array.

    Calling it with an array of indices returns their batch, a tuple of
    Tensors.  A loader that knows its next batch can instead call
    ``start(indices, ahead=True)`` before it finishes the current one and
    ``finish(started)`` when the next one is asked for: in between, helper
    threads copy the rows of each array of ``AHEAD_BYTES`` or more, and
    ``finish`` copies whatever rows they have not reached.

    A batch of ``POOLED_BYTES`` or more is written into a buffer of the pool
    that nothing refers to any more (the caller has dropped the batch it
    held, and every view of it), else into a new buffer; the pool keeps at
    most three per array: the batch the caller still holds, the one being
    finished and the one gathered ahead.  Reusing memory avoids the
    page-fault trap: a fresh multi-megabyte array may be mapped anew by the
    C library, and the kernel then faults in and zeroes every page of it,
    batch after batch.  A batch still in use is never overwritten.
    """

    def __init__(self, arrays: tuple) -> None:
        self.arrays = arrays
        self.pools = tuple([] for _ in arrays)
        # Bytes of one row of each array, or 0 for an array that is only ever
        # gathered by indexing into a new array (not C-contiguous, or objects).
        self.row_bytes = tuple(0 if not array.flags.c_contiguous or array.dtype.hasobject
                               else array.dtype.itemsize * math.prod(array.shape[1:]) for array in arrays)

    def shares(self, count: int) -> bool:
        """True when a batch of ``count`` rows is big enough for helpers to gather some of it."""
        return any(0 < row_bytes * count >= AHEAD_BYTES for row_bytes in self.row_bytes)

    def __call__(self, indices: np.ndarray) -> tuple:
        """The batch at ``indices``, gathered in the calling thread alone."""
        batch = []
        for array, pool, row_bytes in zip(self.arrays, self.pools, self.row_bytes):
            out = self._buffer(array, pool, len(indices)) if 0 < row_bytes * len(indices) >= POOLED_BYTES else None
            batch.append(Tensor(array[indices] if out is None
                                else np.take(array, indices, axis=0, out=out, mode="clip")))
        return tuple(batch)

    def start(self, indices: np.ndarray, ahead: bool) -> list:
        """Begin the batch at ``indices``; with ``ahead``, helpers start copying it now."""
        threads = helpers.start() if ahead else 0
        jobs = []
        for array, pool, row_bytes in zip(self.arrays, self.pools, self.row_bytes):
            batch_bytes = len(indices) * row_bytes
            pooled = batch_bytes >= POOLED_BYTES
            shared = threads > 0 and 0 < batch_bytes >= AHEAD_BYTES
            if not (pooled or shared):
                jobs.append(None)  # gathered by `finish` in one call into a new array
                continue
            if pooled:
                out = self._buffer(array, pool, len(indices))
            else:
                out = np.empty((len(indices), *array.shape[1:]), dtype=array.dtype)
            # At least a run for each thread; more for a big batch, so that a
            # thread the system pauses holds back only a small part of it.
            runs = max(threads + 1, batch_bytes // RUN_BYTES) if shared else 1
            job = GatherJob(array, indices, out, runs)
            if shared:
                helpers.submit(job)
            jobs.append(job)
        return [indices, jobs]

    def finish(self, started: list, then: list | None = None) -> tuple:
        """Complete a batch begun by ``start`` and return it as a tuple of Tensors.

        ``then`` is the batch started after it, if any.  When a helper is
        still copying a run of this batch, the caller copies unclaimed runs
        of ``then`` meanwhile instead of waiting idle: so each thread copies
        whole runs with few hand-offs, and both stay busy even when the
        caller asks for the next batch at once.
        """
        indices, jobs = started
        started.clear()  # the caller's list no longer holds the batch
        for job in jobs:
            if job is not None:
                job.work()
        if then and not all(job is None or job.done for job in jobs):
            for job in then[1]:
                if job is not None:
                    job.work()
        # From a list, not a generator: a tuple built from a generator is
        # resized as it grows, so its memory never comes from the free list
        # that it goes back to, and that list grows to 2,000 tuples.
        return tuple([Tensor(array[indices] if job is None else job.result())
                      for array, job in zip(self.arrays, jobs)])

    @staticmethod
    def _buffer(array: np.ndarray, pool: list, count: int) -> np.ndarray:
        """A buffer of the pool for ``count`` rows that nothing refers to, or a
        new one (kept in the pool while it holds fewer than three)."""
        for position in range(len(pool)):
            if len(pool[position]) == count and _reference_count(pool, position) == _UNUSED:
                return pool[position]
        out = np.empty((count, *array.shape[1:]), dtype=array.dtype)
        if len(pool) < 3:
            pool.append(out)
        return out
