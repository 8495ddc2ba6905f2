"""Part 3a, DataLoader batching (25 points): number of batches, the last partial
batch and drop_last, order without shuffling, collation (shapes, values, dtypes),
laziness, one epoch per iter(), and batch_size checks.

Datasets come from ``support.make_dataset``, never from the student's
TensorDataset.  Tests of batch boundaries read sample ids from a (N, 1) array,
so they do not depend on how collation stacks.

Every test draws its inputs from ``observe.draw`` (sizes, batch sizes, sample
ids, array contents, bad batch sizes), so no table of answers prepared for
known inputs can pass them.

The hidden cases of this cell; its public checks, shipped to students, are in
``public/test_dataloader_batching.py`` and count toward the same points."""

import random

import numpy as np
import pytest
from hypothesis import strategies as st

from grading_suite.hidden.properties import check_property
from grading_suite.hidden.judging_batching import (_CASE, DTYPE_NAMES, SHAPE_KINDS, _epoch_message, _fraction,
                                                _is_complete_epoch, _make_case, _run_cases)
from grading_suite.public.checks import (CheckFailed, array_of, expect, expect_raised, expect_tensors, is_error,
                                         items_of, kind, message_of, raised, whole_message)
from grading_suite.public.observe import describe_raised, quote
from grading_suite.public.test_dataloader_batching import (_describe, _expected_batches, _expected_sizes, _floats,
                                                          _ids, _length_cases, _raised_message, _sizes_message,
                                                          _spec, _with_remainder)

pytestmark = pytest.mark.dataloader


@pytest.mark.points(1)
def test_len_with_drop_last_is_floor(observe, draw):
    """len(loader) is floor(N / batch_size) with drop_last=True (0 when batch_size > N)."""
    for size, batch_size in _length_cases(draw):
        floor, ceil = size // batch_size, -(-size // batch_size)
        seen = observe("dataloader_batching.both_ways", size=size, batch_size=batch_size, ids=_ids(draw, size),
                       epochs=False)
        got, kept = seen["drop"]["len"], seen["keep"]["len"]
        claim = f"len({_describe(size, batch_size, True)}) should be floor({size}/{batch_size}) = {floor}, got {got}"
        if got != floor and kept != ceil:
            raise CheckFailed(f"{claim}, and without drop_last len() is {kept}, not ceil({size}/{batch_size}) = "
                              f"{ceil}: check how DataLoader.__len__ counts batches, not only its drop_last branch")
        expect(got == floor, f"{claim}; check drop_last in DataLoader.__len__")


@pytest.mark.points(1)
def test_drop_last_skips_partial_batch(observe, draw):
    """With drop_last=True the short last batch is skipped and full batches are kept."""
    small, multiple, large, bigger = draw.randint(2, 6), draw.randint(2, 6), draw.randint(5, 12), draw.randint(2, 9)
    cases = [(_with_remainder(draw, small, draw.randint(1, small - 1), (1, 5)), small),
             (multiple * draw.randint(2, 6), multiple),  # nothing to drop
             (_with_remainder(draw, large, draw.randint(1, large - 1), (3, 10)), large),
             (bigger, bigger + draw.randint(1, 8))]  # the only batch is partial: no batch at all
    for size, batch_size in cases:
        expected = _expected_sizes(size, batch_size, drop_last=True)
        seen = observe("dataloader_batching.both_ways", size=size, batch_size=batch_size, ids=_ids(draw, size))
        if "raised" in seen["drop"]:
            raise CheckFailed(_raised_message(_describe(size, batch_size, True), seen["drop"], len(expected)))
        got = [len(ids) for ids in seen["drop"]["ids"]]
        if got == expected:
            continue
        keep_expected = _expected_sizes(size, batch_size)
        kept = [len(ids) for ids in seen["keep"]["ids"]] if "raised" not in seen["keep"] else None
        if kept is not None and kept != keep_expected:  # wrong without drop_last too: say so, not "drop_last"
            raise CheckFailed(f"{_describe(size, batch_size, True)} should give batches of sizes {expected}, got "
                              f"{got}; but already without drop_last: "
                              + _sizes_message(_describe(size, batch_size), batch_size, keep_expected, kept,
                                               seen["keep"]["len"]))
        message = _sizes_message(_describe(size, batch_size, True), batch_size, expected, got, seen["drop"]["len"],
                                 drop_last=True)
        raise CheckFailed(message if seen["drop"]["len"] != len(expected) else
                          f"{message} (only a short last batch is skipped; full batches are kept)")


