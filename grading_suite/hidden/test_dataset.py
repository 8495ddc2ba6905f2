"""Part 1, Dataset (10 points): abstract, and iteration yields each sample once, in order, lazily,
in passes of their own that fetch afresh and let errors through.

The hidden cases of this cell; its public checks, shipped to students, are in
``public/test_dataset.py`` and count toward the same points."""

import pytest

from grading_suite.public.checks import distinct_ids, expect, expect_raised, is_error, raised, returned
from grading_suite.public.observe import describe_raised, quote

pytestmark = pytest.mark.dataset


def _shown(samples: list, limit: int = 12) -> str:
    """A list of samples for a message, cut after ``limit``."""
    return f"{samples[:limit]}{'...' if len(samples) > limit else ''}"


def _ending(walked: dict) -> str:
    """How a walked pass ended, for a message."""
    if walked.get("end") == "raised":
        return f"then {describe_raised(walked['raised'])}"
    if walked.get("end") == "limit":
        return "and it was still going"
    return "then it stopped"


def _expect_pass(walked: dict, expected: list, situation: str, advice: str) -> None:
    """Fail unless the walked pass yielded ``expected`` and then stopped, with the message
    "``situation``, got <samples> <how it ended>; ``advice``"."""
    expect(walked["samples"] == expected and walked["end"] == "stopped",
           f"{situation}, got {_shown(walked['samples'])} {_ending(walked)}; {advice}")


def _expect_returned(outcome: dict, what: str) -> object:
    """The plain result of a probe's ``_outcome``; fail with ``what`` when it raised."""
    info = raised(outcome)
    expect(info is None, f"{what}, but {describe_raised(info) if info else 'nothing came'}; check Dataset.__iter__")
    return returned(outcome)


@pytest.mark.points(1)
def test_dataset_is_abstract(observe):
    """Dataset() and a subclass missing __getitem__ or __len__ raise TypeError."""
    values = distinct_ids(observe.draw, observe.draw.randint(2, 6), low=10, high=1000)
    seen = observe("dataset.abstract_instances", values=values)
    expect_raised(seen["base"], "TypeError", "Dataset() should raise TypeError because Dataset is abstract")
    expect_raised(seen["only_length"], "TypeError",
                  "a Dataset subclass without __getitem__ should not be instantiable (TypeError); keep "
                  "@abstractmethod on Dataset.__getitem__")
    expect_raised(seen["only_getitem"], "TypeError",
                  "a Dataset subclass without __len__ should not be instantiable (TypeError); keep "
                  "@abstractmethod on Dataset.__len__")
    first = returned(seen["complete_first"])
    expect(first == values[0], f"a complete subclass should be usable: its first sample should be {values[0]}, got "
                               f"{first if 'returned' in seen['complete_first'] else 'an exception'}")


@pytest.mark.points(2)
def test_iteration_stops_at_len(observe, draw):
    """Iteration stops after len(dataset) samples even if __getitem__ accepts more indices, fetches
    exactly the indices 0 .. len - 1 (plain ints, once each) and stays stopped."""
    size = draw.randint(2, 9)
    values = distinct_ids(draw, size, low=10, high=1000)  # __getitem__ wraps: self[size] is values[0] again
    got = observe("dataset.samples_iterated", values=values, size=size, limit=2 * size + draw.randint(1, 5))
    expect(got == values,
           f"a dataset of length {size} should yield its {size} samples {values}, got {len(got)}: "
           f"{_shown(got)}; loop over range(len(self)) in Dataset.__iter__")
    values = distinct_ids(draw, draw.randint(1, 9), low=10, high=1000)
    size = len(values)
    seen = observe("dataset.strict_pass", values=values)
    _expect_pass(seen, values, f"a dataset of length {size} whose __getitem__ raises IndexError past the end "
                               f"should yield {values} and stop",
                 "fetch only indices 0 .. len(self) - 1 in Dataset.__iter__")
    expected = list(range(size))
    expect(seen["fetched"] == expected,
           f"a full pass over a dataset of length {size} should call __getitem__ with {expected}, once each, "
           f"got {_shown(seen['fetched'], 20)}; fetch each index once, only when the loop asks for it, "
           "in Dataset.__iter__")
    odd = sorted({name for name in seen["index_types"] if name != "int"})
    expect(not odd, f"Dataset.__iter__ should pass each index to __getitem__ as a plain Python int, got indices "
                    f"of type {', '.join(quote(name) for name in odd)}; loop over range(len(self))")
    for step, outcome in enumerate(seen["after_stop"], start=1):
        info = raised(outcome)
        expect(is_error(info, "StopIteration"),
               f"after a pass over {size} samples has stopped, next() on the same iterator should raise "
               f"StopIteration again, but call {step} after the end "
               f"{'gave the sample ' + str(returned(outcome)) if info is None else 'raised ' + str(info.get('type'))}; "
               "once a pass has stopped it should stay stopped (Dataset.__iter__)")


