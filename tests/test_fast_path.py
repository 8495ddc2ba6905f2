"""The provided fast path, tinytorch.data: FastLoader and the batch transforms.

FastLoader wraps a per-sample loader and must give its batches, sample for
sample and bit for bit, and must not grow memory over an epoch; the batch
transforms must give the per-sample transforms' results.
"""

import gc
import itertools
import math
import os
import signal
import threading
import time
import tracemalloc
import warnings

import numpy as np
import pytest

from tinytorch.core import dataloader as library
from tinytorch.core.tensor import Tensor
from tinytorch.data import BatchRandomCrop, BatchRandomHorizontalFlip, FastLoader, _gather
from tinytorch.data import batch_transforms as batched_module

DataLoader, TensorDataset = library.DataLoader, library.TensorDataset
RandomCrop, RandomHorizontalFlip, Compose = library.RandomCrop, library.RandomHorizontalFlip, library.Compose

# 128 CIFAR-shaped float32 images make 1.5 MiB: the loader gathers batches of
# this size into reused buffers, so some tests use it to cover that path.
POOLED_BATCH = 128


def FastDataLoader(dataset, batch_size, *, prefetch=True, transform=None, **options):  # noqa: N802
    """A FastLoader around a per-sample DataLoader with these arguments."""
    return FastLoader(DataLoader(dataset, batch_size, **options), prefetch=prefetch, transform=transform)


def batch_crop(*arguments, **options):
    return BatchRandomCrop(RandomCrop(*arguments, **options))


def batch_flip(*arguments, **options):
    return BatchRandomHorizontalFlip(RandomHorizontalFlip(*arguments, **options))


def as_tuple(batch):
    return batch if isinstance(batch, tuple) else (batch,)


def assert_same_batches(fast_batches, reference_batches):
    """Same number of batches, and in each the same arrays: shape, dtype and every value."""
    assert len(fast_batches) == len(reference_batches)
    for number, (fast, reference) in enumerate(zip(fast_batches, reference_batches)):
        assert type(fast) is type(reference), number
        fast, reference = as_tuple(fast), as_tuple(reference)
        assert len(fast) == len(reference), number
        for got, expected in zip(fast, reference):
            assert isinstance(got, Tensor), number
            assert got.shape == expected.shape and got.dtype == expected.dtype, number
            np.testing.assert_array_equal(got.data, expected.data, err_msg=f"batch {number}")


def epochs(loader, count=2):
    """The batches of `count` epochs, with every array copied (a test must not
    depend on what a loader does with its memory afterwards)."""
    return [tuple(Tensor(t.data.copy()) for t in as_tuple(batch)) for _ in range(count) for batch in loader]


def cifar(count, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.random((count, 3, 32, 32), dtype=np.float32),
            rng.integers(0, 10, size=count))


class PerSample(library.Dataset):
    """A dataset readable only one sample at a time (no batched fetch)."""

    def __init__(self, *arrays):
        self.arrays = arrays
        self.calls = 0

    def __len__(self):
        return len(self.arrays[0])

    def __getitem__(self, index):
        self.calls += 1
        return tuple(Tensor(array[index]) for array in self.arrays)


class Augmented(library.Dataset):
    """Applies a per-sample transform to the image in __getitem__ (as torchvision does)."""

    def __init__(self, base, transform):
        self.base, self.transform = base, transform

    def __len__(self):
        return len(self.base)

    def __getitem__(self, index):
        image, *rest = self.base[index]
        return (self.transform(image), *rest)


# One set of gather helpers per count, shared by the tests (their threads live on).
_HELPERS = {}


def use_helpers(monkeypatch, count):
    """Make the library use `count` helper threads, whatever this machine has."""
    if count not in _HELPERS:
        monkeypatch.setattr(_gather, "usable_cores", lambda: count + 1)
        _HELPERS[count] = _gather.GatherHelpers()
        assert _HELPERS[count].start() == count
    monkeypatch.setattr(_gather, "helpers", _HELPERS[count])
    # Wait for a paused helper instead of overtaking it: on a busy test machine an
    # overtaken batch is one more batch in memory, and a new buffer address.
    monkeypatch.setattr(_gather, "PATIENCE_SECONDS", None)


@pytest.fixture(params=[0, 1, 3], ids=lambda count: f"{count}-helpers")
def helper_threads(request, monkeypatch):
    """0 helpers (a single core: no gathering ahead), 1 (two cores) or 3."""
    use_helpers(monkeypatch, request.param)
    return request.param


@pytest.fixture(params=[0, 1, 3], ids=lambda count: f"{count}-helpers")
def helpers_for_every_batch(request, monkeypatch):
    """As helper_threads, and every batch, however small, is gathered ahead into a pooled buffer."""
    use_helpers(monkeypatch, request.param)
    monkeypatch.setattr(_gather, "AHEAD_BYTES", 0)
    monkeypatch.setattr(_gather, "POOLED_BYTES", 1)
    return request.param


# ---------------------------------------------------------------- same batches


