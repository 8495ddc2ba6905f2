"""The power of the transforms' randomness checks, measured: the real hidden judgements, run
under many draw keys on implementations that carry each named bias, must fail on (nearly)
every key, and pass on every key for the reference.

The biased implementations subclass the reference classes and change one thing in
``__call__``; they run in this process through the local backend (``observe.py``: the real
probes, the real wire encoding), which is the cheapest path that still runs every check.
Each bias is judged by the statistical tests of its cell together (a bias "is caught" under
a key when one of them fails), and the figures are printed (``pytest -s`` shows them).

Stated bounds (the docstrings of the judgements say why): the flip rate checks and the crop
offset check catch every named bias with power at least 0.99 (measured here over KEYS keys:
all must fail but one at most), and fail a correct implementation with chance at most 1e-7
each (here: never, over REFERENCE_KEYS keys)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import tinytorch.core.dataloader as reference
from grader.grading.student_code import Submission, set_current
from grading_suite.hidden import test_random_crop as crop_judgements
from grading_suite.hidden import test_random_horizontal_flip as flip_judgements
from grading_suite.public import observe as observe_module

KEYS = 40  # draw keys per biased implementation
REFERENCE_KEYS = 40  # draw keys for the reference
POWER_BOUND = 0.99  # stated power against every named bias (at most one miss in KEYS keys is allowed)
ALLOWED_MISSES = int(KEYS * (1 - POWER_BOUND))

FLIP_TESTS = (("test_random_horizontal_flip.py", flip_judgements.test_p_half_flips_about_half_the_time),
              ("test_random_horizontal_flip.py", flip_judgements.test_p_one_fifth_flips_a_fifth_of_the_time))
CROP_TESTS = (("test_random_crop.py", crop_judgements.test_every_offset_is_reachable_and_uniform),)


def _flip(decide):
    """A RandomHorizontalFlip whose decision is ``decide(u, p)`` for the draw u."""

    class BiasedFlip(reference.RandomHorizontalFlip):
        def __call__(self, sample):
            array, was_tensor = reference._as_array(sample)
            _, width_axis = reference._image_axes(array.ndim, self.layout)
            if decide(self._generator.random(), self.p):
                array = np.ascontiguousarray(np.flip(array, axis=width_axis))
            return reference._like_input(array, was_tensor)

    return BiasedFlip


def _crop(offsets):
    """A RandomCrop whose (top, left) is ``offsets(crop, tops, lefts)`` for the numbers of
    valid tops and lefts (its padding and window as in the reference)."""

    class BiasedCrop(reference.RandomCrop):
        def __call__(self, sample):
            array, was_tensor = reference._as_array(sample)
            height_axis, width_axis = reference._image_axes(array.ndim, self.layout)
            crop_height, crop_width = self.size
            widths = [(0, 0)] * array.ndim
            widths[height_axis] = widths[width_axis] = (self.padding, self.padding)
            padded = np.pad(array, widths)
            tops = padded.shape[height_axis] - crop_height + 1
            lefts = padded.shape[width_axis] - crop_width + 1
            top, left = offsets(self, tops, lefts, padded.shape[height_axis], padded.shape[width_axis])
            window = [slice(None)] * array.ndim
            window[height_axis] = slice(top, top + crop_height)
            window[width_axis] = slice(left, left + crop_width)
            return reference._like_input(np.ascontiguousarray(padded[tuple(window)]), was_tensor)

    return BiasedCrop


def _draw(crop, count):
    return reference._random_integer(crop._generator, count)


def _cached(crop, tops, lefts, *_):
    if not hasattr(crop, "_first"):
        crop._first = (_draw(crop, tops), _draw(crop, lefts))
    return crop._first


def _rounded(crop, tops, lefts, *_):
    return (int(round(crop._generator.random() * (tops - 1))), int(round(crop._generator.random() * (lefts - 1))))


def _left_from_height(crop, tops, lefts, padded_height, padded_width):
    return _draw(crop, tops), _draw(crop, padded_height - crop.size[1] + 1)


def _diagonal(crop, tops, lefts, *_):
    offset = _draw(crop, min(tops, lefts))
    return offset, offset


BIASES = {
    "flip: p used as 1 - p": ("RandomHorizontalFlip", _flip(lambda u, p: u >= p), FLIP_TESTS),
    "flip: 0.5 whatever p is": ("RandomHorizontalFlip", _flip(lambda u, p: u < 0.5), FLIP_TESTS),
    "crop: last offset never drawn": ("RandomCrop", _crop(lambda c, t, l, *_: (_draw(c, t - 1), _draw(c, l - 1))),
                                      CROP_TESTS),
    "crop: one offset always drawn": ("RandomCrop", _crop(_cached), CROP_TESTS),
    "crop: end offsets half as often (rounded u * range)": ("RandomCrop", _crop(_rounded), CROP_TESTS),
    "crop: left bounded by the padded height": ("RandomCrop", _crop(_left_from_height), CROP_TESTS),
    "crop: top and left equal": ("RandomCrop", _crop(_diagonal), CROP_TESTS),
}


def _failures(namespace: dict, tests, keys: int, label: str) -> list[int]:
    """For each test, on how many of ``keys`` draw keys it failed on the code in ``namespace``;
    and, last, on how many keys at least one of them failed."""
    failed = [0] * (len(tests) + 1)
    set_current(Submission(namespace, label=label))
    saved = observe_module.DRAW_KEY
    try:
        for key in range(keys):
            observe_module.DRAW_KEY = f"power key {key}".encode()
            any_failed = False
            for position, (file_name, test) in enumerate(tests):
                observer = observe_module.Observer(f"{file_name}::{test.__name__}", "transforms")
                fixtures = {"observe": observer, "draw": observer.draw}  # what pytest would pass it
                try:
                    test(*(fixtures[name] for name in inspect.signature(test).parameters))
                except AssertionError:
                    failed[position] += 1
                    any_failed = True
            failed[-1] += any_failed
    finally:
        observe_module.DRAW_KEY = saved
        set_current(None)
    return failed


def _report(label: str, tests, failed: list[int], keys: int) -> None:
    per_test = ", ".join(f"{test.__name__} {count}/{keys}" for (_, test), count in zip(tests, failed))
    print(f"\n{label}: caught under {failed[-1]}/{keys} keys (power {failed[-1] / keys:.3f}; {per_test})")


@pytest.mark.parametrize("tests", [FLIP_TESTS, CROP_TESTS], ids=["flip", "crop"])
def test_the_reference_passes_every_key(tests):
    failed = _failures(dict(vars(reference)), tests, REFERENCE_KEYS, "the reference")
    _report("reference", tests, failed, REFERENCE_KEYS)
    assert failed[-1] == 0, f"the reference failed a statistical check under {failed[-1]} of {REFERENCE_KEYS} keys"


@pytest.mark.parametrize("bias", list(BIASES))
def test_each_named_bias_is_caught(bias):
    name, implementation, tests = BIASES[bias]
    failed = _failures({**vars(reference), name: implementation}, tests, KEYS, bias)
    _report(bias, tests, failed, KEYS)
    assert failed[-1] >= KEYS - ALLOWED_MISSES, (
        f"{bias}: caught under {failed[-1]} of {KEYS} keys, below the stated power {POWER_BOUND}")
