"""Judging helpers of ``test_dataloader_batching.py``: the messages of wrong epochs, and the
collation cases over many structures and dtypes (built here, run by the probe
``collation_cases`` several loaders per call, judged by ``_case_failure``).

Plain data in, expected values and messages out; nothing here calls student code."""

import random

import numpy as np
from hypothesis import strategies as st

from grading_suite.public.checks import array_of, expect, items_of, kind
from grading_suite.public.observe import describe_raised
from grading_suite.public.test_dataloader_batching import _describe, _expected_sizes, _raised_message, _sizes_message


def _shape(described):
    """The shape of a described array as a tuple (None when it has none)."""
    shape = described.get("shape") if type(described) is dict else None
    return tuple(shape) if type(shape) is list else None


def _epoch_message(size, batch_size, ids, expected, seen, what="the batches"):
    """Why the epoch ``seen`` (from ``epoch_ids_and_len``) is not ``expected``: wrong batch sizes
    first (see ``_sizes_message``), then wrong samples or order within right-sized batches."""
    if "raised" in seen:
        return _raised_message(_describe(size, batch_size), seen, len(expected))
    got = seen["ids"]
    sizes, expected_sizes = [len(batch) for batch in got], [len(batch) for batch in expected]
    if sizes != expected_sizes:
        return _sizes_message(_describe(size, batch_size), batch_size, expected_sizes, sizes, seen["len"])
    return (f"{_describe(size, batch_size)} over the sample ids {ids} should give {what} {expected}, got {got}; "
            "fetch the indices of _epoch_order() in order, batch_size at a time, in DataLoader.__iter__")


def _fraction(draw, low=1, high=9):
    """A drawn float that is not an integer, with a short exact repr (e.g. 3.25)."""
    return draw.randint(low, high) + draw.choice([0.25, 0.5, 0.75])


DTYPE_NAMES = ("bool", "uint8", "int32", "int64", "float16", "float32", "float64")


SHAPE_KINDS = ("()", "(1,)", "(k,)", "(h, w)", "(c, h, w)")


def _values(rng: random.Random, dtype: str, count: int) -> np.ndarray:
    """``count`` drawn values of ``dtype``, pairwise distinct where the dtype has room (not for bool):
    float64 values are not exact in float32, so a round trip through float32 changes them."""
    if dtype == "bool":
        return np.array([rng.random() < 0.5 for _ in range(count)], dtype=bool)
    if dtype == "uint8":
        return np.array(rng.sample(range(256), count) if count <= 256 else
                        [rng.randrange(256) for _ in range(count)], dtype=np.uint8)
    if dtype in ("int32", "int64"):
        bound = 2**31 if dtype == "int32" else 2**61  # beyond 2**53: not exact in float64
        return np.array(rng.sample(range(-bound, bound), count), dtype=dtype)
    if dtype == "float16":  # multiples of 1/8 below 256: exact in float16
        return np.array(rng.sample(range(-2048, 2048), count) if count <= 4096 else
                        [rng.randrange(-2048, 2048) for _ in range(count)], dtype=np.float64).astype(np.float16) / 8
    if dtype == "float32":  # multiples of 1/8: exact in float32
        return (np.array(rng.sample(range(-2**20, 2**20), count), dtype=np.float64) / 8).astype(np.float32)
    return np.array([rng.uniform(-1000, 1000) for _ in range(count)], dtype=np.float64)


def _sample_shape(rng: random.Random, shape_kind: str) -> tuple:
    """A sample shape of the kind "()", "(1,)", "(k,)", "(h, w)" (never square) or "(c, h, w)"."""
    if shape_kind == "()":
        return ()
    if shape_kind == "(1,)":
        return (1,)
    if shape_kind == "(k,)":
        return (rng.randint(2, 4),)
    height, width = rng.sample(range(2, 5), 2)
    return (height, width) if shape_kind == "(h, w)" else (rng.randint(2, 3), height, width)


def _make_case(rng: random.Random, size: int, batch_size: int, drop_last: bool, elements: list,
               single: bool = False) -> dict:
    """A loader case: ``size`` samples whose elements are ``elements`` ((dtype, shape kind) pairs;
    one element and ``single`` for samples that are a bare Tensor)."""
    arrays = []
    for dtype, shape_kind in elements:
        shape = (size, *_sample_shape(rng, shape_kind))
        arrays.append(_values(rng, dtype, int(np.prod(shape))).reshape(shape))
    return {"arrays": arrays, "single": single, "batch_size": batch_size, "drop_last": drop_last}


def _wire_case(case: dict) -> dict:
    """A case as the argument of the probe ``collation_cases``."""
    arrays = [{"values": array.reshape(-1).tolist(), "dtype": array.dtype.name, "shape": list(array.shape)}
              for array in case["arrays"]]
    return {"arrays": arrays, "single": case["single"], "batch_size": case["batch_size"],
            "drop_last": case["drop_last"]}


