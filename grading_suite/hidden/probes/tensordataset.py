"""Hidden probes of the notebook test cell ``test_tensordataset`` (Part 2, TensorDataset)."""

import numpy as np

from grading_suite.public.probes import probe
from grading_suite.public.probes.support import describe, peak_bytes
from tinytorch.core.tensor import Tensor


@probe
def copies(student):
    """Memory allocated by building TensorDataset(Tensor(2 MB float32 zeros), int64 labels 0..511)
    and by fetching ds[7] and ds[511]; the two samples; then how many images are nonzero and the labels."""
    TensorDataset = student.require("TensorDataset")
    images = np.zeros((512, 1024), dtype=np.float32)  # 2 MB
    labels = np.arange(512, dtype=np.int64)
    built = []
    build_peak = peak_bytes(lambda: built.append(TensorDataset(Tensor(images), labels)))
    dataset = built[0]
    fetched = []
    fetch_peak = peak_bytes(lambda: fetched.extend((dataset[7], dataset[511])))
    return {"build_peak": int(build_peak), "fetch_peak": int(fetch_peak), "samples": [describe(s) for s in fetched],
            "images_nonzero": int(np.count_nonzero(images)), "labels": np.array(labels, copy=True)}
