"""TinyTorch's provided data tools: a fast path for any loader, and batch transforms.

``FastLoader`` wraps a loader (your ``DataLoader``) and gives the same batches,
each fetched in one call; ``BatchRandomCrop`` and ``BatchRandomHorizontalFlip``
run a per-sample crop or flip on a whole batch.  Nothing here is graded.
"""

from tinytorch.data.batch_transforms import BatchRandomCrop, BatchRandomHorizontalFlip
from tinytorch.data.fast import FastLoader

__all__ = ["BatchRandomCrop", "BatchRandomHorizontalFlip", "FastLoader"]
