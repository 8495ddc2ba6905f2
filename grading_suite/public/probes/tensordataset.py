"""Probes of the notebook test cell ``test_tensordataset`` (Part 2, TensorDataset).

The judgements give the constructor's arguments as plain data, one spec per
argument, which ``build`` turns into Tensors and NumPy arrays:

    {"values": nested list, "dtype": name}                 Tensor of np.array(values, dtype)
    {"values": nested list, "dtype": name, "numpy": true}  that NumPy array itself (not wrapped)

An optional ``"shape"`` reshapes the values (a flat list) first, so an array of
0 samples keeps its sample shape.  A single number as ``values`` gives a 0-dimensional array.  Indices are ints,
or ``[dtype, value]`` for a NumPy integer (``["int64", 2]``).
"""

import numpy as np

from tinytorch.core.tensor import Tensor

from . import probe
from .support import attempt, describe


def spec_array(spec) -> np.ndarray:
    """The NumPy array of a spec (see the module docstring), reshaped when it gives a shape."""
    array = np.array(spec["values"], dtype=spec["dtype"])
    return array.reshape(spec["shape"]) if "shape" in spec else array


def make_input(spec):
    """One argument of TensorDataset from its spec (see the module docstring)."""
    array = spec_array(spec)
    return array if spec.get("numpy") else Tensor(array)


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
