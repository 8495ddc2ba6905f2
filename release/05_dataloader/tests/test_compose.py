"""Public checks of the notebook test cell ``test_compose`` (Part 4, Compose).

These are a few of the tests that grade this cell; more hidden tests run at
grading time, so passing these does not guarantee full points.

The samples are drawn from ``observe.draw``: your own run always draws the
same ones, the grader draws others."""

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
    x = observe.draw.randint(2, 999)
    got = value_of(observe("compose.applied", transforms=["add_one", "double"], sample=x))
    expected = (x + 1) * 2
    expect(got == expected, f"Compose([add_one, double])({x}) should be double(add_one({x})) = {expected}, "
                            f"got {got!r}; apply the transforms first to last in Compose.__call__")
    x = observe.draw.randint(2, 999)
    got = value_of(observe("compose.applied", transforms=["double", "add_one"], sample=x))
    expected = x * 2 + 1
    expect(got == expected, f"Compose([double, add_one])({x}) should be add_one(double({x})) = {expected}, "
                            f"got {got!r}; apply the transforms first to last in Compose.__call__")
    values = observe.draw.sample(range(100), observe.draw.randint(3, 8))  # distinct, so every order shows
    got = value_of(observe("compose.applied", transforms=["reverse", "first_two"], sample=values,
                           sample_kind="array"))
    expected = np.array(values)[::-1][:2]
    expect(isinstance(got, np.ndarray) and got.tolist() == expected.tolist(),
           f"Compose([reverse, first_two])(array({values})) should be array({expected.tolist()}), got {got!r}; "
           "apply the transforms first to last in Compose.__call__")
