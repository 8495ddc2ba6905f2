"""Part 4, RandomHorizontalFlip (10 points): mirrors the width axis with probability p, keeps types.

The hidden cases of this cell; its public checks, shipped to students, are in
``public/test_random_horizontal_flip.py`` and count toward the same points.

Images (shapes and distinct values), probabilities and seeds are drawn from ``observe.draw``
(through Hypothesis, seeded from it, for the property check).

Statistics: every check that a correct flip could fail by chance says in its docstring how
likely that is (at most 1e-7 each).  The rate checks catch the named biases "p used as 1 - p"
and "0.5 whatever p is" with power 1 - 1e-12 or better; ``tests/test_power_transforms.py``
measures it on implementations that carry each bias."""

import math
import re

import numpy as np
import pytest
from hypothesis import strategies as st

from grading_suite.hidden.judging_transforms import SEED_MODES, SEED_SOURCES, seeded_label
from grading_suite.hidden.properties import check_property
from grading_suite.public.checks import (array_of, binomial_tolerance, expect, expect_raised, kind, message_of,
                                         raised, type_with_article, unstacked, whole_message)
from grading_suite.public.observe import describe_raised
from grading_suite.public.test_random_horizontal_flip import (AXIS_CALLS, CHW_NAMES, _array, _changed, _describe,
                                                            _image, _results, _same, _sent, _shape)

pytestmark = pytest.mark.transforms

TYPE_CALLS = 8  # calls per dtype and type, flipped or not
STAT_CALLS = 2000  # calls for the statistical checks of p
SEED_CALLS = 40  # calls compared between equally seeded flips: an unseeded pair agrees with chance 2**-40
FALSE_FAILURE = 1e-7  # chance that a correct implementation fails a statistical check
HWC_NAMES = ("height", "width", "channel")
HW_NAMES = ("height", "width")
PROPERTY_EXAMPLES = 6  # Hypothesis examples of the mirror property, 4 images each
PROPERTY_CALLS = 4  # calls per image of the mirror property
DTYPES = ("uint8", "int32", "int64", "float32", "float64")
WRAPS = ("ndarray", "Tensor")


def _decision_image(draw) -> np.ndarray:
    """A small drawn CHW image (2 or 3 entries on every axis) whose changes count the flips."""
    return _image(draw, (draw.randint(2, 3), draw.randint(2, 3), draw.randint(2, 3)))


def _seed(draw) -> int:
    """A drawn int seed for RandomHorizontalFlip(..., seed=...)."""
    return draw.randrange(1, 2**31)


def _reordered(description, image) -> bool:
    """Whether a described result holds the image's values in another order (a flip along any axis)."""
    array = _array(description)
    return (array is not None and array.shape == image.shape and not np.array_equal(array, image)
            and np.array_equal(np.sort(array, axis=None), np.sort(image, axis=None)))


def _flip_decisions(results, image, calls) -> list:
    """For each described result of a call on ``image``, whether it changed the image."""
    decisions = [_changed(result, image) for result in unstacked(results)]
    expect(len(decisions) == calls, f"the probe saw {len(decisions)} results instead of {calls}")
    return decisions


def _count_flips(observe, p):
    """How many of STAT_CALLS calls of RandomHorizontalFlip(p) changed a small drawn CHW
    image, how many are expected (p * STAT_CALLS), and the tolerance around that.

    The image has at least 2 entries on every axis and distinct values, so reversing any
    axis counts as a flip: these counts measure only how often it flips.
    """
    image = _decision_image(observe.draw)
    seen = observe("random_horizontal_flip.flip_calls", p=p, image=_sent(image), calls=STAT_CALLS)
    changed = sum(_flip_decisions(_results(seen), image, STAT_CALLS))
    return changed, p * STAT_CALLS, binomial_tolerance(STAT_CALLS, p, FALSE_FAILURE)


def _expect_flip_rate(observe, p, rule):
    """Fail unless RandomHorizontalFlip(p) flips about p * STAT_CALLS of STAT_CALLS calls (see
    ``_count_flips``); the message states ``rule`` (e.g. "u < p") and, for p other than 0.5,
    says when the count looks like 1 - p or one half instead."""
    changed, expected, tolerance = _count_flips(observe, p)
    hint = ""
    if p != 0.5 and abs(changed - (1 - p) * STAT_CALLS) < tolerance:
        hint = " (that is 1 - p: the comparison looks inverted)"
    elif p != 0.5 and abs(changed - 0.5 * STAT_CALLS) < tolerance:
        hint = " (that is one half: p looks ignored)"
    expect(abs(changed - expected) < tolerance,
           f"RandomHorizontalFlip(p={p}) should flip about {expected:.0f} of {STAT_CALLS} images "
           f"(within {tolerance:.0f}), but it flipped {changed}{hint}; flip when a uniform draw u in [0, 1) "
           f"satisfies {rule} in RandomHorizontalFlip.__call__")