@pytest.mark.parametrize("size,batch_size", [(103, 10), (100, 10), (7, 16), (103, 103), (1, 1)])
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("drop_last", [False, True])
def test_same_batches_as_the_per_sample_loader_with_a_seed(helpers_for_every_batch, size, batch_size, shuffle,
                                                           drop_last):
    features = np.random.default_rng(1).standard_normal((size, 5)).astype(np.float32)
    labels = np.arange(size) % 3
    dataset = TensorDataset(Tensor(features), Tensor(labels))
    fast = FastDataLoader(dataset, batch_size, shuffle=shuffle, drop_last=drop_last, seed=4)
    slow = DataLoader(dataset, batch_size, shuffle=shuffle, drop_last=drop_last, seed=4)
    assert fast.batched and len(fast) == len(slow)
    assert_same_batches(epochs(fast, 3), epochs(slow, 3))


@pytest.mark.parametrize("batch_size", [10, POOLED_BATCH])
def test_same_batches_and_global_random_state_with_seed_none(helper_threads, batch_size):
    images, labels = cifar(300)
    dataset = TensorDataset(Tensor(images), Tensor(labels))
    np.random.seed(11)
    fast = epochs(FastDataLoader(dataset, batch_size, shuffle=True))
    fast_next = np.random.random()
    np.random.seed(11)
    slow = epochs(DataLoader(dataset, batch_size, shuffle=True))
    assert_same_batches(fast, slow)
    assert np.random.random() == fast_next, "both paths must draw the same numbers from the global state"


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, np.int64, np.int32, np.uint8,
                                   np.bool_, np.complex64])
def test_same_batches_for_every_dtype(helpers_for_every_batch, dtype):
    rng = np.random.default_rng(2)
    values = (rng.standard_normal((57, 2, 3)) * 50).astype(dtype)
    targets = rng.integers(0, 5, size=57).astype(np.int32)
    dataset = TensorDataset(Tensor(values), Tensor(targets))
    assert_same_batches(epochs(FastDataLoader(dataset, 8, shuffle=True, seed=1)),
                        epochs(DataLoader(dataset, 8, shuffle=True, seed=1)))


@pytest.mark.parametrize("batch_size", [9, POOLED_BATCH])
def test_same_batches_for_one_three_and_non_contiguous_tensors(helper_threads, batch_size):
    images, labels = cifar(200)
    channels_last = images.transpose(0, 2, 3, 1)  # a view with unusual strides
    weights = np.linspace(0, 1, 200)
    for tensors in [(Tensor(images),), (Tensor(channels_last), Tensor(labels), Tensor(weights))]:
        dataset = TensorDataset(*tensors)
        assert_same_batches(epochs(FastDataLoader(dataset, batch_size, shuffle=True, seed=3)),
                            epochs(DataLoader(dataset, batch_size, shuffle=True, seed=3)))


def test_arguments_are_checked():
    dataset = TensorDataset(Tensor(np.zeros((4, 2))))
    loader = DataLoader(dataset, 2)
    with pytest.raises(TypeError, match="transform should be None, a callable or a list of callables, got 3"):
        FastLoader(loader, transform=3)
    with pytest.raises(TypeError, match=r"transform\[1\] should be callable, got 'flip'"):
        FastLoader(loader, transform=[batch_flip(), "flip"])
    for bad in (1, None, "yes"):
        with pytest.raises(TypeError, match=f"prefetch should be True or False, got {bad!r}"):
            FastLoader(loader, prefetch=bad)
    for missing in ("dataset", "batch_size", "_epoch_order"):
        class Partial:
            pass

        partial = Partial()
        for name in {"dataset", "batch_size", "_epoch_order"} - {missing}:
            setattr(partial, name, getattr(loader, name))
        partial.__class__.__len__ = lambda self: 2
        with pytest.raises(TypeError, match=f"loader should have {missing}, as a DataLoader does; Partial has none"):
            FastLoader(partial)
    for bad in (0, -1, 2.5, True, None):
        loader.batch_size = bad
        with pytest.raises(ValueError, match=f"loader.batch_size should be a positive int, got {bad!r}"):
            FastLoader(loader)


def test_the_wrapped_loader_is_used_not_changed():
    dataset = TensorDataset(Tensor(np.arange(10.0)))
    loader = DataLoader(dataset, 3, drop_last=True)
    fast = FastLoader(loader)
    assert fast.loader is loader and len(fast) == len(loader) == 3
    assert [b[0].tolist() for b in fast] == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    loader.drop_last = False  # read at each epoch, as the loader itself reads it
    assert len(fast) == 4 and [len(b[0]) for b in fast] == [3, 3, 3, 1]


# ---------------------------------------------------------------- fallback and protocol


def test_datasets_without_batched_fetch_fall_back_to_per_sample_fetch():
    features, labels = np.arange(60, dtype=np.float32).reshape(20, 3), np.arange(20)
    dataset = PerSample(features, labels)
    fast = FastDataLoader(dataset, 6, shuffle=True, seed=2)
    assert not fast.batched
    assert_same_batches(epochs(fast), epochs(DataLoader(PerSample(features, labels), 6, shuffle=True, seed=2)))
    assert dataset.calls == 2 * 20


def test_a_tensor_dataset_that_overrides_getitem_falls_back():
    class Scaled(TensorDataset):
        def __getitem__(self, index):
            image, label = super().__getitem__(index)
            return Tensor(image.data * 2), label

    dataset = Scaled(Tensor(np.arange(12.0).reshape(6, 2)), Tensor(np.arange(6)))
    fast = FastDataLoader(dataset, 4)
    assert not fast.batched
    assert_same_batches(list(fast), list(DataLoader(dataset, 4)))


