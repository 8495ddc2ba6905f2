"""Hidden probes of the notebook test cell ``test_random_horizontal_flip`` (Part 4, RandomHorizontalFlip).

Images come from the judgement, drawn: ``{"values": nested list, "dtype": name}``."""

import numpy as np

from tinytorch.core.tensor import Tensor

from grading_suite.public.probes import probe
from grading_suite.public.probes.random_horizontal_flip import build, call_many, image_of, observed
from grading_suite.public.probes.support import attempt, describe


@probe
def kept_types(student, images: list, calls: int):
    """One RandomHorizontalFlip(p=0.5) called ``calls`` times on each image in turn (each
    sent with its own dtype), first as an ndarray, then as a Tensor:
    ``[{"dtype", "wrap", "results"}, ...]``."""
    flip = build(student, 0.5)
    seen = []
    for sent in images:
        source = image_of(sent)
        for wrap in ("ndarray", "Tensor"):
            seen.append({"dtype": source.dtype.name, "wrap": wrap, "results": call_many(flip, source, calls, wrap)})
    return seen


@probe
def inputs_after_calls(student, image: dict, calls: int):
    """One RandomHorizontalFlip(p=0.5) called ``calls`` times, each time on a fresh ndarray
    copy of ``image_of(image)`` and then on a fresh Tensor of it: the inputs as they were
    after each call and what the ndarray call returned,
    ``[{"ndarray": array, "tensor": description, "result": description}, ...]``."""
    flip = build(student, 0.5)
    source = image_of(image)
    seen = []
    for _ in range(calls):
        given = source.copy()
        result = flip(given)
        tensor = Tensor(source.copy())
        flip(tensor)
        seen.append({"ndarray": np.array(given, copy=True), "tensor": describe(tensor), "result": observed(result)})
    return seen


@probe
def seeded_pair(student, image: dict, calls: int, seed: int, generator: bool):
    """Two RandomHorizontalFlip(p=0.5, seed=...) built alike (``seed`` itself, or
    ``np.random.default_rng(seed)`` when ``generator``), each called ``calls`` times on
    ``image_of(image)``: ``{"first": [description, ...], "second": [...]}``."""

    def make_seed():
        return np.random.default_rng(seed) if generator else seed

    source = image_of(image)
    first = call_many(build(student, 0.5, seed=make_seed()), source, calls)
    second = call_many(build(student, 0.5, seed=make_seed()), source, calls)
    return {"first": first, "second": second}


@probe
def construct(student, p):
    """What RandomHorizontalFlip(p=p) did: ``{"returned": ...}`` or ``{"raised": info}``."""
    RandomHorizontalFlip = student.require("RandomHorizontalFlip")
    return attempt(lambda: RandomHorizontalFlip(p=p))
