"""Hidden probes of the notebook test cell ``test_random_horizontal_flip`` (Part 4, RandomHorizontalFlip).

Images come from the judgement, drawn: ``{"values": nested list, "dtype": name}``."""

import numpy as np

from tinytorch.core.tensor import Tensor

from grading_suite.public.probes import probe
from grading_suite.public.probes.random_horizontal_flip import build, call_many, image_of, observed
from grading_suite.public.probes.support import attempt, describe, exception_info, stacked


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
def mirror_cases(student, cases: list, calls: int):
    """For each case ``{"image", "layout" (or None), "wrap"}``, one RandomHorizontalFlip(p=0.5[,
    layout]) called ``calls`` times on fresh copies of the image (an ndarray, or a Tensor when
    ``wrap`` is "Tensor"): what each call returned, per case."""
    return [call_many(build(student, 0.5, case["layout"]), image_of(case["image"]), calls, case["wrap"])
            for case in cases]


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
def seeded_pair(student, image: dict, calls: int, seed: int, mode: str):
    """Two RandomHorizontalFlip(p=0.5) built alike, each called ``calls`` times on
    ``image_of(image)``: ``{"first": [description, ...], "second": [...]}``.  ``mode`` says
    how: "int" passes ``seed=seed``; "generator" passes ``seed=np.random.default_rng(seed)``;
    "global" passes no seed and calls ``np.random.seed(seed)`` before building each."""

    def make():
        if mode == "global":
            np.random.seed(seed)
            return build(student, 0.5)
        return build(student, 0.5, seed=np.random.default_rng(seed) if mode == "generator" else seed)

    source = image_of(image)
    first = call_many(make(), source, calls)
    second = call_many(make(), source, calls)
    return {"first": first, "second": second}


@probe
def draws_after_calls(student, image: dict, calls: int, seed: int, probabilities: list):
    """For each p: a Generator ``np.random.default_rng(seed)`` passed as the seed of
    RandomHorizontalFlip(p), the flip called ``calls`` times on ``image_of(image)``, then
    the Generator's next ``random()`` number: ``[number, ...]`` (it tells how many numbers
    the calls drew)."""
    source = image_of(image)
    after = []
    for p in probabilities:
        generator = np.random.default_rng(seed)
        flip = build(student, p, seed=generator)
        for _ in range(calls):
            flip(source.copy())
        after.append(float(generator.random()))
    return after


def p_value(spec: dict):
    """The p a judgement described: ``{"kind": "float" | "int" | "bool" | "nan" | "str" | "numpy",
    "value": ..., "dtype": numpy type name (for "numpy")}``."""
    kind, value = spec["kind"], spec.get("value")
    if kind == "float":
        return float(value)
    if kind == "int":
        return int(value)
    if kind == "bool":
        return bool(value)
    if kind == "nan":
        return float("nan")
    if kind == "str":
        return str(value)
    if kind == "numpy":
        return np.dtype(str(spec["dtype"])).type(value)
    raise ValueError(f"unknown kind of p: {kind!r}")


@probe
def constructions(student, specs: list):
    """For each described p, what RandomHorizontalFlip(p=p_value(p)) did:
    ``[{"returned": ...} or {"raised": info}, ...]``."""
    RandomHorizontalFlip = student.require("RandomHorizontalFlip")
    return [attempt(lambda: RandomHorizontalFlip(p=p_value(spec))) for spec in specs]


@probe
def accepted_p_calls(student, specs: list, image: dict, calls: int):
    """For each described p: ``{"raised": info}`` when RandomHorizontalFlip(p=p_value(p)) raised,
    else ``{"results": [...]}``, what it returned for ``calls`` calls on ``image_of(image)``."""
    RandomHorizontalFlip = student.require("RandomHorizontalFlip")
    source = image_of(image)
    seen = []
    for spec in specs:
        try:
            flip = RandomHorizontalFlip(p=p_value(spec))
        except Exception as error:  # noqa: BLE001 - the observation is what was raised
            seen.append({"raised": exception_info(error)})
            continue
        seen.append({"results": stacked([observed(flip(source.copy())) for _ in range(calls)])})
    return seen