class Squares(library.Dataset):
    """Readable only through __getitems__ (a list of ints, as PyTorch passes);
    `as_samples` chooses PyTorch's return value, a list of samples, over a whole batch."""

    def __init__(self, as_samples):
        self.requests, self.as_samples = [], as_samples

    def __len__(self):
        return 10

    def __getitem__(self, index):
        raise AssertionError("the fast path should not fetch single samples")

    def __getitems__(self, indices):
        assert isinstance(indices, list) and all(type(i) is int for i in indices)
        self.requests.append(indices)
        squares = np.asarray(indices) ** 2
        if self.as_samples:
            return [(Tensor(square), Tensor(np.float32(index))) for square, index in zip(squares, indices)]
        return Tensor(squares)


@pytest.mark.parametrize("as_samples", [False, True], ids=["batch", "list-of-samples"])
def test_a_dataset_with_getitems_is_fetched_a_batch_at_a_time(as_samples):
    dataset = Squares(as_samples)
    loader = FastDataLoader(dataset, 4, shuffle=True, seed=5)
    assert loader.batched
    batches = list(loader)
    order = DataLoader(dataset, 4, shuffle=True, seed=5)._epoch_order()
    assert dataset.requests == [order[0:4].tolist(), order[4:8].tolist(), order[8:].tolist()]
    for batch, request in zip(batches, dataset.requests):
        if as_samples:  # collated by the loader's _collate_batch: dtypes kept
            squares, indices = batch
            assert squares.dtype == np.int64 and indices.dtype == np.float32
            assert indices.tolist() == request
        else:
            squares = batch
        assert squares.tolist() == [i * i for i in request]


def test_batch_transforms_never_write_into_arrays_that_getitems_returns():
    class Views(PerSample):
        """__getitems__ returns views of the stored arrays (legal: the loader must not write into them)."""

        def __getitems__(self, indices):
            rows = slice(indices[0], indices[-1] + 1)  # unshuffled: consecutive indices
            return tuple(Tensor(array[rows]) for array in self.arrays)

    images, labels = cifar(40)
    stored = images.copy()
    augment = [batch_flip(p=1.0), batch_crop(32, padding=4, seed=3)]
    batches = list(FastDataLoader(Views(images, labels), 16, transform=augment))
    np.testing.assert_array_equal(images, stored)
    per_sample = Compose([RandomHorizontalFlip(p=1.0), RandomCrop(32, padding=4, seed=3)])
    np.testing.assert_array_equal(np.concatenate([x.data for x, _ in batches]),
                                  np.stack([per_sample(image) for image in stored]))


def test_any_class_named_tensor_dataset_is_gathered_and_lookalikes_are_not():
    """A student's TensorDataset from the notebook is gathered; a class that only stores
    `.tensors` (its __getitem__ may do anything) is read sample by sample."""
    namespace = {}
    exec("class TensorDataset(base):\n"  # another class of that name, as a notebook defines it
         "    def __init__(self, *tensors):\n        self.tensors = tensors\n"
         "    def __len__(self):\n        return len(self.tensors[0].data)\n"
         "    def __getitem__(self, index):\n        return tuple(Tensor(t.data[index]) for t in self.tensors)\n",
         {"base": library.Dataset, "Tensor": Tensor}, namespace)

    class Lookalike(namespace["TensorDataset"]):
        def __getitem__(self, index):
            return tuple(Tensor(t.data[index] + 1) for t in self.tensors)

    images, labels = cifar(50)
    for kind, batched in ((namespace["TensorDataset"], True), (Lookalike, False)):
        dataset = kind(Tensor(images), Tensor(labels))
        fast = FastDataLoader(dataset, 8, shuffle=True, seed=1)
        assert fast.batched is batched, kind
        assert_same_batches(epochs(fast), epochs(DataLoader(dataset, 8, shuffle=True, seed=1)))
    uneven = TensorDataset(Tensor(images), Tensor(labels))
    uneven.tensors = (Tensor(images), Tensor(labels[:10]))  # not len(dataset) long: not gathered
    assert not FastDataLoader(uneven, 8).batched


# ---------------------------------------------------------------- kept batches stay valid


