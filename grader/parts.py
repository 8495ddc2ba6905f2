"""The four graded parts of Module 05 and the notebook test cells that belong to each."""

PARTS = ("dataset", "tensordataset", "dataloader", "transforms")

# grade_id of each visible test cell in the source notebook -> its part
TEST_CELL_PARTS = {
    "test_dataset": "dataset",
    "test_tensordataset": "tensordataset",
    "test_dataloader_batching": "dataloader",
    "test_dataloader_shuffle": "dataloader",
    "test_random_horizontal_flip": "transforms",
    "test_random_crop": "transforms",
    "test_compose": "transforms",
}


def part_of_test_cell(grade_id: str) -> str:
    """Return the part a test cell belongs to.

    Raises:
        KeyError: if ``grade_id`` is not a known test cell (the message names it).
    """
    try:
        return TEST_CELL_PARTS[grade_id]
    except KeyError:
        raise KeyError(f"test cell {grade_id!r} belongs to no part; known: {sorted(TEST_CELL_PARTS)}") from None
