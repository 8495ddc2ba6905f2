"""Hidden probes of the notebook test cell ``test_tensordataset`` (Part 2, TensorDataset)."""

import numpy as np

from grading_suite.public.probes import probe
from grading_suite.public.probes.support import attempt, describe, peak_bytes
from grading_suite.public.probes.tensordataset import build, make_input
from tinytorch.core.tensor import Tensor


def _light(description: dict) -> dict:
    """``description`` without the data of arrays over 4096 values (their dtype and shape stay)."""
    if type(description.get("items")) is list:
        return {**description, "items": [_light(item) for item in description["items"]]}
    data = description.get("data")
    if isinstance(data, np.ndarray) and data.size > 4096:
        return {**description, "data": None}
    return description


@probe
def copies(student, labels: list, indices: list, width: int = 1024):
    """Memory allocated by building TensorDataset(Tensor(float32 zeros, ``width`` values per sample),
    int64 ``labels``) and by fetching ds[i] for the two ``indices``; the two samples; then how many
    images are nonzero and the labels."""
    TensorDataset = student.require("TensorDataset")
    labels = np.array(labels, dtype=np.int64)
    images = np.zeros((len(labels), width), dtype=np.float32)  # about 2 MB for 512 labels of width 1024
    built = []
    build_peak = peak_bytes(lambda: built.append(TensorDataset(Tensor(images), labels)))
    dataset = built[0]
    fetched = []
    fetch_peak = peak_bytes(lambda: fetched.extend(dataset[index] for index in indices))
    return {"build_peak": int(build_peak), "fetch_peak": int(fetch_peak), "samples": [_light(describe(s)) for s in fetched],
            "images_nonzero": int(np.count_nonzero(images)), "labels": np.array(labels, copy=True)}


@probe
def stored_tensors(student, inputs: list):
    """``TensorDataset(*inputs).tensors``, described (see ``public/probes/tensordataset.py`` for ``inputs``)."""
    return describe(student.require("TensorDataset")(*build(inputs)).tensors)


@probe
def property_cases(student, cases: list):
    """For each case ``{"inputs": [shaped spec, ...], "indices": [...], "bad": [...]}``: what
    TensorDataset(*inputs) raised, or len(ds), what ds[i] gave for each of ``indices`` and
    what ds[i] did for each of ``bad`` (every outcome as ``attempt`` describes it)."""
    TensorDataset = student.require("TensorDataset")
    seen = []
    for case in cases:
        arguments = tuple(make_input(spec) for spec in case["inputs"])
        built = []
        construction = attempt(lambda: built.append(TensorDataset(*arguments)))
        if not built:
            seen.append({"construction": construction})
            continue
        dataset = built[0]
        seen.append({"length": attempt(len, dataset),
                     "samples": [attempt(lambda index=index: dataset[index]) for index in case["indices"]],
                     "bad": [attempt(lambda index=index: dataset[index]) for index in case["bad"]]})
    return seen
