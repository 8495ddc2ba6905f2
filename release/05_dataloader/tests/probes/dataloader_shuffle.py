"""Probes of the notebook test cell ``test_dataloader_shuffle`` (Part 3b, DataLoader shuffling)."""

from . import probe
from .support import batch_ids, ids_dataset


def visit_order(loader, limit: int) -> list[int]:
    """The sample ids of one epoch, in the order the batches gave them
    (stops once more than ``limit`` ids came, so an endless epoch ends)."""
    order = []
    for batch in loader:
        order.extend(batch_ids(batch))
        if len(order) > limit:
            break
    return order


def id_limit(size: int) -> int:
    """How many ids an epoch over ``size`` samples may give before it is cut."""
    return 2 * size + 64


@probe
def visit_orders(student, ids: list, batch_size: int, epochs: int, options: dict):
    """The visit orders (sample ids) of ``epochs`` epochs of one
    ``DataLoader(ids_dataset(len(ids), ids), batch_size=batch_size, **options)``."""
    DataLoader = student.require("DataLoader")
    loader = DataLoader(ids_dataset(student, len(ids), ids), batch_size=batch_size, **options)
    return [visit_order(loader, id_limit(len(ids))) for _ in range(epochs)]
