"""TinyTorch: a deep-learning framework built from scratch, one module at a time.

``tinytorch.core.dataloader`` is exported from the Module 05 notebook by
``python -m grader export``; the names below are re-exported for convenience.
"""

from tinytorch.core.tensor import Tensor
from tinytorch.core.dataloader import (
    Compose,
    DataLoader,
    Dataset,
    RandomCrop,
    RandomHorizontalFlip,
    TensorDataset,
)

__all__ = [
    "Compose",
    "DataLoader",
    "Dataset",
    "RandomCrop",
    "RandomHorizontalFlip",
    "Tensor",
    "TensorDataset",
]
