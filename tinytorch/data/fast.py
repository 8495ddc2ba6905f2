"""``FastLoader``: the batches of any loader, fetched a whole batch at a time.

    from tinytorch.data import FastLoader
    for images, labels in FastLoader(DataLoader(train_set, 128, shuffle=True)):
        ...

A provided module, not part of any exercise.  It does not subclass the
loader it speeds up: it asks that loader for the order of each epoch
(``_epoch_order()``), the number of batches (``len``), the batch size and
the dataset, and fetches each batch itself.
"""

from __future__ import annotations

import statistics
import time
from collections import deque
from typing import Any, Callable, Iterator

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.data import _gather


def _stored_arrays(dataset: Any) -> tuple | None:
    """The arrays of a TensorDataset-like ``dataset``, or None.

    TensorDataset-like: its ``__getitem__`` is the one a class named
    ``TensorDataset`` defines (yours, from the notebook, or the exported one;
    a subclass that overrides ``__getitem__`` is not), and it stores
    ``.tensors``, a non-empty tuple of Tensors whose first axis is
    ``len(dataset)`` long.  Sample ``i`` of such a dataset is
    ``tuple(t[i] for t in tensors)``, so a batch is one gather per tensor.
    """
    getitem = getattr(type(dataset), "__getitem__", None)
    stored = getattr(dataset, "tensors", None)
    if getattr(getitem, "__qualname__", "") != "TensorDataset.__getitem__" or not isinstance(stored, tuple):
        return None
    if not stored or not all(isinstance(tensor, Tensor) and tensor.data.ndim > 0 for tensor in stored):
        return None
    if any(len(tensor.data) != len(dataset) for tensor in stored):
        return None
    return tuple(tensor.data for tensor in stored)


def batched_fetch(loader: Any) -> tuple[Callable | None, bool]:
    """Return ``(fetch, fresh)`` when ``loader.dataset`` can fetch many samples at once.

    ``fetch(indices)`` takes an array of sample indices and returns their
    batch: what ``loader._collate_batch([dataset[i] for i in indices])``
    returns (a tuple of Tensors, or one Tensor for single-Tensor samples).
    ``fresh`` is true when every array of that batch is used by nothing else,
    so that a batch transform may overwrite it in place.  Returns
    ``(None, False)`` for a dataset that can only be read one sample at a time.

    In this order:

    * a dataset with ``__getitems__(indices)``, PyTorch's name for a batched
      fetch: it is called once per batch with the indices as a list of ints.
      If it returns a list, that is a list of samples, as in PyTorch, and the
      loader's ``_collate_batch`` stacks it; anything else (a tuple of
      Tensors, a Tensor) is taken as the batch itself.  ``fresh`` is false:
      its arrays may be shared;
    * a TensorDataset-like dataset (see ``_stored_arrays``): one gather per
      stored tensor, into buffers of the fetch's own (``_gather.RowGather``).
    """
    dataset = loader.dataset
    get_items = getattr(dataset, "__getitems__", None)
    if callable(get_items):
        def fetch(indices: np.ndarray) -> Any:
            batch = get_items(indices.tolist())
            return loader._collate_batch(batch) if isinstance(batch, list) else batch

        return fetch, False
    arrays = _stored_arrays(dataset)
    if arrays is not None:
        return _gather.RowGather(arrays), True
    return None, False


def _check_order(order: np.ndarray, size: int) -> None:
    """Raise IndexError unless ``order`` is integers in ``0 .. size - 1``, as a gather needs."""
    if order.dtype.kind not in "iu":
        raise IndexError(f"_epoch_order() should return integer indices, got dtype {order.dtype}")
    if order.size and (order.min() < 0 or order.max() >= size):
        bad = order[(order < 0) | (order >= size)][0]
        raise IndexError(f"_epoch_order() returned index {bad} for a dataset of {size} samples")