@pytest.mark.points(1)
def test_edge_batch_sizes(observe, draw):
    """batch_size 1, equal to N and larger than N, and a single-sample dataset, batch correctly."""
    ones, equal, smaller = draw.randint(2, 9), draw.randint(2, 9), draw.randint(2, 9)
    cases = [(ones, 1), (equal, equal), (smaller, smaller + draw.randint(1, 6)), (1, 1), (1, draw.randint(2, 6))]
    for size, batch_size in cases:
        ids = _ids(draw, size)
        expected = _expected_batches(ids, batch_size)
        seen = observe("dataloader_batching.epoch_ids_and_len", size=size, batch_size=batch_size, ids=ids)
        expect(seen.get("ids") == expected, _epoch_message(size, batch_size, ids, expected, seen))


@pytest.mark.points(1)
def test_order_preserved_without_shuffle(observe, draw):
    """Without shuffle, batch k holds samples k*bs .. k*bs + bs - 1 in order."""
    for _ in range(2):
        batch_size = draw.randint(2, 5)
        size = batch_size * draw.randint(3, 5)
        ids = _ids(draw, size)
        expected = _expected_batches(ids, batch_size)
        seen = observe("dataloader_batching.epoch_ids_and_len", size=size, batch_size=batch_size, ids=ids)
        expect(seen.get("ids") == expected,
               _epoch_message(size, batch_size, ids, expected, seen, "without shuffle the samples in order"))


@pytest.mark.points(1)
def test_collation_stacks_along_new_first_axis(observe, draw):
    """Each batch element has shape (batch, *sample_shape) and stacks its samples in order,
    unchanged (judged on whichever samples each batch holds)."""
    rng = random.Random(draw.getrandbits(64))
    batch_size = draw.randint(2, 4)
    size = _with_remainder(draw, batch_size, draw.randint(1, batch_size - 1), (2, 3))  # a last, partial batch
    # (height, width) images, never square: stacking on the wrong axis changes the shape; scalar labels
    _run_cases(observe, [_make_case(rng, size, batch_size, False, [("float32", "(h, w)"), ("int64", "()")])],
               boundaries=False)


@pytest.mark.points(1)
def test_batch_elements_are_tensors(observe, draw):
    """A batch is a tuple (or list) with one Tensor per sample element."""
    for _ in range(2):
        batch_size = draw.randint(2, 3)
        size = _with_remainder(draw, batch_size, draw.randint(1, batch_size - 1), (2, 3))
        count = draw.randint(2, 9)  # elements per sample: features ..., then a label
        arrays = [_floats(draw, (size, draw.randint(1, 4))) for _ in range(count - 1)]
        arrays.append(np.array(_ids(draw, size), dtype=np.int64).reshape(size, 1))
        batches = observe("dataloader_batching.epoch_batches", arrays=[_spec(a) for a in arrays], batch_size=batch_size)
        expect(len(batches) >= 2, f"{size} samples with batch_size={batch_size} should give "
                                  f"{-(-size // batch_size)} batches, got {len(batches)}; check DataLoader.__iter__")
        for seen in batches:
            batch = seen["batch"]
            is_sequence = kind(batch) in ("tuple", "list")
            items = items_of(batch)
            expect(is_sequence and len(items) == count,
                   f"a batch of samples with {count} elements ({count - 1} features, label) should be a tuple of "
                   f"{count} Tensors, got {batch.get('type')}{'' if not is_sequence else f' of {len(items)}'}; "
                   "check DataLoader._collate_batch")
            expect_tensors(items, "each element of a batch",
                           "wrap the stacked arrays in Tensor in DataLoader._collate_batch")


