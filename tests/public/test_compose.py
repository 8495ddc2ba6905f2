"""Public checks of the notebook test cell ``test_compose`` (Part 4, Compose).

These are a few of the tests that grade this cell; more hidden tests run at
grading time, so passing these does not guarantee full points."""

import numpy as np
import pytest

from .support import expect

pytestmark = pytest.mark.transforms


@pytest.mark.points(1)
def test_compose_applies_in_order(Compose):
    """Compose([f, g])(x) is g(f(x)) for transforms that do not commute, in both orders."""
    add_one = lambda x: x + 1  # noqa: E731
    double = lambda x: x * 2  # noqa: E731
    got = Compose([add_one, double])(3)
    expect(got == 8, f"Compose([add_one, double])(3) should be double(add_one(3)) = 8, got {got!r}; "
                     "apply the transforms first to last in Compose.__call__")
    got = Compose([double, add_one])(3)
    expect(got == 7, f"Compose([double, add_one])(3) should be add_one(double(3)) = 7, got {got!r}; "
                     "apply the transforms first to last in Compose.__call__")
    reverse = lambda a: a[::-1]  # noqa: E731
    first_two = lambda a: a[:2]  # noqa: E731
    got = Compose([reverse, first_two])(np.array([1, 2, 3]))
    expect(isinstance(got, np.ndarray) and got.tolist() == [3, 2],
           f"Compose([reverse, first_two])(array([1, 2, 3])) should be array([3, 2]), got {got!r}; "
           "apply the transforms first to last in Compose.__call__")
