"""Hidden probes of the notebook test cell ``test_dataset`` (Part 1, Dataset)."""

from grading_suite.public.probes import probe
from grading_suite.public.probes.dataset import listed
from grading_suite.public.probes.support import attempt, exception_info, plain

STEPS_AFTER_STOP = 2  # next() calls made on an iterator after it stopped


@probe
def abstract_instances(student, values: list):
    """Try Dataset(), a subclass with only __len__, a subclass with only __getitem__, and the
    first sample of a complete subclass over ``values`` (``listed(Dataset, values, len(values))``)."""
    Dataset = student.require("Dataset")

    class OnlyLength(Dataset):
        def __len__(self):
            return 3

    class OnlyGetitem(Dataset):
        def __getitem__(self, index):
            return values[index % len(values)]

    return {"base": attempt(Dataset), "only_length": attempt(OnlyLength), "only_getitem": attempt(OnlyGetitem),
            "complete_first": attempt(lambda: next(iter(listed(Dataset, values, len(values)))))}


@probe
def lazy_steps(student, values: list, size: int):
    """Fetches made by taking the first and the second sample of ``listed(Dataset, values, size)``."""
    dataset = listed(student.require("Dataset"), values, size)
    iterator = iter(dataset)
    first = plain(next(iterator))
    after_first = list(dataset.fetched[:20])
    count_after_first = len(dataset.fetched)
    next(iterator)
    return {"first": first, "after_first": after_first, "count_after_first": count_after_first,
            "after_second": list(dataset.fetched[:20])}


def _walk(iterator, limit: int) -> dict:
    """Up to ``limit`` samples of ``iterator`` and how it ended: ``{"samples": [...], "end": "stopped"}``,
    ``"end": "limit"`` (still going), or ``"raised": info`` (an exception other than StopIteration)."""
    samples = []
    while len(samples) < limit:
        try:
            sample = next(iterator)
        except StopIteration:
            return {"samples": samples, "end": "stopped"}
        except Exception as error:  # noqa: BLE001 - the observation is what was raised
            return {"samples": samples, "end": "raised", "raised": exception_info(error)}
        samples.append(plain(sample))
    return {"samples": samples, "end": "limit"}


def strict(Dataset, values):
    """A dataset over ``values`` whose __getitem__ refuses (IndexError) every index outside
    0 .. len - 1, as a list would for a negative one too; ``.fetched`` lists the indices
    asked for and ``.index_types`` the names of their types."""

    class Strict(Dataset):
        def __init__(self):
            self.fetched = []
            self.index_types = []

        def __len__(self):
            return len(values)

        def __getitem__(self, index):
            self.fetched.append(index if type(index) is int else int(index))
            self.index_types.append(type(index).__name__[:40])
            if not 0 <= index < len(values):
                raise IndexError(f"index {index} is out of range for {len(values)} values")
            return values[index]

    return Strict()


@probe
def strict_pass(student, values: list):
    """One pass over ``strict(Dataset, values)`` walked with next() (at most len + 5 steps), then
    STEPS_AFTER_STOP more next() calls: what came, the indices fetched (first 100) and their types."""
    dataset = strict(student.require("Dataset"), values)
    iterator = iter(dataset)
    walked = _walk(iterator, len(values) + 5)
    fetched, types = list(dataset.fetched[:100]), list(dataset.index_types[:100])
    after = [attempt(next, iterator) for _ in range(STEPS_AFTER_STOP)] if walked["end"] == "stopped" else []
    return {**walked, "fetched": fetched, "index_types": types, "after_stop": after}


@probe
def independent_passes(student, values: list):
    """Over ``listed(Dataset, values, len(values))``: two loops one after the other, a loop nested
    in a loop, and two iterators advanced in turn (the second made after the first gave one sample)."""
    dataset = listed(student.require("Dataset"), values, len(values))
    size = len(values)
    limit = size + 5

    def one_after_the_other():
        return [_walk(iter(dataset), limit) for _ in range(2)]

    def nested():
        outer = iter(dataset)
        rows = []
        for _ in range(limit):
            try:
                first = next(outer)
            except StopIteration:
                break
            rows.append([plain(first), _walk(iter(dataset), limit)])
        return rows

    def interleaved():
        one = iter(dataset)
        got_one = [plain(next(one))]
        two = iter(dataset)
        got_two = []
        for _ in range(size - 1):
            got_two.append(plain(next(two)))
            got_one.append(plain(next(one)))
        got_two.append(plain(next(two)))
        return [got_one, got_two]

    return {"sequential": _outcome(one_after_the_other), "nested": _outcome(nested),
            "interleaved": _outcome(interleaved)}


def _outcome(action) -> dict:
    """``{"returned": action()}`` (plain data already) or ``{"raised": exception_info(error)}``."""
    try:
        return {"returned": action()}
    except Exception as error:  # noqa: BLE001 - the observation is what was raised
        return {"raised": exception_info(error)}


@probe
def fresh_passes(student, values: list, size: int, passes: int):
    """``passes`` loops over a dataset of length ``size`` whose __getitem__ returns
    ``values[k]`` on its k-th call (a new value on every fetch): the samples of each loop."""
    Dataset = student.require("Dataset")

    class Counting(Dataset):
        def __init__(self):
            self.calls = 0

        def __len__(self):
            return size

        def __getitem__(self, index):
            sample = values[self.calls % len(values)]
            self.calls += 1
            return sample

    dataset = Counting()
    return [_walk(iter(dataset), size + 5) for _ in range(passes)]


class _Broken(Exception):
    """Stands for an error of the student's own making, derived from no specific built-in error."""


ERRORS = {"IndexError": IndexError, "KeyError": KeyError, "ValueError": ValueError, "OSError": OSError,
          "custom": _Broken}


@probe
def failing_passes(student, cases: list):
    """For each case ``{"values": [...], "bad": i, "error": name, "message": text}``: one pass over a
    dataset of ``values`` whose __getitem__ raises ``ERRORS[name](text)`` at index ``bad``."""
    Dataset = student.require("Dataset")
    seen = []
    for case in cases:
        values, bad = case["values"], case["bad"]
        error = ERRORS[case["error"]]

        class Failing(Dataset):
            def __len__(self):
                return len(values)

            def __getitem__(self, index):
                if index == bad:
                    raise error(case["message"])
                return values[index]

        seen.append(_walk(iter(Failing()), len(values) + 5))
    return seen