@pytest.mark.points(1)
def test_single_tensor_samples_give_a_tensor(observe, draw):
    """A dataset whose samples are single Tensors (not tuples) gives batches that are single Tensors."""
    batch_size, count = draw.randint(2, 3), draw.randint(2, 4)
    size = batch_size * count
    vectors = _floats(draw, (size, draw.randint(2, 4)))
    batches = observe("dataloader_batching.single_tensor_epoch", arrays=[_spec(vectors)], batch_size=batch_size)
    expect(len(batches) == count, f"{size} single-Tensor samples with batch_size={batch_size} should give {count} "
                                  f"batches, got {len(batches)}; check how DataLoader.__iter__ cuts the batches")
    for number, seen in enumerate(batches):
        batch = seen["batch"]
        expect(kind(batch) == "Tensor",
               f"when samples are single Tensors each batch should be a single Tensor, got "
               f"{batch.get('type')}; handle non-tuple samples in DataLoader._collate_batch")
        got = array_of(batch)
        expected = vectors[number * batch_size:(number + 1) * batch_size]
        blame = ("check how DataLoader.__iter__ cuts the batches" if got is not None and got.ndim == expected.ndim
                 and got.shape[1:] == expected.shape[1:] and len(got) != len(expected) else
                 "stack the samples along a new axis 0 in DataLoader._collate_batch")
        expect(got is not None and np.array_equal(np.sort(got, axis=None), np.sort(expected, axis=None)),
               f"batch {number} should hold samples {number * batch_size}..{(number + 1) * batch_size - 1} "
               f"({expected.tolist()}), "
               f"got {got.tolist() if got is not None else 'data of dtype ' + str(batch.get('dtype'))}; {blame}")


@pytest.mark.points(2)
def test_loads_lazily_one_batch_at_a_time(observe, draw):
    """Taking a batch fetches exactly that batch's samples: nothing is loaded ahead.  Judged
    against the samples the batches taken hold, so wrong batch boundaries are left to the
    tests of boundaries."""
    for _ in range(2):
        batch_size = draw.randint(2, 20)
        size = draw.randint(4 * batch_size + 1, 100)  # more than the 3 batches taken
        ids = _ids(draw, size)
        seen = observe("dataloader_batching.lazy_fetches", size=size, batch_size=batch_size, ids=ids)
        where = {value: index for index, value in enumerate(ids)}
        for step, taken in (("the first batch", seen["after_one"]), ("3 batches", seen["after_three"])):
            held = sorted(where.get(value, -1) for batch in taken["ids"] for value in batch)
            fetched = taken["fetched"]
            expect(taken["count"] <= len(held) and sorted(fetched) == held,
                   f"taking {step} of {_describe(size, batch_size)} should fetch only the samples those batches "
                   f"hold ({len(held)}), but {taken['count']} fetches were made (first ones: {fetched[:10]}); "
                   "make DataLoader.__iter__ a generator that loads one batch per step")


@pytest.mark.points(2)
def test_each_iter_is_a_full_epoch(observe, draw):
    """Iterating the loader again gives a complete new epoch, also after a partial one."""
    batch_size = draw.randint(2, 4)
    size = batch_size * draw.randint(3, 4)
    ids = _ids(draw, size)
    seen = observe("dataloader_batching.repeated_epochs", size=size, batch_size=batch_size, ids=ids)
    expected = _expected_batches(ids, batch_size)
    first, second, third = seen["first"], seen["second"], seen["third"]
    # judged against the loader's own first epoch: wrong batch boundaries are the business of other tests
    expect(first != [] or expected == [], f"the first epoch of {_describe(size, batch_size)} should give "
                                          f"{expected}, got no batch at all; check DataLoader.__iter__")
    expect(second == first, f"two epochs of {_describe(size, batch_size)} should give the same batches (no shuffle), "
                            f"got {first} then {second}; each iter(loader) should start a new, whole epoch in "
                            "DataLoader.__iter__")
    expect(third == first, f"a new epoch after a half-used one should give {first} again, got {third}; "
                           "do not keep the position in the loader between iter() calls")


