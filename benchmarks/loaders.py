"""How fast the loaders deliver CIFAR-shaped batches, against the memory-copy limit.

    .venv/bin/python benchmarks/loaders.py [--samples 50000] [--batch-size 128] [--rounds 7]
        [--figures autograded/figures] [--no-figures] [--module tinytorch.core.dataloader]

Prints two tables and the targets, then (unless ``--no-figures``) a batch-size
sweep and a memory table, and writes two PNG figures (``loader_sweeps.py``).

* loaders: the copy limit (``np.copyto`` of the epoch's bytes, on one thread
  and split over every usable core), the bare gathers of an epoch with no
  loader around them (one thread), ``FastLoader`` from ``tinytorch.data``
  around the per-sample ``DataLoader`` (one gather per tensor; it chooses at
  run time whether helper threads gather ahead), the same with
  ``prefetch=False``, the per-sample ``DataLoader``, the seed's per-sample
  loop and ``torch.utils.data.DataLoader(TensorDataset)`` when ``torch`` is
  importable (it is never required);
* augmentation (random crop with padding 4, then random horizontal flip):
  per-sample transforms in ``__getitem__`` against ``FastLoader`` with
  ``BatchRandomCrop`` and ``BatchRandomHorizontalFlip``, and torchvision's own
  transforms when ``torchvision`` is importable.

Every epoch is shuffled.  A round is one epoch of each contender, taken in
turn after one warm-up epoch each, so that a burst of load from another
process hits the contenders of a round alike; the ratios behind the targets
are taken within each round and reported as median, min and max over the
rounds.  Targets: the fast path at >= 80% of the all-core copy and >= 4x
torch's DataLoader; batched augmentation >= 8x the per-sample pipeline.

``--module`` names the library whose per-sample classes are measured (and
wrapped by FastLoader): a module name, or the path of a ``.py`` file exported
from a notebook (``python -m tinytorch.export NOTEBOOK --output FILE``).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.util
import math
import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # tinytorch from this checkout, also from another environment
    sys.path.insert(0, str(ROOT))

from loader_sweeps import sweeps  # noqa: E402 - benchmarks/ is this script's own folder

from tinytorch.data import BatchRandomCrop, BatchRandomHorizontalFlip, FastLoader, _gather  # noqa: E402

IMAGE_SHAPE = (3, 32, 32)


def load_library(name: str):
    """Import the library under test from a module name or a .py file."""
    if name.endswith(".py"):
        path = Path(name).resolve()
        spec = importlib.util.spec_from_file_location("dataloader_under_test", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module
    return importlib.import_module(name)


def optional_import(name: str):
    """The module, or None when it is not installed or fails to import."""
    try:
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001 - e.g. a torchvision built for another torch
        return None


def minor_faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def run_epoch(make_batches) -> None:
    for _ in make_batches():
        pass


def seed_loop(library, dataset, batch_size: int, seed: int):
    """The seed's per-sample loop (DataLoader.__iter__ and _collate_batch of the
    first commit), shuffled, as one function: one ``dataset[i]`` per sample,
    then one ``np.stack`` per position of the sample."""
    Tensor = library.Tensor
    rng = np.random.default_rng(seed)

    def batches():
        order = rng.permutation(len(dataset))
        for start in range(0, math.ceil(len(dataset) / batch_size) * batch_size, batch_size):
            samples = [dataset[int(index)] for index in order[start:start + batch_size]]
            yield tuple(Tensor(np.stack([np.asarray(sample[position]) for sample in samples]))
                        for position in range(len(samples[0])))

    return batches


class Augmented:
    """A dataset that applies a per-sample transform to the image in ``__getitem__``,
    as a torchvision pipeline does."""

    def __init__(self, base, transform):
        self.base, self.transform = base, transform

    def __len__(self):
        return len(self.base)

    def __getitem__(self, index):
        image, label = self.base[index]
        return self.transform(image), label


def copy_on_threads(pairs: list, threads: int) -> None:
    """``np.copyto(target, source)`` for each pair, every array cut into ``threads``
    equal parts copied at the same time (``np.copyto`` releases the GIL)."""
    def copy_part(part: int) -> None:
        for target, source in pairs:
            rows = slice(len(source) * part // threads, len(source) * (part + 1) // threads)
            np.copyto(target[rows], source[rows])

    workers = [threading.Thread(target=copy_part, args=(part,)) for part in range(1, threads)]
    for worker in workers:
        worker.start()
    copy_part(0)
    for worker in workers:
        worker.join()


def gather_loop(images: np.ndarray, labels: np.ndarray, batch_size: int, seed: int):
    """The gathers of a shuffled epoch with no loader around them, in one thread:
    ``np.take`` of each batch's images into one reused buffer, and its labels."""
    rng = np.random.default_rng(seed)
    buffer = np.empty((batch_size, *images.shape[1:]), dtype=images.dtype)

    def epoch() -> None:
        order = rng.permutation(len(images))
        for start in range(0, len(images), batch_size):
            indices = order[start:start + batch_size]
            np.take(images, indices, axis=0, out=buffer[:len(indices)], mode="clip")
            labels[indices]

    return epoch


