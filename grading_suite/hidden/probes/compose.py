"""Hidden probes of the notebook test cell ``test_compose`` (Part 4, Compose).

These probes use their own small transforms, never the student's flip or crop."""

from grading_suite.public.probes import probe
from grading_suite.public.probes.compose import compose_of
from grading_suite.public.probes.support import attempt, plain


def _append(letter):
    """A transform that appends ``letter`` to a string: the result shows the order of calls."""
    return lambda text: text + letter


def _add(amount):
    return lambda x: x + amount


class _Recording:
    """A transform that records every input it is called with and returns ``function(input)``."""

    def __init__(self, name, function):
        self.name = name
        self.function = function
        self.inputs = []

    def __call__(self, sample):
        self.inputs.append(sample)
        return self.function(sample)

    def __repr__(self):
        return self.name


@probe
def appended(student, letters: list, sample: str):
    """Compose([append(letter) for letter in letters])(sample), described."""
    return plain(compose_of(student, [_append(letter) for letter in letters])(sample))


@probe
def added(student, amounts: list, sample, container: str = "list"):
    """Compose(container(add(amount) for amount in amounts))(sample), described."""
    return plain(compose_of(student, [_add(amount) for amount in amounts], container)(sample))


@probe
def recorded_calls(student, samples: list):
    """One Compose([first (x*10), second (x+1), third (x*2)]) called on each sample in turn:
    per call, what it returned and the inputs each transform was called with."""
    first = _Recording("first", lambda x: x * 10)
    second = _Recording("second", lambda x: x + 1)
    third = _Recording("third", lambda x: x * 2)
    compose = compose_of(student, [first, second, third])
    calls = []
    for sample in samples:
        for transform in (first, second, third):
            transform.inputs.clear()
        got = compose(sample)
        calls.append({"got": plain(got),
                      "inputs": {t.name: [plain(value) for value in t.inputs[:20]] for t in (first, second, third)},
                      "counts": {t.name: len(t.inputs) for t in (first, second, third)}})
    return calls


class _Broken(Exception):
    """Stands for an error of the student's own making, derived from no specific built-in error."""


ERRORS = {"ValueError": ValueError, "TypeError": TypeError, "IndexError": IndexError, "custom": _Broken}


@probe
def failing(student, amounts: list, bad: int, error: str, message: str, sample):
    """Compose([add(amount) for amount in amounts]) with transform ``bad`` replaced by one that raises
    ``ERRORS[error](message)``, called on ``sample``: what it returned or raised, and how many times each
    transform after the failing one was called."""
    after = []

    def failing_transform(x):
        raise ERRORS[error](message)

    def counted(amount):
        def transform(x):
            after.append(amount)
            return x + amount
        return transform

    transforms = [_add(amount) for amount in amounts[:bad]] + [failing_transform] + [
        counted(amount) for amount in amounts[bad + 1:]]
    outcome = attempt(compose_of(student, transforms), sample)
    return {"outcome": outcome, "called_after": len(after)}
