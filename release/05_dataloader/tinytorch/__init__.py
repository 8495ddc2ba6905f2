"""TinyTorch: a deep-learning framework built from scratch, one module at a time.

``tinytorch.core.dataloader`` is exported from the Module 05 notebook by
``python -m grader export``.  Its names are re-exported here lazily, so
``from tinytorch import DataLoader`` works while ``import tinytorch.core.tensor``
does not load the DataLoader module.
"""

from tinytorch.core.tensor import Tensor

_DATALOADER_NAMES = ("Compose", "DataLoader", "Dataset", "RandomCrop",
                     "RandomHorizontalFlip", "TensorDataset")

__all__ = ["Tensor", *_DATALOADER_NAMES]


def __getattr__(name):
    if name in _DATALOADER_NAMES:
        from tinytorch.core import dataloader

        return getattr(dataloader, name)
    raise AttributeError(f"module 'tinytorch' has no attribute {name!r}")