@pytest.mark.points(1)
def test_bad_batch_size_rejected(observe, draw):
    """batch_size 0, negative, float (2.5 and 4.0) and bool is refused with ValueError."""
    size = draw.randint(6, 20)
    ids = _ids(draw, size)
    bad = [0, -1, -draw.randint(2, 64), _fraction(draw), float(draw.randint(1, 16)), True, False]
    fine = draw.sample(range(2, size), 3)  # positive integers among them, in drawn places: they are accepted
    cases = [(value, False) for value in bad] + [(value, True) for value in fine]
    cases = draw.sample(cases, len(cases))
    for value, accepted in cases:
        outcome = observe("dataloader_batching.construct", size=size, batch_size=value, ids=ids)
        if accepted:
            info = raised(outcome)
            expect(info is None, f"DataLoader({size} samples, batch_size={value}) should be accepted (a positive "
                                 f"integer), but {describe_raised(info) if info else ''}; check DataLoader.__init__")
        else:
            expect_raised(outcome, "ValueError",
                          f"DataLoader(batch_size={value!r}) should raise ValueError (batch_size must be a positive "
                          "integer, not a bool or float); check DataLoader.__init__")


@pytest.mark.points(1)
def test_bad_batch_size_message(observe, draw):
    """The batch_size ValueError says "positive integer" and shows the value given."""
    size = draw.randint(6, 20)
    ids = _ids(draw, size)
    for bad in draw.sample([-draw.randint(10, 99), _fraction(draw)], 2):
        outcome = observe("dataloader_batching.construct", size=size, batch_size=bad, ids=ids)
        info = expect_raised(outcome, "ValueError", f"DataLoader(batch_size={bad!r}) should raise ValueError")
        message = whole_message(info)
        expect("positive integer" in message and str(bad) in message,
               f"the ValueError for batch_size={bad!r} should contain \"positive integer\" and {bad!r}, got the "
               f"message {message_of(info)}; check DataLoader.__init__")


@pytest.mark.points(1)
def test_numpy_integer_batch_size(observe, draw):
    """NumPy integers are valid batch sizes: np.int64(4) and np.int32(3) work like 4 and 3."""
    for dtype in ("int64", "int32"):
        batch_size = draw.randint(2, 5)
        size = batch_size * draw.randint(2, 4)
        ids = _ids(draw, size)
        label = f"np.{dtype}({batch_size})"
        seen = observe("dataloader_batching.numpy_batch_size", size=size, batch_size=batch_size, dtype=dtype,
                       ids=ids)
        info = raised(seen)
        if info is not None:
            if is_error(info, "ValueError") or is_error(info, "TypeError"):
                raise CheckFailed(f"DataLoader({size} samples, batch_size={label}) should be accepted, but it "
                                  f"raised {info.get('type')}: {message_of(info)}; accept NumPy integers in "
                                  "DataLoader.__init__")
            raise CheckFailed(f"DataLoader({size} samples, batch_size={label}): {describe_raised(info)}")
        # judged against the same loader with the Python int: only the handling of NumPy integers counts here
        expect(seen["len"] == seen["int_len"],
               f"len(DataLoader({size} samples, batch_size={label})) should be the same as with batch_size="
               f"{batch_size}, {seen['int_len']}, got {seen['len']}; treat NumPy integers like ints in DataLoader")
        got = seen["ids"]
        expect(got == seen["int_ids"], f"DataLoader({size} samples, batch_size={label}) over the sample ids {ids} "
                                       f"should give the same batches as with batch_size={batch_size}, "
                                       f"{seen['int_ids']}, got {got}; treat NumPy integers like ints in DataLoader")
        stored = seen.get("stored") if type(seen.get("stored")) is dict else {}
        expect(stored.get("type") == "int" and stored.get("value") == batch_size,
               f"DataLoader(batch_size={label}) should store self.batch_size as the Python int {batch_size}, got "
               f"{'the int ' + str(stored.get('value')) if stored.get('type') == 'int' else quote(stored.get('type'))}"
               "; store a Python int in DataLoader.__init__")