class AheadChoice:
    """Whether to gather the next batch ahead in helper threads, chosen at run time.

    Gathering ahead pays when a second core is free to copy; it costs a
    hand-off between threads for every batch, and it loses when the memory
    bus is already busy with one thread or the helper's core is taken by
    another process.  Which holds depends on the machine and on its load at
    the moment, so the loader measures it: the cost of a batch is the time
    from the moment it is asked for until it is handed out (what the loader
    makes a training loop wait), per sample.  The loader starts gathering
    ahead; after ``period`` batches it works the other way for ``PROBE``
    batches and keeps whichever way made the caller wait less, comparing
    medians.  A probe that loses doubles the period, up to ``MAX_PERIOD``, so
    a settled choice costs little; one that wins switches and resets it.  The
    first batch after a change is not counted: it was started the old way.
    """

    PROBE = 5
    FIRST_PERIOD = 16
    MAX_PERIOD = 1024

    def __init__(self) -> None:
        self.ahead = True
        self.period = self.FIRST_PERIOD
        self._until_probe = self.period
        self._probing = 0
        self._probe: list[float] = []
        self._recent: deque = deque(maxlen=8)
        self._last: bool | None = None
        self.batches = {True: 0, False: 0}  # batches made each way, for reports

    def mode(self) -> bool:
        """True when the next batch should be gathered ahead."""
        return self.ahead != (self._probing > 0)

    def record(self, ahead: bool, seconds: float, samples: int) -> None:
        """Count a batch of ``samples`` made ``ahead`` or not, that took ``seconds`` of the caller's time."""
        self.batches[ahead] += 1
        changed, self._last = self._last is not None and ahead != self._last, ahead
        cost = seconds / max(1, samples)
        if self._probing:
            self._probing -= 1
            if not changed:
                self._probe.append(cost)
            if self._probing == 0:
                self._decide()
        elif not changed:
            self._recent.append(cost)
            self._until_probe -= 1
            if self._until_probe <= 0 and len(self._recent) >= 4:
                self._probing = self.PROBE

    def _decide(self) -> None:
        if self._probe and statistics.median(self._probe) < statistics.median(self._recent):
            self.ahead = not self.ahead
            self.period = self.FIRST_PERIOD
            self._recent = deque(self._probe, maxlen=8)
        else:
            self.period = min(2 * self.period, self.MAX_PERIOD)
        self._until_probe, self._probe = self.period, []


def _as_steps(transform: Any) -> list:
    """The transforms to apply, in order: ``transform`` is None, a callable, or a list or tuple of them."""
    if transform is None:
        return []
    if not isinstance(transform, (list, tuple)):
        if not callable(transform):
            raise TypeError(f"transform should be None, a callable or a list of callables, got {transform!r}")
        return [transform]
    for position, step in enumerate(transform):
        if not callable(step):
            raise TypeError(f"transform[{position}] should be callable, got {step!r}")
    return list(transform)


