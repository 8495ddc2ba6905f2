"""Hidden probes of the notebook test cell ``test_tensordataset`` (Part 2, TensorDataset)."""

import numpy as np

from grading_suite.public.probes import probe
from grading_suite.public.probes.support import describe, peak_bytes
from tinytorch.core.tensor import Tensor


@probe
def copies(student, labels: list, indices: list):
    """Memory allocated by building TensorDataset(Tensor(float32 zeros, 4 KB per sample), int64 ``labels``)
    and by fetching ds[i] for the two ``indices``; the two samples; then how many images are nonzero and
    the labels."""
    TensorDataset = student.require("TensorDataset")
    labels = np.array(labels, dtype=np.int64)
    images = np.zeros((len(labels), 1024), dtype=np.float32)  # about 2 MB for 512 labels
    built = []
    build_peak = peak_bytes(lambda: built.append(TensorDataset(Tensor(images), labels)))
    dataset = built[0]
    fetched = []
    fetch_peak = peak_bytes(lambda: fetched.extend(dataset[index] for index in indices))
    return {"build_peak": int(build_peak), "fetch_peak": int(fetch_peak), "samples": [describe(s) for s in fetched],
            "images_nonzero": int(np.count_nonzero(images)), "labels": np.array(labels, copy=True)}