# One example of the mirror property: a (C, H, W) image (default or explicit layout), an
# (H, W, C) one, an (H, W) one under a drawn layout and one of width 1 (nothing to mirror),
# each with its own dtype and input type.  Widths and channels of the first three are at
# least 2, so a mirror along another axis always shows.
_MIRROR_EXAMPLE = st.fixed_dictionaries({
    "chw": st.tuples(st.integers(2, 4), st.integers(1, 6), st.integers(2, 6)),
    "chw_explicit": st.booleans(),
    "hwc": st.tuples(st.integers(1, 6), st.integers(2, 6), st.integers(2, 4)),
    "hw": st.tuples(st.integers(1, 6), st.integers(2, 6)),
    "hw_layout": st.sampled_from(("CHW", "HWC")),
    "thin": st.sampled_from(("CHW", "HWC", "HW")),
    "thin_sizes": st.tuples(st.integers(1, 4), st.integers(1, 6)),
    "dtypes": st.tuples(*[st.sampled_from(DTYPES)] * 4),
    "wraps": st.tuples(*[st.sampled_from(WRAPS)] * 4),
    "values": st.integers(0, 2**32 - 1),
})


def _mirror_cases(example) -> list[dict]:
    """The four images of one example: ``{"image", "layout", "wrap", "names", "width_axis", "kind_name"}``."""
    channels, height = example["thin_sizes"]
    thin = {"CHW": ((channels, height, 1), "CHW", CHW_NAMES, 2, "(C, H, W)"),
            "HWC": ((height, 1, channels), "HWC", HWC_NAMES, 1, "(H, W, C)"),
            "HW": ((height, 1), "CHW", HW_NAMES, 1, "(H, W)")}[example["thin"]]
    forms = [(example["chw"], "CHW" if example["chw_explicit"] else None, CHW_NAMES, 2, "(C, H, W)"),
             (example["hwc"], "HWC", HWC_NAMES, 1, "(H, W, C)"),
             (example["hw"], example["hw_layout"], HW_NAMES, 1, "(H, W)"),
             thin]
    values = np.random.default_rng(example["values"])
    cases = []
    for (shape, layout, names, width_axis, kind_name), dtype, wrap in zip(forms, example["dtypes"], example["wraps"],
                                                                           strict=True):
        size = math.prod(shape)
        image = values.permutation(256)[:size].reshape(shape).astype(dtype)  # distinct, held by every dtype
        cases.append({"image": image, "layout": layout, "wrap": wrap, "names": names, "width_axis": width_axis,
                      "kind_name": kind_name})
    return cases


@pytest.mark.points(1)
def test_flip_mirrors_width_axis_of_drawn_images(observe):
    """Property: for drawn (C, H, W), (H, W, C) and (H, W) images of every size from 1 to 6 per
    axis, several dtypes, ndarray or Tensor, with the default or an explicit layout, every
    result of RandomHorizontalFlip(p=0.5) is the image or its mirror along the width axis
    (axis 2 of CHW, axis 1 of HWC and HW); a width-1 image always comes back unchanged.

    False failure: a correct flip fails only by never flipping any of the 72 calls on
    images of width at least 2, chance 2**-72."""
    examples = []
    check_property(observe, _MIRROR_EXAMPLE, examples.append, examples=PROPERTY_EXAMPLES)
    cases = [case for example in examples for case in _mirror_cases(example)]
    seen = observe("random_horizontal_flip.mirror_cases", calls=PROPERTY_CALLS,
                   cases=[{"image": _sent(case["image"]), "layout": case["layout"], "wrap": case["wrap"]}
                          for case in cases])
    expect(len(seen) == len(cases), f"the probe saw {len(seen)} images instead of {len(cases)}")
    flips = 0
    for case, results in zip(cases, seen):
        image, width_axis = case["image"], case["width_axis"]
        results = unstacked(results)
        expect(len(results) == PROPERTY_CALLS, f"the probe saw {len(results)} results instead of {PROPERTY_CALLS}")
        mirrored = np.flip(image, axis=width_axis)
        layout = "" if case["layout"] is None else f", layout={case['layout']!r}"
        call = f"RandomHorizontalFlip(p=0.5{layout})"
        given = f"{'an ndarray' if case['wrap'] == 'ndarray' else 'a Tensor'} of {image.dtype.name}"
        for result in results:
            if _same(result, mirrored):
                flips += not np.array_equal(mirrored, image)
            elif not _same(result, image):
                expect(False,
                       f"{call} on a {image.shape} {case['kind_name']} image ({given}) should return it unchanged "
                       f"or with its width axis (axis {width_axis}) reversed, got "
                       f"{_describe(result, image, case['names'])}; flip along the width axis that _image_axes "
                       "gives for self.layout in RandomHorizontalFlip.__call__")
    expect(flips > 0,
           f"RandomHorizontalFlip(p=0.5) never flipped any of {len(cases) * PROPERTY_CALLS} calls on drawn images; "
           "flip when a uniform draw u in [0, 1) satisfies u < self.p in RandomHorizontalFlip.__call__")