class FastLoader:
    """The batches of ``loader``, each fetched in one call instead of sample by sample.

    Args:
        loader: the loader to speed up, for example your ``DataLoader``.  Any
            object with ``dataset``, ``batch_size`` (a positive int),
            ``__len__`` (batches in an epoch) and ``_epoch_order()`` (the
            sample indices of a new epoch, in order).  It is used, not changed.
        prefetch: default ``True``: on a machine with a spare core, helper
            threads gather the next batches of a TensorDataset-like dataset
            while you use this one (see below).  ``False`` does all the work
            in the calling thread and keeps at most two batches in memory.
        transform: default ``None``.  A batch transform, or a list or tuple of
            them applied in order, to the first element of every batch (the
            images; labels pass through unchanged).  Each one takes a batch
            Tensor of shape (N, ...) and returns one, for example
            ``[BatchRandomCrop(crop), BatchRandomHorizontalFlip(flip)]``.

    Raises:
        TypeError: if ``loader`` lacks one of those attributes (the message
            names it), if ``prefetch`` is not a bool, or if ``transform`` (or
            one of its items) is not callable.
        ValueError: if ``loader.batch_size`` is not a positive int.

    Each epoch takes one order from ``loader._epoch_order()`` and cuts it into
    ``len(loader)`` batches of ``loader.batch_size`` indices (the last one may
    be shorter), exactly as the loader's own ``__iter__`` does: with the same
    seed, the batches are the same, sample for sample, dtype for dtype.  How a
    batch is fetched depends on the dataset (see ``batched_fetch``):
    ``__getitems__`` when it has one, else one gather per tensor for a
    TensorDataset-like dataset, else (``batched`` is false) the loader's own
    ``__iter__``: ``dataset[i]`` for every sample, then its collation.

    With ``prefetch`` and no ``transform``, a TensorDataset-like dataset is
    gathered ahead, a whole batch at a time by each thread: when you ask for
    batch k, batches k + 1 to k + h + 1 are queued for the h helper threads
    (one for each usable core beyond the first, at most three, none on a
    single core); your thread gathers batch k unless a helper has claimed
    it, and while a helper is still gathering batch k, your thread gathers a
    later batch that nobody has claimed instead of waiting.  So every core
    copies while you use a batch, and also when you ask for the next one at
    once.  Whether that pays depends on the machine and its load, so the
    loader keeps measuring it and gathers in the calling thread alone while
    that is faster (see ``AheadChoice``; ``choice.batches`` counts the
    batches made each way).  At most h + 3 batches exist at once (four on
    two cores): the one you still hold, the one handed to you and one ahead
    for each thread; on a busy machine, one more for a moment when a helper
    that lost its core is overtaken (see ``_gather.BatchJob``).  Without
    gathering ahead (``prefetch=False``, a ``transform``, a single core) at
    most two batches exist.

    A batch you keep, or any view of it, stays valid and unchanged after
    the loader has produced the next ones: the memory of a large batch is
    reused only once nothing refers to it any more.  The loader keeps those
    buffers from one epoch to the next (as many as it used at once).
    """

    def __init__(self, loader: Any, prefetch: bool = True, transform: Any = None) -> None:
        for name in ("dataset", "batch_size", "__len__", "_epoch_order"):
            if not hasattr(loader, name):
                raise TypeError(f"loader should have {name}, as a DataLoader does; "
                                f"{type(loader).__name__} has none")
        size = loader.batch_size
        if isinstance(size, (bool, np.bool_)) or not isinstance(size, (int, np.integer)) or size <= 0:
            raise ValueError(f"loader.batch_size should be a positive int, got {size!r}")
        if not isinstance(prefetch, bool):
            raise TypeError(f"prefetch should be True or False, got {prefetch!r}")
        self.loader = loader
        self.prefetch = prefetch
        self.transforms = _as_steps(transform)
        self.choice = AheadChoice()
        self._rows: _gather.RowGather | None = None  # kept from epoch to epoch, with its buffers

    def __len__(self) -> int:
        """The number of batches in an epoch: ``len(loader)``."""
        return len(self.loader)

    def __repr__(self) -> str:
        return f"FastLoader({self.loader!r}, prefetch={self.prefetch})"

    @property
    def batched(self) -> bool:
        """True when a batch is fetched in one call; False when the loader's
        own per-sample ``__iter__`` runs."""
        return batched_fetch(self.loader)[0] is not None

    def __iter__(self) -> Iterator[Any]:
        """Yield the batches of one epoch, fetching each batch only when it is asked for."""
        fetch, fresh = batched_fetch(self.loader)
        gathered = isinstance(fetch, _gather.RowGather)  # rows of stored arrays, gathered here
        if gathered:
            # The same stored arrays as last epoch: reuse that gather's buffers
            # instead of faulting in new ones at the start of every epoch.
            kept = self._rows
            if kept is not None and len(kept.arrays) == len(fetch.arrays) and all(
                    mine is theirs for mine, theirs in zip(kept.arrays, fetch.arrays)):
                fetch = kept
            self._rows = fetch
        if fetch is None:
            for batch in self.loader:
                yield self._augment(batch, fresh=False)
            return
        visit = np.asarray(self.loader._epoch_order())
        size, count = int(self.loader.batch_size), len(self.loader)
        if gathered:  # its gathers clip indices: check them once here
            _check_order(visit, len(self.loader.dataset))

        def indices_of(number: int) -> np.ndarray:
            return visit[number * size:(number + 1) * size]  # a view: no index array is copied

        helpers = 0
        if self.prefetch and not self.transforms and gathered and fetch.shares(size):
            helpers = _gather.helpers.start()
        if not helpers:
            for number in range(count):
                yield self._augment(fetch(indices_of(number)), fresh)
            return
        # Batches started at once: this one, and one ahead for each thread (see the class docstring).
        window = helpers + 2
        fetch.keep = window + 2  # and the batch you hold, and one overtaken
        choice, started, made = self.choice, deque(), []  # started: jobs of batches number, number + 1, ...
        for number in range(count):
            began = time.perf_counter()
            ahead = choice.mode()
            if ahead:  # the later ones queued for the helpers
                for later in range(number + len(started), min(number + window, count)):
                    started.append(fetch.start(indices_of(later), share=later > number))
            made.append(fetch.finish(started.popleft(), started) if started else fetch(indices_of(number)))
            choice.record(ahead, time.perf_counter() - began, len(indices_of(number)))
            yield made.pop()  # from a list: this frame holds no batch while you use it

    def _augment(self, batch: Any, fresh: bool) -> Any:
        """Apply the transforms to the first element of ``batch``.

        Provided batch transforms (they have ``transform_batch``) work in
        place on a batch that is ``fresh``; any other callable gets a Tensor
        and must return a new one.
        """
        if not self.transforms:
            return batch
        single = isinstance(batch, Tensor)
        first = batch if single else batch[0]
        array = first.data if isinstance(first, Tensor) else np.asarray(first)
        for step in self.transforms:
            in_place = getattr(step, "transform_batch", None)
            if in_place is not None:
                array, fresh = in_place(array, fresh)
            else:
                result = step(Tensor(array))
                array, fresh = (result.data if isinstance(result, Tensor) else np.asarray(result)), False
        images = Tensor(array)
        return images if single else (images, *batch[1:])
