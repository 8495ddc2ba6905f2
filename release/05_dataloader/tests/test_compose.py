"""Public checks of the notebook test cell ``test_compose`` (Part 4, Compose).

These are a few of the tests that grade this cell; more hidden tests run at
grading time, so passing these does not guarantee full points."""

import numpy as np
import pytest

from .checks import expect, kind

pytestmark = pytest.mark.transforms


class Opaque:
    """Stands for a described value that cannot be rebuilt (a Tensor, another object): equal to nothing."""

    def __init__(self, name):
        self.name = name

    def __eq__(self, other):
        return False

    __hash__ = None

    def __repr__(self):
        return f"<a {self.name}>"


def value_of(observed):
    """The value a probe observed, rebuilt from its description (scalars come plain)."""
    if type(observed) is not dict:
        return observed
    family = kind(observed)
    if family == "scalar":
        return observed.get("value")
    if family == "tuple":
        return tuple(value_of(item) for item in observed.get("items") or [])
    if family == "list":
        return [value_of(item) for item in observed.get("items") or []]
    if family == "ndarray" and isinstance(observed.get("data"), np.ndarray):
        return observed["data"]
    return Opaque(str(observed.get("type", "object"))[:60])


@pytest.mark.points(1)
def test_compose_applies_in_order(observe):
    """Compose([f, g])(x) is g(f(x)) for transforms that do not commute, in both orders."""
    got = value_of(observe("compose.applied", transforms=["add_one", "double"], sample=3))
    expect(got == 8, f"Compose([add_one, double])(3) should be double(add_one(3)) = 8, got {got!r}; "
                     "apply the transforms first to last in Compose.__call__")
    got = value_of(observe("compose.applied", transforms=["double", "add_one"], sample=3))
    expect(got == 7, f"Compose([double, add_one])(3) should be add_one(double(3)) = 7, got {got!r}; "
                     "apply the transforms first to last in Compose.__call__")
    got = value_of(observe("compose.applied", transforms=["reverse", "first_two"], sample=[1, 2, 3],
                           sample_kind="array"))
    expect(isinstance(got, np.ndarray) and got.tolist() == [3, 2],
           f"Compose([reverse, first_two])(array([1, 2, 3])) should be array([3, 2]), got {got!r}; "
           "apply the transforms first to last in Compose.__call__")