@pytest.mark.points(1)
def test_iteration_is_lazy(observe):
    """Iteration fetches one sample per step (a generator), not the whole dataset up front."""
    size = observe.draw.randint(500, 1500)
    values = distinct_ids(observe.draw, 5, low=10, high=1000)
    seen = observe("dataset.lazy_steps", values=values, size=size)
    expect(seen["first"] == values[0], f"the first sample should be {values[0]}, got {seen['first']!r}")
    expect(seen["after_first"] == [0] and seen["count_after_first"] == 1,
           f"taking the first sample of a dataset of length {size} should fetch only index 0, but __getitem__ "
           f"was called {seen['count_after_first']} times; make Dataset.__iter__ a generator")
    expect(seen["after_second"] == [0, 1], "the second step should fetch index 1 only")


@pytest.mark.points(1)
def test_passes_are_independent(observe):
    """Two loops one after the other, nested loops, and two live iterators over one dataset each
    see every sample in order."""
    values = distinct_ids(observe.draw, observe.draw.randint(2, 5), low=10, high=1000)
    size = len(values)
    seen = observe("dataset.independent_passes", values=values)
    advice = "every iter(ds) should start a new pass with its own position in Dataset.__iter__"
    passes = _expect_returned(seen["sequential"], f"two loops over a dataset of {values} should each yield it")
    for number, walked in enumerate(passes, start=1):
        _expect_pass(walked, values, f"loop {number} of two over a dataset of samples {values}, one after the "
                                     "other, should yield them all", advice)
    rows = _expect_returned(seen["nested"], f"nested loops over a dataset of {values} should run")
    outer = [row[0] for row in rows]
    expect(outer == values,
           f"the outer one of two nested loops over a dataset of samples {values} should yield them all, got "
           f"{_shown(outer)}; {advice}")
    for first, walked in rows:
        _expect_pass(walked, values, f"in nested loops over a dataset of samples {values}, the inner loop at "
                                     f"outer sample {first} should yield them all", advice)
    one, two = _expect_returned(seen["interleaved"],
                                f"two iterators over a dataset of {values}, advanced in turn, should each yield "
                                f"its {size} samples")
    expect(one == values and two == values,
           f"two iterators over a dataset of samples {values}, advanced in turn, should each yield them in "
           f"order, got {one} and {two}; {advice}")


@pytest.mark.points(1)
def test_each_pass_fetches_afresh(observe, draw):
    """Every pass calls __getitem__ again for each index: nothing is kept from an earlier pass."""
    size, passes = draw.randint(2, 6), draw.randint(2, 3)
    values = distinct_ids(draw, size * passes, low=10, high=10**6)
    seen = observe("dataset.fresh_passes", values=values, size=size, passes=passes)
    expect(len(seen) == passes, f"the probe saw {len(seen)} passes instead of {passes}")
    advice = "fetch every sample afresh with self[index] in each pass of Dataset.__iter__, keep no samples from " \
             "an earlier pass"
    for number, walked in enumerate(seen):
        expected = values[number * size:(number + 1) * size]
        _expect_pass(walked, expected, f"pass {number + 1} over a dataset of length {size} whose __getitem__ "
                                       f"returns a new value on every call should yield the values of {size} new "
                                       f"calls, {expected}", advice)


@pytest.mark.points(1)
def test_getitem_errors_reach_the_caller(observe, draw):
    """An error raised by __getitem__ (IndexError, KeyError, ValueError, OSError, a custom one)
    reaches the loop, after the samples before it: nothing is caught, skipped or cut short."""
    names = draw.sample(["KeyError", "ValueError", "OSError", "custom"], 2)
    cases = []
    for name in ["IndexError", *names]:
        values = distinct_ids(draw, draw.randint(2, 7), low=10, high=1000)
        message = f"sample {draw.randrange(10**5, 10**6)} is damaged"
        cases.append({"values": values, "bad": draw.randrange(len(values)), "error": name, "message": message})
    seen = observe("dataset.failing_passes", cases=cases)
    expect(len(seen) == len(cases), f"the probe saw {len(seen)} passes instead of {len(cases)}")
    for case, walked in zip(cases, seen):
        values, bad, name = case["values"], case["bad"], case["error"]
        error = "a custom Exception subclass" if name == "custom" else name
        before = values[:bad]
        situation = (f"a pass over a dataset of samples {values} whose __getitem__ raises {error} "
                     f"({quote(case['message'])}) at index {bad}")
        expect(walked["samples"] == before,
               f"{situation} should yield {before} and then raise that error, got {_shown(walked['samples'])} "
               f"{_ending(walked)}; let errors of __getitem__ reach the caller in Dataset.__iter__")
        info = walked.get("raised") if walked["end"] == "raised" else None
        same = info is not None and case["message"] in str(info.get("message", "")) and (
            info.get("type") == "_Broken" if name == "custom" else is_error(info, name))
        expect(same,
               f"{situation} should raise that error, got "
               f"{describe_raised(info) if info else ('a stop' if walked['end'] == 'stopped' else 'more samples')}; "
               "do not catch errors of __getitem__ in "
               "Dataset.__iter__")