@pytest.mark.points(1)
def test_collation_keeps_every_dtype_and_axis(observe, draw):
    """Every dtype (bool, uint8, int32, int64, float16, float32, float64) is kept, 0-d elements
    included; (1,)-shaped elements and batches of one sample keep every axis; 1-tuples stay
    1-tuples; 4-D datasets stack to (B, C, H, W); mixed structures; an empty dataset.  Only the
    collation is judged here, on whichever samples each batch holds (batch boundaries and batch
    sizes past the size are left to the other tests)."""
    rng = random.Random(draw.getrandbits(64))
    dtypes = draw.sample(DTYPE_NAMES, len(DTYPE_NAMES))
    batch_size = draw.randint(2, 4)
    one_left = _with_remainder(draw, batch_size, 1, (1, 3))  # a last batch of one sample
    cases = [_make_case(rng, one_left, batch_size, False, [(dtype, "()") for dtype in dtypes]),
             _make_case(rng, one_left, batch_size, False, [(dtype, "(1,)") for dtype in dtypes]),
             _make_case(rng, draw.randint(2, 4), 1, False, [(dtype, "(k,)") for dtype in dtypes]),
             _make_case(rng, draw.randint(2, 5), 1, False, [(draw.choice(dtypes), "(h, w)")], single=True),
             _make_case(rng, one_left, batch_size, False, [(draw.choice(dtypes), "(1,)")], single=True),
             _make_case(rng, one_left, batch_size, draw.random() < 0.5, [(draw.choice(dtypes), "(c, h, w)")]),
             _make_case(rng, one_left, batch_size, False, [(draw.choice(dtypes), "(1,)")]),
             _make_case(rng, 0, draw.randint(1, 4), draw.random() < 0.5, [(draw.choice(dtypes), "(k,)")] * 2),
             _make_case(rng, batch_size + draw.randint(1, 5), batch_size, False,
                        [(draw.choice(dtypes), draw.choice(SHAPE_KINDS)) for _ in range(3)])]
    _run_cases(observe, draw.sample(cases, len(cases)), boundaries=False)


PROPERTY_EXAMPLES = 8  # probe calls; each runs CASES_PER_EXAMPLE loaders
CASES_PER_EXAMPLE = 3


@pytest.mark.points(2)
def test_batches_property(observe):
    """Property over dataset sizes from 0, batch sizes past the size, drop_last both ways, the
    dtypes bool .. float64 and sample structures (bare Tensor; 1-, 2-, 3-tuples; elements 0-d,
    (1,), 1-D, 2-D, 3-D): len matches the batches, the batches partition the data in order with
    the right sizes, each element has shape (B, *sample shape) and keeps its dtype and values,
    and the structure of the samples is kept."""

    def check(example):
        cases = []
        for size, batch_size, drop_last, single, elements, seed in example:
            cases.append(_make_case(random.Random(seed), size, batch_size, drop_last,
                                    elements[:1] if single else elements, single))
        _run_cases(observe, cases)

    check_property(observe, st.lists(_CASE, min_size=CASES_PER_EXAMPLE, max_size=CASES_PER_EXAMPLE), check,
                   examples=PROPERTY_EXAMPLES)