@pytest.mark.points(1)
def test_p_half_flips_about_half_the_time(observe):
    """With p=0.5 about half of 2000 calls flip.

    False failure: at most 1e-7 (Bernstein's inequality, ``checks.binomial_tolerance``: the
    count must lie within about 135 of 1000).  Named biases: "always flip" and "never flip"
    fail with certainty; "p used as 1 - p" and "0.5 whatever p is" cannot show at p=0.5
    (the p=0.2 check catches them)."""
    _expect_flip_rate(observe, 0.5, "u < p")


@pytest.mark.points(1)
def test_p_one_fifth_flips_a_fifth_of_the_time(observe):
    """With p=0.2 about a fifth of 2000 calls flip (not half, not four fifths).

    False failure: at most 1e-7 (Bernstein's inequality: the count must lie within about 110
    of 400).  Named biases: "p used as 1 - p" (about 1600 flips) and "0.5 whatever p is"
    (about 1000) lie about 1090 and 490 beyond the window's edge, more than 20 standard
    deviations: power 1 - 1e-12 or better (measured by tests/test_power_transforms.py)."""
    _expect_flip_rate(observe, 0.2, "u < self.p")


@pytest.mark.points(1)
def test_flip_keeps_type_and_dtype(observe):
    """A Tensor in gives a Tensor out, an ndarray gives an ndarray, and the dtype is kept, flipped or not.

    False failure: only if none of the 64 calls flips, chance 2**-64."""
    dtypes = ["uint8", "float32", "float64", "int64"]
    images = {dtype: _image(observe.draw, _shape(observe.draw, "CHW"), dtype) for dtype in dtypes}
    seen = observe("random_horizontal_flip.kept_types", images=[_sent(images[dtype]) for dtype in dtypes],
                   calls=TYPE_CALLS)
    expected_groups = [(dtype, wrap) for dtype in dtypes for wrap in ("ndarray", "Tensor")]
    expect([(group["dtype"], group["wrap"]) for group in seen] == expected_groups,
           "the probe did not see every dtype and input type")
    # Types and dtypes count only for a flip that changes something (whichever axis it
    # reverses): a correct one leaves all 64 calls unchanged with chance 2**-64.
    expect(any(_reordered(result, images[group["dtype"]]) for group in seen
               for result in unstacked(group["results"])),
           f"RandomHorizontalFlip(p=0.5) returned the image unchanged in all {len(seen) * TYPE_CALLS} calls, so "
           "its types and dtypes cannot be judged; flip when a uniform draw is below p in "
           "RandomHorizontalFlip.__call__")
    for group in seen:
        dtype, wrap = group["dtype"], group["wrap"]
        kind_name = "an ndarray" if wrap == "ndarray" else "a Tensor"
        results = unstacked(group["results"])
        expect(len(results) == TYPE_CALLS, f"the probe saw {len(results)} results instead of {TYPE_CALLS}")
        for result in results:
            if not (type(result) is dict and result.get("type") == wrap and kind(result) == wrap):
                expect(False,
                       f"RandomHorizontalFlip(p=0.5) given {kind_name} of {dtype} should return {kind_name}, "
                       f"got {type_with_article(result)}; wrap the result with _like_input in "
                       "RandomHorizontalFlip.__call__")
            array = array_of(result)
            got = result.get("dtype") if array is None else array.dtype
            if array is None or array.dtype != np.dtype(dtype):
                expect(False,
                       f"RandomHorizontalFlip(p=0.5) given {kind_name} of {dtype} should keep the dtype "
                       f"{dtype}, got {got}; do not convert the array in RandomHorizontalFlip.__call__")