@pytest.mark.parametrize("prefetch", [True, False])
def test_kept_batches_and_views_stay_valid_while_buffers_are_reused(helper_threads, prefetch):
    images, labels = cifar(1300)
    dataset = TensorDataset(Tensor(images), Tensor(labels))
    reference = epochs(DataLoader(dataset, POOLED_BATCH, shuffle=True, seed=8), 1)

    kept = list(FastDataLoader(dataset, POOLED_BATCH, shuffle=True, seed=8, prefetch=prefetch))  # all held
    assert_same_batches(kept, reference)

    views, addresses = {}, []
    for number, (x, y) in enumerate(FastDataLoader(dataset, POOLED_BATCH, shuffle=True, seed=8,
                                                   prefetch=prefetch)):
        if number in (1, 3):
            views[number] = x.data[5:9]  # a view keeps its batch's buffer in use
        addresses.append(x.data.__array_interface__["data"][0])
        del x, y
    large = addresses[:len(dataset) // POOLED_BATCH]  # the short last batch is too small to pool
    # The loop holds the previous batch while the next is made, and each thread
    # may be gathering one after it: 3 + helpers buffers in turn, 2 without
    # gathering ahead, plus one for each buffer a kept view pins.
    in_turn = 3 + helper_threads if prefetch and helper_threads else 2
    assert len(set(large)) <= in_turn + len(views), "dropped batches' memory should be reused"
    assert addresses[1] not in addresses[2:] and addresses[3] not in addresses[4:], "a view's buffer was reused"
    for number, view in views.items():
        np.testing.assert_array_equal(view, reference[number][0].data[5:9])


@pytest.mark.parametrize("prefetch", [True, False])
def test_the_next_epoch_reuses_the_buffers_of_the_last(helper_threads, prefetch):
    images, labels = cifar(1300)
    dataset = TensorDataset(Tensor(images), Tensor(labels))
    loader = FastDataLoader(dataset, POOLED_BATCH, shuffle=True, seed=8, prefetch=prefetch)
    addresses = []
    for _ in range(2):
        addresses.append({x.data.__array_interface__["data"][0] for x, _ in loader if len(x) == POOLED_BATCH})
    assert addresses[1] <= addresses[0], "an epoch over the same arrays should not allocate new buffers"
    dataset.tensors = (Tensor(images.copy()), Tensor(labels))  # other arrays: other buffers
    reference = DataLoader(dataset, POOLED_BATCH, shuffle=True, seed=8)
    assert_same_batches(epochs(loader, 1), epochs(reference, 3)[-len(reference):])


def test_in_place_batch_transforms_do_not_touch_kept_batches():
    images, labels = cifar(600)
    dataset = TensorDataset(Tensor(images), Tensor(labels))
    augment = [batch_crop(32, padding=4, seed=1), batch_flip(seed=2)]
    kept = list(FastDataLoader(dataset, POOLED_BATCH, shuffle=True, seed=0, transform=augment))
    per_sample = Compose([RandomCrop(32, padding=4, seed=1), RandomHorizontalFlip(seed=2)])
    reference = list(DataLoader(Augmented(dataset, per_sample), POOLED_BATCH, shuffle=True, seed=0))
    assert_same_batches(kept, reference)
    np.testing.assert_array_equal(dataset.tensors[0].data, images)  # the dataset itself is untouched


# ---------------------------------------------------------------- batched transforms: bit-equal

LAYOUT_CASES = [("CHW", (3, 10, 12)), ("HWC", (10, 12, 3)), ("CHW", (10, 12)), ("HWC", (9, 7)), ("CHW", (1, 5, 5))]


def same_seed(kind):
    """A fresh random source of the given kind, the same numbers every call."""
    return 5 if kind == "int" else np.random.default_rng(5)


@pytest.mark.parametrize("layout,shape", LAYOUT_CASES)
@pytest.mark.parametrize("size,padding", [(None, 4), ((6, 8), 2), ((4, 3), 0), ((12, 14), 3), ((40, 40), 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.uint8, np.float64, np.int16])
@pytest.mark.parametrize("seed_kind", ["int", "generator"])
def test_batch_random_crop_equals_per_sample_crops_with_the_same_seed(layout, shape, size, padding, dtype,
                                                                     seed_kind):
    batch = (np.random.default_rng(3).random((23, *shape)) * 200).astype(dtype)
    original = batch.copy()
    height_axis = 1 if layout == "CHW" and len(shape) == 3 else 0
    size = size or (shape[height_axis], shape[height_axis + 1])  # None: the image's own size
    per_sample = RandomCrop(size, padding, layout=layout, seed=same_seed(seed_kind))
    batched = batch_crop(size, padding, layout=layout, seed=same_seed(seed_kind))
    try:
        per_sample(batch[0])
    except ValueError as error:
        with pytest.raises(ValueError) as raised:
            batched(batch)
        assert str(raised.value) == str(error)
        return
    per_sample = RandomCrop(size, padding, layout=layout, seed=same_seed(seed_kind))
    for _ in range(2):  # the second call reuses the padded buffer
        expected = np.stack([per_sample(sample) for sample in batch])
        got = batched(batch)
        assert isinstance(got, np.ndarray) and got.dtype == batch.dtype
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(batch, original)


@pytest.mark.parametrize("layout,shape", LAYOUT_CASES)
@pytest.mark.parametrize("p", [0.0, 0.3, 0.5, 1.0])
def test_batch_random_horizontal_flip_equals_per_sample_flips_with_the_same_seed(layout, shape, p):
    batch = np.random.default_rng(4).standard_normal((37, *shape)).astype(np.float32)
    original = batch.copy()
    per_sample = RandomHorizontalFlip(p, layout=layout, seed=9)
    batched = batch_flip(p, layout=layout, seed=9)
    for _ in range(2):
        expected = np.stack([per_sample(sample) for sample in batch])
        got = batched(Tensor(batch))
        assert isinstance(got, Tensor) and got.dtype == np.float32
        np.testing.assert_array_equal(got.data, expected)
    np.testing.assert_array_equal(batch, original)


def test_batched_transforms_draw_from_the_global_state_like_per_sample_ones():
    batch = np.random.default_rng(6).random((50, 3, 8, 8)).astype(np.float32)
    np.random.seed(21)
    expected = np.stack([RandomHorizontalFlip()(RandomCrop(8, padding=2)(s)) for s in batch[:1]])
    np.random.seed(21)
    crop_then_flip = batch_flip()(batch_crop(8, padding=2)(batch[:1]))
    np.testing.assert_array_equal(crop_then_flip, expected)  # one sample: draw orders coincide
    np.random.seed(22)
    expected = np.stack([RandomCrop(8, padding=2)(s) for s in batch])
    np.random.seed(22)
    np.testing.assert_array_equal(batch_crop(8, padding=2)(batch), expected)
    np.random.seed(23)
    expected = np.stack([RandomHorizontalFlip()(s) for s in batch])
    np.random.seed(23)
    np.testing.assert_array_equal(batch_flip()(batch), expected)


@pytest.mark.parametrize("fast_dataset", [True, False])
def test_loader_with_batch_transforms_equals_per_sample_augmentation(fast_dataset):
    images, labels = cifar(150)
    dataset = TensorDataset(Tensor(images), Tensor(labels)) if fast_dataset else PerSample(images, labels)
    augment = [batch_crop(32, padding=4, seed=1), batch_flip(seed=2)]
    fast = FastDataLoader(dataset, 32, shuffle=True, seed=0, transform=augment)
    assert fast.batched == fast_dataset
    per_sample = Compose([RandomCrop(32, padding=4, seed=1), RandomHorizontalFlip(seed=2)])
    slow = DataLoader(Augmented(dataset, per_sample), 32, shuffle=True, seed=0)
    assert_same_batches(epochs(fast), epochs(slow))


def test_any_callable_can_be_a_batch_transform():
    dataset = TensorDataset(Tensor(np.arange(12, dtype=np.float32).reshape(6, 2)), Tensor(np.arange(6)))
    loader = FastDataLoader(dataset, 4, transform=lambda x: Tensor(x.data * 10))
    (x, y), (x2, _) = list(loader)
    np.testing.assert_array_equal(x.data, np.arange(8).reshape(4, 2) * 10)
    np.testing.assert_array_equal(y.data, np.arange(4))
    np.testing.assert_array_equal(dataset.tensors[0].data, np.arange(12).reshape(6, 2))


def test_batch_transforms_take_their_settings_from_the_per_sample_ones():
    crop, flip = RandomCrop((6, 5), padding=2, layout="HWC", seed=1), RandomHorizontalFlip(0.25, layout="HWC")
    assert (BatchRandomCrop(crop).size, BatchRandomCrop(crop).padding, BatchRandomCrop(crop).layout) == \
        ((6, 5), 2, "HWC")
    assert BatchRandomCrop(crop)._generator is crop._generator
    assert (BatchRandomHorizontalFlip(flip).p, BatchRandomHorizontalFlip(flip).layout) == (0.25, "HWC")
    with pytest.raises(TypeError, match="crop should be a per-sample crop with a .size attribute, got int"):
        BatchRandomCrop(32)
    with pytest.raises(TypeError, match="flip should be a per-sample flip with a .p attribute, got RandomCrop"):
        BatchRandomHorizontalFlip(crop)
    flip.layout = "CWH"
    with pytest.raises(ValueError, match="flip.layout should be 'CHW' or 'HWC', got 'CWH'"):
        BatchRandomHorizontalFlip(flip)
    with pytest.raises(ValueError, match=r"crop size \(20, 20\) is larger than the padded image \(10, 10\)"):
        batch_crop(20, padding=1)(np.zeros((2, 3, 8, 8)))
    with pytest.raises(ValueError, match="3 axes"):
        batch_crop(4)(np.zeros((3, 8, 8, 1, 1)))
    with pytest.raises(ValueError, match="3 axes"):
        batch_flip()(np.zeros((8, 8)))
    with pytest.raises(TypeError, match="array of Python objects"):
        batch_crop(4)(np.empty((1, 8, 8), dtype=object))
    assert batch_crop(4, padding=1)(np.zeros((0, 3, 8, 8))).shape == (0, 3, 4, 4)


# ---------------------------------------------------------------- batched transforms: distribution


def bernstein_radius(probability: float, count: int, failure: float) -> float:
    """t such that P(|frequency - probability| >= t) <= failure for `count` independent
    Bernoulli(probability) draws (Bernstein's inequality, solved for t)."""
    log_term = math.log(2 / failure)
    variance = probability * (1 - probability)
    # count t^2 = log_term (2 variance + 2 t / 3)
    a, b, c = count, -2 * log_term / 3, -2 * variance * log_term
    return (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)


def test_batch_random_crop_positions_are_uniform_and_independent():
    """Each of the 25 window positions (a 6x6 image, padding 2) has probability 1/25 and
    consecutive samples are independent, as for per-sample RandomCrop.  Every check is a
    Bernstein bound; with a union bound over all 25 + 625 cells the test fails a correct
    implementation with probability below 1e-7, whatever the seed."""
    count, size, pad = 200_000, 6, 2
    choices = 2 * pad + 1  # top (and left) is one of 0 .. 2 * pad
    image = (1 + np.arange(size * size, dtype=np.float32)).reshape(1, size, size)  # pixel values 1 .. 36
    crops = batch_crop(size, padding=pad, seed=2024)(np.broadcast_to(image, (count, 1, size, size)))
    flat = crops.reshape(count, -1)
    where = flat.argmax(axis=1)  # the largest pixel in the window: never padding
    value = flat[np.arange(count), where].astype(np.int64) - 1  # its row * size + column in the image
    tops = value // size + pad - where // size
    lefts = value % size + pad - where % size
    positions = tops * choices + lefts
    cells = choices * choices
    assert positions.min() >= 0 and positions.max() < cells
    failure = 1e-7 / (cells + cells * cells)
    frequencies = np.bincount(positions, minlength=cells) / count
    radius = bernstein_radius(1 / cells, count, failure)
    assert np.abs(frequencies - 1 / cells).max() < radius, frequencies
    pairs = positions[0::2] * cells + positions[1::2]
    pair_frequencies = np.bincount(pairs, minlength=cells * cells) / len(pairs)
    radius = bernstein_radius(1 / cells ** 2, len(pairs), failure)
    assert np.abs(pair_frequencies - 1 / cells ** 2).max() < radius


def test_batch_random_horizontal_flip_flips_independently_with_probability_p():
    count, p = 200_000, 0.3
    batch = np.broadcast_to(np.array([[[1.0, 2.0]]], dtype=np.float32), (count, 1, 1, 2))
    flipped = batch_flip(p, seed=77)(batch)[:, 0, 0, 0] == 2.0
    failure = 1e-7 / 5
    assert abs(flipped.mean() - p) < bernstein_radius(p, count, failure)
    pairs = flipped[0::2] * 2 + flipped[1::2]
    expected = [(1 - p) ** 2, (1 - p) * p, p * (1 - p), p * p]
    frequencies = np.bincount(pairs, minlength=4) / len(pairs)
    for frequency, probability in zip(frequencies, expected):
        assert abs(frequency - probability) < bernstein_radius(probability, len(pairs), failure)


# ---------------------------------------------------------------- helper threads


def gather_threads():
    return [thread for thread in threading.enumerate() if thread.name == "tinytorch-gather"]


@pytest.mark.parametrize("cores,expected", [(1, 0), (2, 1), (4, 3), (16, 3)])
def test_helpers_start_once_one_per_spare_core_and_at_most_three(monkeypatch, cores, expected):
    monkeypatch.setattr(_gather, "usable_cores", lambda: cores)
    helpers = _gather.GatherHelpers()
    before = len(gather_threads())
    assert helpers.start() == expected
    assert helpers.start() == expected, "a second call must not start more threads"
    assert len(gather_threads()) == before + expected


def test_a_refused_thread_leaves_the_loader_working_alone(monkeypatch):
    def refuse(thread):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(_gather, "usable_cores", lambda: 4)
    monkeypatch.setattr(_gather.threading.Thread, "start", refuse)
    helpers = _gather.GatherHelpers()
    assert helpers.start() == 0
    monkeypatch.setattr(_gather, "helpers", helpers)
    images, labels = cifar(400)
    dataset = TensorDataset(Tensor(images), Tensor(labels))
    assert_same_batches(epochs(FastDataLoader(dataset, POOLED_BATCH, shuffle=True, seed=2)),
                        epochs(DataLoader(dataset, POOLED_BATCH, shuffle=True, seed=2)))


def a_job(rows, indices, out=None):
    """A BatchJob gathering `rows[indices]` into `out` (None: a new array)."""
    return _gather.BatchJob((rows,), indices, [out], rows[0].nbytes * len(indices))


def test_an_error_in_any_thread_is_raised_in_the_caller(helper_threads):
    rows, wrong_shape = np.zeros((10, 4)), np.empty((10, 5))
    job = a_job(rows, np.arange(10), wrong_shape)
    _gather.helpers.submit(job)
    with pytest.raises(ValueError, match="output array does not match"):
        _gather.RowGather.finish(job)


def test_an_abandoned_epoch_leaves_no_thread_behind_and_the_next_is_right(helper_threads):
    images, labels = cifar(1000)
    dataset = TensorDataset(Tensor(images), Tensor(labels))
    loader = FastDataLoader(dataset, POOLED_BATCH, shuffle=True, seed=5)
    threads = len(gather_threads())
    for number, batch in enumerate(loader):
        if number == 2:
            break
    del batch
    gc.collect()
    assert len(gather_threads()) == threads
    reference = DataLoader(dataset, POOLED_BATCH, shuffle=True, seed=5)
    assert_same_batches(epochs(loader, 1), epochs(reference, 2)[len(reference):])


def test_loaders_used_together_or_from_two_threads_each_give_their_own_batches(helper_threads):
    first, second = cifar(500, seed=1), cifar(400, seed=2)
    datasets = [TensorDataset(Tensor(images), Tensor(labels)) for images, labels in (first, second)]
    sizes = [POOLED_BATCH, 100]
    expected = [epochs(DataLoader(dataset, size, shuffle=True, seed=3)) for dataset, size in zip(datasets, sizes)]

    fast = [FastDataLoader(dataset, size, shuffle=True, seed=3) for dataset, size in zip(datasets, sizes)]
    together = [[], []]
    for _ in range(2):  # two epochs of each, their batches taken in turn
        for pair in itertools.zip_longest(*fast):
            for got, batch in zip(together, pair):
                if batch is not None:
                    got.append(tuple(Tensor(t.data.copy()) for t in batch))
    for got, reference in zip(together, expected):
        assert_same_batches(got, reference)

    results = {}

    def run(position):
        results[position] = epochs(FastDataLoader(datasets[position], sizes[position], shuffle=True, seed=3))

    workers = [threading.Thread(target=run, args=(position,)) for position in (0, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    for position in (0, 1):
        assert_same_batches(results[position], expected[position])


def run_in_fork(child):
    """Run `child()` in a forked process; return its exit code (1 if it raised, 2 if it hung)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # "multi-threaded process forked"
        pid = os.fork()
    if pid == 0:
        code = 1
        try:
            signal.alarm(30)  # a deadlock ends the child instead of the test run
            code = 0 if child() else 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_a_paused_helper_is_overtaken_and_its_buffer_is_never_handed_out(monkeypatch):
    rows = np.arange(40.0).reshape(20, 2)
    indices = np.arange(19, -1, -1)
    out = np.full((20, 2), -1.0)
    monkeypatch.setattr(_gather, "PATIENCE_SECONDS", 0.01)
    job = a_job(rows, indices, out)
    assert job.claim() and not job.claim(), "a job is claimed once"  # by a helper that then lost its core
    started = time.perf_counter()
    (got,) = _gather.RowGather.finish(job)
    assert time.perf_counter() - started < 5, "the caller waits only its patience"
    assert job.overtaken and got.data is not out and not np.shares_memory(got.data, out)
    np.testing.assert_array_equal(got.data, rows[indices])
    assert (out == -1).all(), "the paused helper's buffer is left to it"
    assert job.arrays == (rows,) and job.outs == [out], "the late helper still needs the job's arrays"
    job.run()  # the helper gets its core back
    np.testing.assert_array_equal(out, rows[indices])


def test_while_a_helper_gathers_this_batch_the_caller_gathers_the_next(monkeypatch):
    rows = np.arange(60.0).reshape(30, 2)
    gather = _gather.RowGather((rows,))
    monkeypatch.setattr(_gather, "POOLED_BYTES", 1)
    monkeypatch.setattr(_gather, "PATIENCE_SECONDS", 0.01)
    current, following, last = (gather.start(np.arange(start, start + 10), share=False) for start in (0, 10, 20))
    assert current.claim()  # claimed by a helper that has not finished it
    (batch,) = gather.finish(current, then=[following, last])
    assert following.done and last.done, "the caller gathered the next batches while it waited"
    assert current.overtaken
    np.testing.assert_array_equal(batch.data, rows[:10])
    for job, start in ((following, 10), (last, 20)):
        (batch,) = gather.finish(job)
        np.testing.assert_array_equal(batch.data, rows[start:start + 10])
    done, untouched = gather.start(np.arange(10), share=False), gather.start(np.arange(10), share=False)
    gather.finish(done, then=[untouched])
    assert not untouched.done, "with nothing to wait for, the caller returns at once"


def test_an_order_out_of_range_is_refused_not_clipped():
    class Shifted(DataLoader):
        def _epoch_order(self):
            return np.arange(1, len(self.dataset) + 1)  # one past the end

    dataset = TensorDataset(Tensor(np.zeros((6, 2))))
    with pytest.raises(IndexError, match="_epoch_order\\(\\) returned index 6 for a dataset of 6 samples"):
        list(FastLoader(Shifted(dataset, 4)))
    Shifted._epoch_order = lambda self: np.linspace(0, 5, 6)
    with pytest.raises(IndexError, match="should return integer indices, got dtype float64"):
        list(FastLoader(Shifted(dataset, 4)))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_gathers_the_batch_a_parent_thread_had_claimed():
    rows = np.arange(40.0).reshape(20, 2)
    indices = np.arange(19, -1, -1)
    job = a_job(rows, indices, np.empty((20, 2)))
    assert job.claim()  # as if a helper were gathering it when the process forked

    def child():
        return np.array_equal(_gather.RowGather.finish(job)[0].data, rows[indices]) and not job.overtaken

    assert run_in_fork(child) == 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_starts_helpers_of_its_own():
    images, labels = cifar(600)
    dataset = TensorDataset(Tensor(images), Tensor(labels))
    expected = epochs(DataLoader(dataset, POOLED_BATCH, shuffle=True, seed=6))
    list(FastDataLoader(dataset, POOLED_BATCH))  # the parent's helpers are running
    helpers = _gather.helpers.count

    def child():
        got = epochs(FastDataLoader(dataset, POOLED_BATCH, shuffle=True, seed=6))
        assert_same_batches(got, expected)
        return len(gather_threads()) == helpers == _gather.helpers.count

    assert run_in_fork(child) == 0


# ---------------------------------------------------------------- memory


def epoch_peak(loader):
    """Peak bytes above the start while one epoch runs; the loop variable keeps the
    previous batch alive while the next one is made, as in a training loop."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for batch in loader:  # noqa: B007 - held on purpose
            pass
        del batch
        peak = tracemalloc.get_traced_memory()[1] - base
        left = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    return peak, left


# Python objects alive at the peak besides the batches' arrays: Tensors, tuples,
# the generator, the gather jobs and their locks.  None of it grows with the
# batch size or the number of batches.
BOOKKEEPING_BYTES = 32 * 1024


@pytest.mark.parametrize("batch_size", [64, POOLED_BATCH])
@pytest.mark.parametrize("augment", [False, True])
@pytest.mark.parametrize("prefetch", [True, False])
def test_peak_memory_of_an_epoch_is_two_batches_and_one_per_thread_ahead(helper_threads, batch_size, augment, prefetch):
    images, labels = cifar(2048)
    dataset = TensorDataset(Tensor(images), Tensor(labels))
    transforms = [batch_crop(32, padding=4, seed=1), batch_flip(seed=2)] if augment else None
    loader = FastDataLoader(dataset, batch_size, shuffle=True, seed=0, transform=transforms,
                            prefetch=prefetch)
    list(loader)  # warm-up: the crop's padded buffer is allocated once, on first use
    batch_bytes = batch_size * (images[0].nbytes + labels.itemsize)
    order_bytes = 8 * len(dataset)  # the epoch's index order, needed by every loader
    crop_buffer = batched_module.CHUNK_BYTES + 3 * 40 * 40 * images.itemsize if augment else 0
    # The batch the loop still holds and the one being made; and, only when the
    # loader gathers ahead, one more for each thread (the caller and each helper).
    batches = 3 + helper_threads if prefetch and helper_threads and not augment else 2
    for _ in range(2):  # no growth from one epoch to the next
        peak, left = epoch_peak(loader)
        fixed = peak - batches * batch_bytes
        assert fixed <= order_bytes + crop_buffer + BOOKKEEPING_BYTES, f"peak {peak / batch_bytes:.3f} batches"
        assert left < 0.1 * batch_bytes, f"{left} bytes still held after the epoch"


class GivenOrder(DataLoader):
    """Visits the samples in an order made before the epoch (so that making it is not measured)."""

    def _epoch_order(self):
        return self.order


def test_bookkeeping_does_not_grow_with_the_number_of_batches(helpers_for_every_batch):
    """What the loader holds besides batches is the same for an epoch of 32 batches and one of
    1,024: a leak of 16 bytes a batch would show.  (The threads' timing moves the peak by a few KB.)"""
    peaks = []
    for count in (1024, 32768):
        rng = np.random.default_rng(0)
        loader = GivenOrder(TensorDataset(Tensor(rng.random((count, 16))), Tensor(np.arange(count))), 32)
        loader.order = rng.permutation(count)
        fast = FastLoader(loader)
        list(fast)
        peaks.append(epoch_peak(fast)[0])
    assert abs(peaks[1] - peaks[0]) < 16 * 1024, peaks


# ---------------------------------------------------------------- gathering ahead or not, chosen at run time


def feed(choice, cost_of, batches):
    """Run `choice` for `batches` batches of 100 samples that cost `cost_of(ahead)` seconds each;
    return the modes it chose, in order."""
    modes = []
    for _ in range(batches):
        ahead = choice.mode()
        modes.append(ahead)
        choice.record(ahead, cost_of(ahead), 100)
    return modes


def test_the_choice_switches_to_the_cheaper_way_and_probes_less_once_settled():
    from tinytorch.data.fast import AheadChoice

    choice = AheadChoice()
    modes = feed(choice, lambda ahead: 2e-4 if ahead else 1e-4, 200)  # ahead is slower here
    assert modes[0] is True and choice.ahead is False, "a cheaper way found by a probe is kept"
    switched = modes.index(False)
    assert switched <= AheadChoice.FIRST_PERIOD + 1
    assert sum(modes[switched + AheadChoice.PROBE:]) <= 3 * AheadChoice.PROBE, "probes of the dearer way only"
    assert choice.batches == {True: sum(modes), False: len(modes) - sum(modes)}

    steady = AheadChoice()
    modes = feed(steady, lambda ahead: 1e-4 if ahead else 3e-4, 600)
    assert steady.ahead is True and steady.period >= 8 * AheadChoice.FIRST_PERIOD, "losing probes back off"
    assert len(modes) - sum(modes) <= 6 * AheadChoice.PROBE


class Alternating:
    """A choice that changes its mind every `every` batches, whatever it measures."""

    def __init__(self, every):
        self.every, self.count, self.batches = every, 0, {True: 0, False: 0}

    def mode(self):
        return (self.count // self.every) % 2 == 0

    def record(self, ahead, seconds, samples):
        self.count += 1
        self.batches[ahead] += 1


@pytest.mark.parametrize("every", [1, 2, 3])
def test_changing_between_ahead_and_alone_mid_epoch_keeps_the_batches(helpers_for_every_batch, every):
    images, labels = cifar(700)
    dataset = TensorDataset(Tensor(images), Tensor(labels))
    fast = FastDataLoader(dataset, 64, shuffle=True, seed=7)
    fast.choice = Alternating(every)
    assert_same_batches(epochs(fast), epochs(DataLoader(dataset, 64, shuffle=True, seed=7)))
    if helpers_for_every_batch:
        assert fast.choice.batches[True] > 0 and fast.choice.batches[False] > 0


def test_batches_too_small_to_share_are_gathered_alone_without_timing(helper_threads):
    images, labels = cifar(300)
    dataset = TensorDataset(Tensor(images), Tensor(labels))
    small = FastDataLoader(dataset, 8, shuffle=True, seed=1)  # 96 KiB a batch: below AHEAD_BYTES
    assert_same_batches(epochs(small), epochs(DataLoader(dataset, 8, shuffle=True, seed=1)))
    assert small.choice.batches == {True: 0, False: 0}
    large = FastDataLoader(dataset, POOLED_BATCH, shuffle=True, seed=1)
    list(large)
    assert sum(large.choice.batches.values()) == (3 if helper_threads else 0)