@pytest.mark.points(1)
def test_len_fetches_no_samples(observe, draw):
    """len(loader) is computed from len(dataset) and batch_size: it fetches no sample and runs no
    epoch (plain, shuffled and drop_last loaders)."""
    batch_size = draw.randint(2, 6)
    size = _with_remainder(draw, batch_size, draw.randint(1, batch_size - 1), (2, 6))
    seen = observe("dataloader_batching.len_fetches", size=size, batch_size=batch_size, ids=_ids(draw, size))
    for name, options in (("plain", ""), ("shuffled", ", shuffle=True"), ("drop_last", ", drop_last=True")):
        fetched = seen[name]["fetched"]
        expect(fetched == 0, f"len(DataLoader({size} samples, batch_size={batch_size}{options})) fetched {fetched} "
                             "samples from the dataset, and it should fetch none: compute DataLoader.__len__ from "
                             "len(dataset) and batch_size alone, without running an epoch")


@pytest.mark.points(1)
def test_concurrent_loops_get_their_own_epochs(observe, draw):
    """Two loops over one loader at the same time, zip(loader, loader) and nested loops, each get
    a complete epoch of their own: without shuffle the batches of one loop alone, each time; with
    a seeded shuffle no sample twice in one loop, in batches of the sizes of one loop alone.
    Compared with the loader's own single loop, so wrong batch boundaries are left to other tests.
    No false failure: every correct loader passes whatever the permutations.  A loader whose loops
    share one order (kept on the loader) passes the shuffled zip check only if two independent
    permutations put the same set of samples first (probability 1/C(size, batch_size) <= 1/84),
    and the nested check only if that happens for every outer batch as well."""
    batch_size = draw.randint(3, 5)
    size = _with_remainder(draw, batch_size, draw.randint(0, batch_size - 1), (3, 5))
    ids = _ids(draw, size)
    hint = ("each iter(loader) needs its own order and position: keep them in the iterator that "
            "DataLoader.__iter__ returns (local variables of the generator), not on the loader")
    plain = observe("dataloader_batching.concurrent_epochs", size=size, batch_size=batch_size, ids=ids,
                    shuffle=False)
    # judged against the loader's own epoch when looped over alone: wrong boundaries are left to other tests
    expected = plain["alone"]
    pairs = [[batch, batch] for batch in expected]
    expect(plain["zip"] == pairs, f"zip(loader, loader) over {_describe(size, batch_size)} with the sample ids {ids} "
                                  f"should pair every batch with itself, {pairs}, got {plain['zip']}; {hint}")
    for number, entry in enumerate(plain["nested"]):
        expect(entry["inner"] == expected,
               f"a loop nested in a loop over the same {_describe(size, batch_size)} should run a whole epoch "
               f"{expected} for each outer batch, got {entry['inner']} inside outer batch {number}; {hint}")
    outer = [entry["outer"] for entry in plain["nested"]]
    expect(outer == expected, f"the outer loop of nested loops over one {_describe(size, batch_size)} should give "
                              f"{expected}, got {outer} (each inner loop runs its own epoch); {hint}")
    seed = draw.randrange(2**31)
    shuffled = observe("dataloader_batching.concurrent_epochs", size=size, batch_size=batch_size, ids=ids,
                       shuffle=True, seed=seed)
    loops = [("the first loop of zip(loader, loader)", [pair[0] for pair in shuffled["zip"]]),
             ("the second loop of zip(loader, loader)", [pair[1] for pair in shuffled["zip"]]),
             ("the outer loop of nested loops", [entry["outer"] for entry in shuffled["nested"]])]
    loops += [(f"the inner loop in outer batch {number}", entry["inner"])
              for number, entry in enumerate(shuffled["nested"])]
    sizes = [len(batch) for batch in shuffled["alone"]]  # the batch sizes of a shuffled epoch looped over alone
    for name, epoch in loops:
        expect(_is_complete_epoch(epoch, ids, sizes),
               f"with shuffle=True, seed={seed}, {name} over one DataLoader({size} samples, batch_size={batch_size}) "
               f"should visit each sample at most once, in batches of sizes {sizes} like one loop alone, got "
               f"{epoch}; {hint}")