@pytest.mark.points(1)
def test_flip_does_not_modify_input(observe):
    """Flipping leaves the input array or Tensor unchanged (the result may share its memory).

    False failure: only if none of the 40 calls flips, chance 2**-40."""
    image = _image(observe.draw, _shape(observe.draw, "CHW"))
    seen = observe("random_horizontal_flip.inputs_after_calls", image=_sent(image), calls=AXIS_CALLS)
    expect(len(seen) == AXIS_CALLS, f"the probe saw {len(seen)} calls instead of {AXIS_CALLS}")
    expect(any(_reordered(inputs.get("result"), image) for inputs in seen),
           f"RandomHorizontalFlip(p=0.5) returned a {image.shape} image unchanged in all {AXIS_CALLS} calls (a "
           "correct flip does so with chance 2**-40), so leaving the input alone proves nothing; return a flipped "
           "copy in RandomHorizontalFlip.__call__")
    for inputs in seen:
        if not np.array_equal(inputs["ndarray"], image):
            expect(False,
                   "RandomHorizontalFlip(p=0.5) should leave the ndarray it was given unchanged, but the input "
                   "was modified in place; return a flipped copy (np.flip, then np.ascontiguousarray) in "
                   "RandomHorizontalFlip.__call__")
        tensor_data = array_of(inputs["tensor"])
        if tensor_data is None or not np.array_equal(tensor_data, image):
            expect(False,
                   "RandomHorizontalFlip(p=0.5) should leave the Tensor it was given unchanged, but its data was "
                   "modified in place; return a flipped copy in RandomHorizontalFlip.__call__")


@pytest.mark.points(1)
def test_same_seed_gives_same_flips(observe):
    """Two flips built with the same seed (an int, or equal Generators) flip on the same calls,
    and so do two flips without a seed built after the same ``np.random.seed``.

    False failure: only if a correct flip's 40 calls all flip or none does, for one of the
    three seeds: chance 3 * 2**-39."""
    for mode in SEED_MODES:
        seed = _seed(observe.draw)
        label = seeded_label("RandomHorizontalFlip(p=0.5", seed, mode)
        image = _image(observe.draw, _shape(observe.draw, "CHW"))
        seen = observe("random_horizontal_flip.seeded_pair", image=_sent(image), calls=SEED_CALLS, seed=seed,
                       mode=mode)
        first = _flip_decisions(seen["first"], image, SEED_CALLS)
        second = _flip_decisions(seen["second"], image, SEED_CALLS)
        expect(0 < sum(first) < SEED_CALLS,
               f"{label} should flip some of {SEED_CALLS} calls and not others, but it flipped {sum(first)}; "
               "flip when self._generator.random() < self.p in RandomHorizontalFlip.__call__")
        expect(first == second,
               f"two {label} should flip on the same calls, but of {SEED_CALLS} calls they differ on "
               f"{sum(a != b for a, b in zip(first, second))}; draw from self._generator ({SEED_SOURCES[mode]}) in "
               "RandomHorizontalFlip.__call__")


@pytest.mark.points(1)
def test_each_call_draws_one_number(observe, draw):
    """Every call takes exactly one number from the random source, for p=0, p=1 and a p between:
    a Generator passed as the seed is, after n calls, where n ``random()`` draws leave it.

    Exact: no false failures."""
    image = _image(draw, _shape(draw, "CHW"))
    seed, calls = _seed(draw), draw.randint(20, 40)
    probabilities = [0.0, 1.0, round(draw.uniform(0.05, 0.95), 2)]
    after = observe("random_horizontal_flip.draws_after_calls", image=_sent(image), calls=calls, seed=seed,
                    probabilities=probabilities)
    expect(type(after) is list and len(after) == len(probabilities),
           "the probe did not see the generator after the calls for every p")
    stream = np.random.default_rng(seed).random(3 * calls + 2)
    for p, number in zip(probabilities, after):
        if number == stream[calls]:
            continue
        taken = [count for count, value in enumerate(stream) if value == number]
        got = (f"it took {taken[0]}" if taken else
               "it used the generator in another way than one random() per call")
        expect(False,
               f"RandomHorizontalFlip(p={p}, seed=np.random.default_rng({seed})) called {calls} times should take "
               f"exactly {calls} numbers from that generator (one per call, whatever p is), but {got}; call "
               "self._generator.random() once in every call of RandomHorizontalFlip.__call__, even when p is 0 or 1")


