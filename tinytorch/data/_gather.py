"""Gathering rows of stored arrays into batches: reused buffers and helper threads.

Private machinery of ``tinytorch.data.fast``.  ``RowGather`` fetches the
batches of one TensorDataset-like dataset, one ``np.take`` per stored array;
``helpers`` is the process's set of gather threads.  The unit of work between
threads is a whole batch (``BatchJob``): one hand-off per batch, and a thread
copies a batch from start to end without a lock.
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
AHEAD_BYTES = 256 * 1024  # batches from 256 KiB up are gathered ahead by helper threads
MAX_HELPERS = 3  # helper threads at most, one for each usable core beyond the first
# How long a caller waits for a batch a helper is gathering before it gathers
# that batch itself: this, plus PATIENCE_PER_MIB for each MiB of the batch
# (copying a MiB takes about 0.1 ms).  None: wait as long as it takes.
PATIENCE_SECONDS: float | None = 0.001
PATIENCE_PER_MIB = 0.001


def usable_cores() -> int:
    """Return how many CPU cores this process may run on (at least 1)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


class BatchJob:
    """One batch to gather, by whichever thread claims it first.

    ``claim()`` returns True to exactly one thread, which must then call
    ``run()``: it gathers every array of the batch, with ``np.take(mode="clip")``
    into the buffers in ``outs`` (None: into a new array), and NumPy releases
    the GIL while it copies, so threads on different cores copy at the same
    time.  (The default ``mode="raise"`` would first copy into a scratch array,
    then into ``out``.)  Indices must be in range: they are clipped, not
    checked.  ``result()`` returns the batch, a tuple of Tensors, or raises
    what ``run`` raised.

    A helper whose core the system gives to another process stops in the
    middle of a batch for a time slice of several milliseconds.  So
    ``result`` waits for a helper's batch at most ``PATIENCE_SECONDS`` plus
    ``PATIENCE_PER_MIB`` per MiB; then it gathers the batch itself, into new
    memory (``overtaken`` is then true).  The helper's buffers are never
    handed out: the pool reuses them only once the helper has dropped the job.
    """

    __slots__ = ("arrays", "indices", "outs", "batch", "error", "overtaken", "_claim", "_done", "_process",
                 "_patience")

    def __init__(self, arrays: tuple, indices: np.ndarray, outs: list, batch_bytes: int) -> None:
        self.arrays, self.indices, self.outs = arrays, indices, outs
        self.batch: tuple | None = None
        self.error: BaseException | None = None
        self.overtaken = False
        self._claim = threading.Lock()
        self._done = threading.Lock()  # held until the batch is written
        self._done.acquire()
        self._process = os.getpid()
        self._patience = None if PATIENCE_SECONDS is None else PATIENCE_SECONDS + PATIENCE_PER_MIB * batch_bytes / 2**20

    def claim(self) -> bool:
        """True for the one thread that is to gather this batch; False for every other."""
        return self._claim.acquire(blocking=False)

    def run(self) -> None:
        """Gather the batch (after a successful ``claim``)."""
        try:
            self.batch = gather_into(self.arrays, self.indices, self.outs)
        except BaseException as error:  # raised by `result`, in the calling thread
            self.error = error
        finally:
            self._done.release()

    @property
    def done(self) -> bool:
        """True once the batch is written (or its gather failed)."""
        return not self._done.locked()

    def result(self) -> tuple:
        """Wait for the batch; return it, or raise what its gather raised."""
        if not self._done.acquire(blocking=False):
            if os.getpid() != self._process:
                # A child made by fork: the thread that claimed the batch was
                # not copied into it, so gather it here.
                self.run()
            elif not self._done.acquire(timeout=-1 if self._patience is None else self._patience):
                self.overtaken = True  # a paused helper holds it: gather it here, into new memory
                return gather_into(self.arrays, self.indices, [None] * len(self.arrays))
        if self.error is not None:
            raise self.error
        batch = self.batch
        # A helper's queue may still hold the job: it must not keep the batch alive.
        self.batch = self.outs = self.indices = None
        return batch


def gather_into(arrays: tuple, indices: np.ndarray, outs: list) -> tuple:
    """The rows at ``indices`` of each array, as a tuple of Tensors: into its buffer
    in ``outs``, or into a new array where that is None."""
    # From a list, not a generator: a tuple built from a generator is resized
    # as it grows, so its memory never comes from the free list that it goes
    # back to, and that list grows to 2,000 tuples.
    return tuple([Tensor(array[indices] if out is None else np.take(array, indices, axis=0, out=out, mode="clip"))
                  for array, out in zip(arrays, outs)])