def measure(contenders: dict, rounds: int) -> dict:
    """Time one epoch of each contender per round, after a warm-up epoch each.

    Returns {name: {"seconds": [one per round], "faults": [minor faults per round]}}.
    """
    results = {name: {"seconds": [], "faults": []} for name in contenders}
    for epoch in contenders.values():
        epoch()  # warm-up: first touches, caches, lazy imports, the helper threads
    for _ in range(rounds):
        for name, epoch in contenders.items():
            gc.collect()
            before, start = minor_faults(), time.perf_counter()
            epoch()
            results[name]["seconds"].append(time.perf_counter() - start)
            results[name]["faults"].append(minor_faults() - before)
    return results


def spread(values: list) -> tuple[float, float, float]:
    """(median, min, max)."""
    return statistics.median(values), min(values), max(values)


def per_round(results: dict, faster: str, slower: str) -> list:
    """The speed of ``faster`` over ``slower``, one ratio per round."""
    return [slow / fast for fast, slow in zip(results[faster]["seconds"], results[slower]["seconds"])]


def print_table(title: str, results: dict, samples: int, sample_bytes: int, references: dict) -> None:
    """One line per contender: samples/s (median, min .. max over rounds), GB/s, the median
    per-round ratio to each reference contender, and minor page faults per epoch."""
    print(f"\n{title}")
    header = (f"{'':44s} {'samples/s':>10s} {'(min .. max)':>21s} {'GB/s':>6s} "
              + " ".join(f"{label:>12s}" for label in references) + f" {'faults/epoch':>13s}")
    print(header)
    print("-" * len(header))
    for name, result in results.items():
        middle, low, high = spread([samples / seconds for seconds in result["seconds"]])
        ratios = " ".join(f"{statistics.median(per_round(results, name, reference)):12.2f}"
                          if reference in results else f"{'-':>12s}" for reference in references.values())
        print(f"{name:44s} {middle:10,.0f} ({low:9,.0f} .. {high:9,.0f}) {middle * sample_bytes / 1e9:6.2f} "
              f"{ratios} {statistics.median(result['faults']):13,.0f}")