def _case_name(case: dict) -> str:
    """How a case reads in a message: DataLoader(7 samples of (float32 (2,), int64 ()) tuples, batch_size=3)."""
    parts = [f"{array.dtype.name} {tuple(array.shape[1:])}" for array in case["arrays"]]
    samples = f"single Tensors {parts[0]}" if case["single"] else f"({', '.join(parts)}{',' * (len(parts) == 1)}) tuples"
    size = len(case["arrays"][0])
    return (f"DataLoader({size} samples of {samples}, batch_size={case['batch_size']}"
            f"{', drop_last=True' if case['drop_last'] else ''})")


def _identified(source: np.ndarray, rows: np.ndarray) -> list | None:
    """Which sample of ``source`` each row of ``rows`` is, when every row is exactly one sample's
    (the samples' values being pairwise distinct), else None."""
    if rows.ndim != source.ndim or rows.shape[1:] != source.shape[1:] or rows.dtype != source.dtype:
        return None
    positions = []
    for row in rows:
        matches = [index for index, sample in enumerate(source) if np.array_equal(sample, row)]
        if len(matches) != 1:
            return None
        positions.append(matches[0])
    return positions


def _distinct_rows(source: np.ndarray) -> bool:
    """Whether every sample of ``source`` has values of its own (so a row tells which sample it is)."""
    return len({sample.tobytes() for sample in source}) == len(source)


def _stacking_failure(where: str, parts: list, arrays: list) -> str | None:
    """What is wrong with how one batch stacks its samples, whichever samples it holds: each
    element (batch size, *sample shape) with the same batch size, and the rows of every element
    the same samples' values, unchanged (the samples told by an element whose rows are distinct)."""
    shapes = [_shape(part) for part in parts]
    for position, (shape, source) in enumerate(zip(shapes, arrays)):
        if shape is None or len(shape) != source.ndim or shape[1:] != source.shape[1:] or shape[0] < 1:
            return (f"{where}, element {position} ({source.dtype.name}, sample shape {tuple(source.shape[1:])}): the "
                    f"batch should have shape (batch size{''.join(f', {n}' for n in source.shape[1:])}), got {shape}; "
                    "stack along a "
                    "new axis 0 and never drop an axis (no squeeze) in DataLoader._collate_batch")
    if len({shape[0] for shape in shapes}) != 1:
        return (f"{where}: every element should hold the same samples, got batch elements of shapes {shapes}; stack "
                "each position of the same samples in DataLoader._collate_batch")
    held = None
    for part, source in zip(parts, arrays):
        got = array_of(part)
        if _distinct_rows(source):
            held = None if got is None else _identified(source, got)
            if held is None:
                return (f"{where}: the {source.dtype.name} element should hold samples' values unchanged, got values "
                        "that are no sample's; stack the elements unchanged in DataLoader._collate_batch")
            break
    for position, (part, source) in enumerate(zip(parts, arrays)):
        got = array_of(part)
        if held is not None and (got is None or not np.array_equal(got, source[held])):
            return (f"{where}, element {position}: it should stack samples {held} (the samples the other elements "
                    "hold), in that order and unchanged, got other values; stack every position of the same samples "
                    "in DataLoader._collate_batch")
    return None