class GatherHelpers:
    """Daemon threads that gather queued ``BatchJob``s, oldest first.

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

    def submit(self, job: BatchJob) -> None:
        """Queue ``job`` for the first helper that is free.

        When the helpers are far behind (``4 * (count + 1)`` jobs waiting), the
        job is not queued: the caller gathers it itself, and the queue stays
        bounded.  (A job the caller has finished holds no batch.)
        """
        if self.count and self._jobs.qsize() < 4 * (self.count + 1):
            self._jobs.put(job)

    @staticmethod
    def _serve(jobs: queue.SimpleQueue) -> None:
        while True:
            job = jobs.get()
            if job.claim():
                job.run()
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
    Tensors, gathered in the calling thread.  A loader that knows its next
    batches can instead ``start`` them (``BatchJob``s, queued for the helper
    threads when ``share`` is true) and ``finish`` each one when it is asked
    for: the caller gathers it unless a helper has claimed it, and while a
    helper is still gathering it, the caller gathers a later started batch
    that nobody has claimed instead of waiting idle.

    A batch of ``POOLED_BYTES`` or more is written into a buffer of the pool
    that nothing refers to any more (the caller has dropped the batch it
    held, and every view of it), else into a new buffer; the pool keeps at
    most ``keep`` buffers per array.  Reusing memory avoids the page-fault
    trap: a fresh multi-megabyte array may be mapped anew by the C library,
    and the kernel then faults in and zeroes every page of it, batch after
    batch.  A batch still in use is never overwritten.  The pool is used by
    one thread at a time (a lock), so one gather may serve several epochs.
    """

    def __init__(self, arrays: tuple, keep: int = 3) -> None:
        self.arrays = arrays
        self.keep = keep
        self.pools = tuple([] for _ in arrays)
        self._pool_lock = threading.Lock()
        # Bytes of one row of each array, or 0 for an array that is only ever
        # gathered by indexing into a new array (not C-contiguous, or objects).
        self.row_bytes = tuple(0 if not array.flags.c_contiguous or array.dtype.hasobject
                               else array.dtype.itemsize * math.prod(array.shape[1:]) for array in arrays)

    def shares(self, count: int) -> bool:
        """True when a batch of ``count`` rows is big enough to be gathered by helpers."""
        return sum(self.row_bytes) * count >= AHEAD_BYTES and any(self.row_bytes)

    def __call__(self, indices: np.ndarray) -> tuple:
        """The batch at ``indices``, gathered in the calling thread."""
        return gather_into(self.arrays, indices, self._buffers(len(indices)))

    def start(self, indices: np.ndarray, share: bool) -> BatchJob:
        """A job for the batch at ``indices``, queued for the helpers when ``share`` is true."""
        job = BatchJob(self.arrays, indices, self._buffers(len(indices)), sum(self.row_bytes) * len(indices))
        if share:
            helpers.submit(job)
        return job

    @staticmethod
    def finish(job: BatchJob, then: tuple | list = ()) -> tuple:
        """The batch of ``job``: gathered here unless a helper claimed it.

        While a helper is still gathering it, this thread gathers the jobs of
        ``then`` (batches started after it) that nobody has claimed, in order,
        until it is done.
        """
        if job.claim():
            job.run()
        else:
            for later in then:
                if job.done:
                    break
                if later.claim():
                    later.run()
        return job.result()

    def _buffers(self, count: int) -> list:
        """For each array, a buffer of its pool for ``count`` rows that nothing refers to,
        or a new one (kept in the pool while it holds fewer than ``keep``); None for an
        array whose batch is too small to pool."""
        outs = []
        with self._pool_lock:
            for array, pool, row_bytes in zip(self.arrays, self.pools, self.row_bytes):
                if not 0 < row_bytes * count >= POOLED_BYTES:
                    outs.append(None)
                    continue
                for position in range(len(pool)):
                    if len(pool[position]) == count and _reference_count(pool, position) == _UNUSED:
                        outs.append(pool[position])
                        break
                else:
                    out = np.empty((count, *array.shape[1:]), dtype=array.dtype)
                    if len(pool) < self.keep:
                        pool.append(out)
                    outs.append(out)
        return outs