def _two_decimals(draw, low: float, high: float) -> float:
    """A drawn number in [low, high] with two decimals, the last not 0 (so "0.37" shows as such)."""
    while True:
        value = round(draw.uniform(low, high), 2)
        if round(value * 100) % 10:
            return value


def _shows(message: str, text: str) -> bool:
    """Whether ``message`` shows ``text`` (a number, bool, nan or string) as a whole token."""
    zeros = "0*" if re.fullmatch(r"-?\d+\.\d+", text) else ""  # 0.37 may show as 0.370
    return re.search(rf"(?<![\w.]){re.escape(text)}{zeros}(?!\w)", message, flags=re.IGNORECASE) is not None


@pytest.mark.points(1)
def test_p_must_be_a_number_in_unit_interval(observe, draw):
    """RandomHorizontalFlip(p) raises ValueError naming the p it was given for p just below 0,
    just above 1, an int above 1, True, False, NaN and a numeric string; it accepts the ints 0
    and 1 (p=1 then flips every call, p=0 none) and NumPy numbers in [0, 1]."""
    below, above, large = -_two_decimals(draw, 0.01, 0.6), 1 + _two_decimals(draw, 0.01, 0.6), draw.randint(2, 100)
    text = str(_two_decimals(draw, 0.11, 0.89))
    refused = [({"kind": "float", "value": below}, repr(below), str(below), "it is below 0"),
               ({"kind": "float", "value": above}, repr(above), str(above), "it is above 1"),
               ({"kind": "int", "value": large}, repr(large), str(large), "it is above 1"),
               ({"kind": "bool", "value": True}, "True", "True", "a bool is not a probability"),
               ({"kind": "bool", "value": False}, "False", "False", "a bool is not a probability"),
               ({"kind": "nan"}, "float('nan')", "nan", "NaN is no number in [0, 1]"),
               ({"kind": "str", "value": text}, repr(text), text, "a string is not a number")]
    start = draw.randrange(len(refused))
    refused = refused[start:] + refused[:start]
    outcomes = observe("random_horizontal_flip.constructions", specs=[spec for spec, _, _, _ in refused])
    expect(type(outcomes) is list and len(outcomes) == len(refused), "the probe did not try every p")
    for (spec, shown, token, why), outcome in zip(refused, outcomes):
        info = expect_raised(outcome, "ValueError",
                             f"RandomHorizontalFlip(p={shown}) should raise ValueError ({why}); check p in "
                             "RandomHorizontalFlip.__init__")
        expect(_shows(whole_message(info), token),
               f"the ValueError of RandomHorizontalFlip(p={shown}) should show the p it was given ({token}), but "
               f"its message is {message_of(info)}; put the value of p in the message in "
               "RandomHorizontalFlip.__init__")
    # Numbers that are fine: the ints 0 and 1, and NumPy numbers.
    inside = _two_decimals(draw, 0.11, 0.89)
    accepted = [({"kind": "int", "value": 0}, "0", "never"), ({"kind": "int", "value": 1}, "1", "always"),
                ({"kind": "numpy", "value": 1, "dtype": "int64"}, "np.int64(1)", "always"),
                ({"kind": "numpy", "value": inside, "dtype": "float32"}, f"np.float32({inside})", None)]
    image = _image(draw, _shape(draw, "CHW"))
    seen = observe("random_horizontal_flip.accepted_p_calls", specs=[spec for spec, _, _ in accepted],
                   image=_sent(image), calls=TYPE_CALLS)
    expect(type(seen) is list and len(seen) == len(accepted), "the probe did not try every p")
    for (spec, shown, flips), outcome in zip(accepted, seen):
        info = raised(outcome)
        if info is not None:
            expect(False,
                   f"RandomHorizontalFlip(p={shown}) should be accepted (ints and NumPy numbers in [0, 1] are "
                   f"numbers), but {describe_raised(info).removeprefix('your code ')}; accept ints and floats, "
                   "NumPy's included, in RandomHorizontalFlip.__init__")
        if flips is None:
            continue
        for call, result in enumerate(unstacked(outcome["results"])):
            array = _array(result)
            flipped = array is not None and array.shape == image.shape and not np.array_equal(array, image)
            expect(flipped == (flips == "always"),
                   f"RandomHorizontalFlip(p={shown}) should {'flip' if flips == 'always' else 'never change'} a "
                   f"{image.shape} image on every call, but call {call + 1} of {TYPE_CALLS} returned "
                   f"{_describe(result, image, CHW_NAMES)}; store p as a float in RandomHorizontalFlip.__init__ and "
                   "flip when u < self.p in RandomHorizontalFlip.__call__")