def _case_failure(case: dict, result: dict, boundaries: bool = True) -> str | None:
    """The first thing wrong with what one case gave (None when it is right), checked from the
    most basic on so the message blames the method at fault: whether it raised, len(loader)
    (``__len__``), the number of batches and the samples each one holds (``__iter__``), then the
    structure, dtype, shape and values of each batch (``_collate_batch``).  Without
    ``boundaries`` only the collation is judged, on whichever samples each batch holds."""
    name = _case_name(case)
    arrays, batch_size, drop_last = case["arrays"], case["batch_size"], case["drop_last"]
    size = len(arrays[0])
    sizes = _expected_sizes(size, batch_size, drop_last)
    if not boundaries:
        if "raised" in result:
            stage = {"len": "len(loader)", "iteration": "iterating it"}.get(result.get("stage"), "building it")
            return f"{name}: {stage} failed, {describe_raised(result['raised'])}"
        if sizes and not result["batches"]:
            return f"{name} should give {len(sizes)} batches, got none; check DataLoader.__iter__"
        sizes = [_leading(batch) or 0 for batch in result["batches"]]  # judge each batch as it comes
    if "raised" in result:
        if result.get("stage") == "iteration" and result.get("len") != len(sizes):
            return _raised_message(name, result, len(sizes))
        stage = {"len": "len(loader)", "iteration": "iterating it"}.get(result.get("stage"), "building it")
        return f"{name}: {stage} failed, {describe_raised(result['raised'])}"
    if boundaries and result["len"] != len(sizes):
        return f"len({name}) should be {len(sizes)}, got {result['len']}; check DataLoader.__len__"
    batches = result["batches"]
    if boundaries and len(batches) != len(sizes):
        got = [_leading(batch) for batch in batches]
        if None not in got:
            return _sizes_message(name, batch_size, sizes, got, drop_last=drop_last)
        return (f"{name} should give {len(sizes)} batches of sizes {sizes}, got {len(batches)} batches; check how "
                "DataLoader.__iter__ cuts the epoch into batches")
    start = 0
    for number, (batch, count) in enumerate(zip(batches, sizes)):
        rows = slice(start, start + count)
        start += count
        where = f"{name}, batch {number}" + (f" (samples {rows.start}..{rows.stop - 1})" if boundaries else "")
        if case["single"]:
            if kind(batch) != "Tensor":
                return (f"{where}: samples that are single Tensors should give a single Tensor, got "
                        f"{type_name(batch)}; handle non-tuple samples in DataLoader._collate_batch")
            parts = [batch]
        else:
            parts = items_of(batch) if kind(batch) in ("tuple", "list") else None
            if parts is None or len(parts) != len(arrays):
                return (f"{where}: samples that are {len(arrays)}-tuples should give a tuple of {len(arrays)} "
                        f"Tensors, got {type_name(batch)}{'' if parts is None else f' of {len(parts)}'}; keep one "
                        "element per sample position (a 1-tuple stays a 1-tuple) in DataLoader._collate_batch")
            if not all(kind(part) == "Tensor" for part in parts):
                return (f"{where}: each element of a batch should be a Tensor, got "
                        f"{[type_name(part) for part in parts]}; wrap the stacked arrays in Tensor in "
                        "DataLoader._collate_batch")
        for position, (part, source) in enumerate(zip(parts, arrays)):
            element = f"{where}, element {position} ({source.dtype.name}, sample shape {tuple(source.shape[1:])})"
            if str(part.get("dtype")) != source.dtype.name:
                return (f"{element}: the batch should keep dtype {source.dtype.name}, got {part.get('dtype')}; "
                        "do not convert or force a dtype in DataLoader._collate_batch")
        if not boundaries:
            problem = _stacking_failure(where, parts, arrays)
            if problem:
                return problem
            continue
        for position, (part, source) in enumerate(zip(parts, arrays)):
            element = f"{where}, element {position} ({source.dtype.name}, sample shape {tuple(source.shape[1:])})"
            expected, shape = source[rows], _shape(part)
            if shape != expected.shape:
                if shape and shape[1:] == expected.shape[1:]:
                    return (f"{element}: the batch holds {shape[0]} samples, expected {count} (batch sizes "
                            f"{sizes}); check how DataLoader.__iter__ slices the indices of each batch")
                return (f"{element}: the batch should have shape {expected.shape} (batch size, *sample shape), got "
                        f"{shape}; stack along a new axis 0 and never drop an axis (no squeeze) in "
                        "DataLoader._collate_batch")
            got = array_of(part)
            if got is None or not np.array_equal(got, expected):
                found = None if got is None else _identified(source, got)
                if found is not None:
                    return (f"{where}: the batch holds samples {found}, expected {list(range(rows.start, rows.stop))}"
                            "; fetch the indices of _epoch_order() in order, batch_size at a time, in "
                            "DataLoader.__iter__")
                return (f"{element}: the batch should be those samples stacked in order, got values that are not "
                        "the samples' own; stack the elements unchanged in DataLoader._collate_batch")
    return None


def _leading(batch) -> int | None:
    """The number of samples a described batch seems to hold: the first axis of its first element."""
    items = items_of(batch)
    shape = _shape(items[0]) if items else None
    return shape[0] if shape else None


def type_name(description) -> str:
    """The quoted type name of a described value."""
    return str(description.get("type", "?"))[:60] if type(description) is dict else "?"


def _run_cases(observe, cases: list, boundaries: bool = True) -> None:
    """Run ``cases`` in one probe call and fail with the first case's first failure (with
    ``boundaries``, batch boundaries and len() are judged too)."""
    results = observe("dataloader_batching.collation_cases", cases=[_wire_case(case) for case in cases])
    expect(type(results) is list and len(results) == len(cases), "the probe gave no result per loader")
    for case, result in zip(cases, results):
        failure = _case_failure(case, result, boundaries)
        expect(failure is None, failure or "")


_ELEMENT = st.tuples(st.sampled_from(DTYPE_NAMES), st.sampled_from(SHAPE_KINDS))


_CASE = st.tuples(  # kept flat: Hypothesis draws it in well under a millisecond
    st.integers(0, 20),  # dataset size
    st.integers(1, 24),  # batch size, often past the size
    st.booleans(),  # drop_last
    st.booleans(),  # samples are a bare Tensor (the first element alone) rather than a tuple
    st.lists(_ELEMENT, min_size=1, max_size=3),  # the elements of a 1-, 2- or 3-tuple
    st.integers(0, 2**32 - 1))  # the seed of the values


def _is_complete_epoch(epoch, ids, sizes) -> bool:
    """Whether the batches of ids ``epoch`` have the ``sizes`` and visit distinct ids of ``ids``."""
    visited = [value for batch in epoch for value in batch]
    return [len(batch) for batch in epoch] == sizes and len(set(visited)) == len(visited) and set(visited) <= set(ids)