def target(label: str, ratios: list | None, goal: float, unit: str = "x") -> None:
    if ratios is None:
        print(f"  {label:44s} not measured")
        return
    middle, low, high = spread(ratios)
    shown = (lambda r: f"{r:.0%}") if unit == "%" else (lambda r: f"{r:.2f}x")
    verdict = "met" if middle >= goal else "MISSED"
    print(f"  {label:44s} median {shown(middle):>7s} (min {shown(low)}, max {shown(high)})  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=50_000, help="dataset size (default 50,000, CIFAR-10)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds, at least 5 (default 7)")
    parser.add_argument("--sweep-samples", type=int, default=8192,
                        help="dataset size for the batch-size sweeps and memory figure (default 8192)")
    parser.add_argument("--figures", default=str(ROOT / "autograded" / "figures"),
                        help="folder for the PNG figures (default autograded/figures)")
    parser.add_argument("--no-figures", action="store_true", help="skip the sweeps and figures")
    parser.add_argument("--module", default="tinytorch.core.dataloader",
                        help="the library under test: a module name or a .py file")
    arguments = parser.parse_args()
    if arguments.rounds < 5 or arguments.samples < 1 or arguments.batch_size < 1:
        parser.error("--samples and --batch-size must be positive, and --rounds at least 5")

    library = load_library(arguments.module)
    Tensor = library.Tensor
    torch = optional_import("torch")
    torchvision_v2 = optional_import("torchvision.transforms.v2") if torch else None

    samples, batch_size, rounds = arguments.samples, arguments.batch_size, arguments.rounds
    images = np.random.default_rng(0).random((samples, *IMAGE_SHAPE), dtype=np.float32)
    labels = (np.arange(samples) % 10).astype(np.int64)
    sample_bytes = images[0].nbytes + labels.itemsize
    dataset = library.TensorDataset(Tensor(images), Tensor(labels))
    cores = _gather.usable_cores()
    load_before = os.getloadavg()
    print(f"{samples:,} samples of {IMAGE_SHAPE} float32 + int64 label ({sample_bytes:,} bytes each, "
          f"{samples * sample_bytes / 1e6:,.0f} MB an epoch), batch {batch_size}, shuffled, {rounds} rounds; "
          f"numpy {np.__version__}, {cores} usable cores, load average {load_before[0]:.2f}"
          + (f", torch {torch.__version__} ({torch.get_num_threads()} threads)" if torch else ", torch not importable"))

    copy_images, copy_labels = np.empty_like(images), np.empty_like(labels)
    pairs = [(copy_images, images), (copy_labels, labels)]

    def loader_epoch(loader):
        return lambda: run_epoch(lambda: loader)

    def per_sample():
        return library.DataLoader(dataset, batch_size, shuffle=True, seed=0)

    copy_one = "copy limit, one thread (np.copyto)"
    copy_all = f"copy limit on all {cores} cores"
    fast_name, alone_name = "FastLoader (chooses to gather ahead)", "FastLoader(prefetch=False), one thread"
    gather_one = "np.take loop, one thread (no loader)"
    fast = FastLoader(per_sample())
    contenders = {copy_one: lambda: copy_on_threads(pairs, 1), copy_all: lambda: copy_on_threads(pairs, cores),
                  gather_one: gather_loop(images, labels, batch_size, 0),
                  fast_name: loader_epoch(fast), alone_name: loader_epoch(FastLoader(per_sample(), prefetch=False)),
                  "DataLoader (per-sample __getitem__ + stack)": loader_epoch(per_sample()),
                  "seed's per-sample loop": lambda: run_epoch(seed_loop(library, dataset, batch_size, 0))}
    torch_name = None
    if torch is not None:
        torch_name = "torch DataLoader(TensorDataset)"
        torch_dataset = torch.utils.data.TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
        contenders[torch_name] = loader_epoch(torch.utils.data.DataLoader(
            torch_dataset, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(0)))
    results = measure(contenders, rounds)
    references = {"vs 1 thread": copy_one, "vs all cores": copy_all, "vs torch": torch_name}
    print_table("Loaders (ratios: median of the per-round ratios)", results, samples, sample_bytes, references)
    made = fast.choice.batches
    print(f"FastLoader gathered {made[True] / max(1, sum(made.values())):.0%} of its {sum(made.values()):,} "
          f"batches ahead in helper threads ({_gather.helpers.count} helper(s)), the rest in the calling thread")

    # Augmentation: pad 4 + random 32x32 crop, then a random horizontal flip.
    per_sample_pipeline = library.Compose([library.RandomCrop(32, padding=4, seed=1),
                                           library.RandomHorizontalFlip(seed=2)])
    batched = [BatchRandomCrop(library.RandomCrop(32, padding=4, seed=1)),
               BatchRandomHorizontalFlip(library.RandomHorizontalFlip(seed=2))]
    augmenting = {
        "per-sample transforms in __getitem__": loader_epoch(library.DataLoader(
            Augmented(dataset, per_sample_pipeline), batch_size, shuffle=True, seed=0)),
        "FastLoader + batch transforms": loader_epoch(FastLoader(per_sample(), transform=batched)),
    }
    if torchvision_v2 is not None:
        vision = torchvision_v2.Compose([torchvision_v2.RandomCrop(32, padding=4),
                                         torchvision_v2.RandomHorizontalFlip()])
        augmenting["torchvision transforms, torch DataLoader"] = loader_epoch(torch.utils.data.DataLoader(
            Augmented(torch_dataset, vision), batch_size=batch_size, shuffle=True,
            generator=torch.Generator().manual_seed(0)))
    augmented = measure(augmenting, rounds)
    print_table("Augmentation (RandomCrop(32, padding=4) then RandomHorizontalFlip)", augmented, samples,
                sample_bytes, {"vs per-sample": "per-sample transforms in __getitem__"})

    print("\nTargets (per-round ratios over the rounds)")
    target(f"fast path >= 80% of the copy on all {cores} cores", per_round(results, fast_name, copy_all), 0.8, "%")
    target("fast path >= 4x torch's DataLoader", per_round(results, fast_name, torch_name) if torch_name else None, 4)
    target("batched augmentation >= 8x per-sample",
           per_round(augmented, "FastLoader + batch transforms", "per-sample transforms in __getitem__"), 8)
    print("  for reference, not targets:")
    target("fast path vs the one-thread copy", per_round(results, fast_name, copy_one), 0.8, "%")
    target("prefetch=False vs the copy on all cores", per_round(results, alone_name, copy_all), 0.8, "%")
    target("prefetch=False vs the bare np.take loop", per_round(results, alone_name, gather_one), 0.8, "%")
    load_after = os.getloadavg()
    print(f"\nload average (1 min) {load_before[0]:.2f} before, {load_after[0]:.2f} after: other processes "
          f"share these {cores} cores; compare the ratios, not the rates, on a busy machine")

    if not arguments.no_figures:
        sweeps(library, torch, images, labels, min(arguments.sweep_samples, samples), rounds,
               Path(arguments.figures), sample_bytes)


if __name__ == "__main__":
    main()
