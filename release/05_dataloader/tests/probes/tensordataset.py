"""Probes of the notebook test cell ``test_tensordataset`` (Part 2, TensorDataset).

The judgements name the constructor's arguments with small specs (plain data),
which ``build`` turns into Tensors and NumPy arrays:

    ["images", n]             Tensor of n distinct float32 2x2 images (image i holds 4i .. 4i + 3)
    ["images_array", n]       the same images as a NumPy array (not wrapped)
    ["labels", n]             Tensor of n distinct int64 labels 100, 101, ...
    ["linspace", n]           Tensor of np.linspace(0, 1, 3n) shaped (n, 3), float64
    ["pixels_array", n]       NumPy uint8 array np.arange(3n) shaped (n, 3) (not wrapped)
    ["zeros", shape, dtype]   Tensor of np.zeros(shape, dtype)
    ["zeros_array", shape, dtype]  NumPy np.zeros(shape, dtype) (not wrapped)
    ["scalar", value, dtype]  0-dimensional Tensor of np.dtype(dtype).type(value)

Indices are ints, or ``[dtype, value]`` for a NumPy integer (``["int64", 2]``).
"""

import numpy as np

from tinytorch.core.tensor import Tensor

from . import probe
from .support import attempt, describe


def images(size, dtype=np.float32):
    """``size`` distinct 2x2 images: image i holds 4i .. 4i + 3."""
    return np.arange(size * 4, dtype=dtype).reshape(size, 2, 2)


def labels(size):
    """``size`` distinct int64 labels 100, 101, ..."""
    return np.arange(100, 100 + size, dtype=np.int64)


def make_input(spec):
    """One argument of TensorDataset from its spec (see the module docstring)."""
    name, *rest = spec
    if name == "images":
        return Tensor(images(rest[0]))
    if name == "images_array":
        return images(rest[0])
    if name == "labels":
        return Tensor(labels(rest[0]))
    if name == "linspace":
        return Tensor(np.linspace(0.0, 1.0, rest[0] * 3).reshape(rest[0], 3))
    if name == "pixels_array":
        return np.arange(rest[0] * 3, dtype=np.uint8).reshape(rest[0], 3)
    if name == "zeros":
        return Tensor(np.zeros(tuple(rest[0]), dtype=rest[1]))
    if name == "zeros_array":
        return np.zeros(tuple(rest[0]), dtype=rest[1])
    if name == "scalar":
        return Tensor(np.dtype(rest[1]).type(rest[0]))
    raise ValueError(f"unknown input spec {spec!r}")


def build(inputs):
    """The arguments of TensorDataset named by ``inputs`` (a list of specs)."""
    return tuple(make_input(spec) for spec in inputs)


def make_index(index):
    """An int, or a NumPy integer from ``[dtype, value]``."""
    if isinstance(index, list):
        return np.dtype(index[0]).type(index[1])
    return index


@probe
def length(student, inputs: list):
    """len(TensorDataset(*inputs))."""
    return len(student.require("TensorDataset")(*build(inputs)))


@probe
def samples(student, inputs: list, indices: list):
    """Descriptions of ds[i] for each of ``indices``, ds = TensorDataset(*inputs)."""
    dataset = student.require("TensorDataset")(*build(inputs))
    return [describe(dataset[make_index(index)]) for index in indices]


@probe
def index_attempts(student, inputs: list, indices: list):
    """For each of ``indices``: what ds[i] returned (described) or raised."""
    dataset = student.require("TensorDataset")(*build(inputs))
    return [attempt(lambda index=make_index(index): dataset[index]) for index in indices]


@probe
def construct(student, inputs: list):
    """What TensorDataset(*inputs) returned (described) or raised."""
    TensorDataset = student.require("TensorDataset")
    arguments = build(inputs)
    return attempt(lambda: TensorDataset(*arguments))
