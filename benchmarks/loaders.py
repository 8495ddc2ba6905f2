"""How fast the loaders deliver CIFAR-shaped batches, against the memory-copy limit.

    .venv/bin/python benchmarks/loaders.py [--samples 50000] [--batch-size 128] [--repeats 5]
        [--figures autograded/figures] [--module tinytorch.core.dataloader]

One run prints two tables and writes two PNG figures:

* loaders: samples/s, GB/s, the ratio to the copy limit and to torch's
  DataLoader (when ``torch`` is importable; it is never required), and minor
  page faults per epoch, for: the copy limit (``np.copyto`` of the epoch's
  bytes, and for reference the same copy split over as many threads as the
  fast path uses), ``FastDataLoader`` (one gather per tensor, gathered one
  batch ahead by helper threads), ``FastDataLoader(prefetch=False)`` (the
  same in the calling thread alone), ``DataLoader`` (one ``__getitem__`` per
  sample, then ``np.stack``), the seed's per-sample loop and
  ``torch.utils.data.DataLoader(TensorDataset)``;
* augmentation (random crop with padding 4, then random horizontal flip):
  per-sample transforms applied in ``__getitem__`` (as a torchvision pipeline
  does) against ``FastDataLoader(batch_transforms=[BatchRandomCrop,
  BatchRandomHorizontalFlip])``, and torchvision's own transforms when
  ``torchvision`` is importable;
* figures: throughput against batch size for each loader, and the peak
  memory of an epoch (tracemalloc) against batch size.

Every epoch is shuffled.  Each figure is the median of ``--repeats`` epochs
after one warm-up epoch; the loaders take turns, epoch by epoch, so that a
burst of load from another process hits all of them alike.  Targets: the fast
path at >= 80% of the copy limit and >= 4x torch's DataLoader; batched
augmentation >= 8x the per-sample pipeline.

``--module`` names the library under test: a module name, or the path of a
``.py`` file exported from a notebook (``python -m tinytorch.export NOTEBOOK
--output FILE``).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.util
import math
import resource
import inspect
import statistics
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # tinytorch from this checkout, also from another environment
    sys.path.insert(0, str(ROOT))

IMAGE_SHAPE = (3, 32, 32)
SWEEP_BATCH_SIZES = (1, 4, 16, 64, 256, 1024)


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


def measure(contenders: dict, samples: int, repeats: int) -> dict:
    """Time one epoch of each contender, ``repeats`` times in turn after a warm-up.

    Returns {name: {"rate": median samples/s, "faults": median minor faults per epoch}}.
    """
    times = {name: [] for name in contenders}
    faults = {name: [] for name in contenders}
    for epoch in contenders.values():
        epoch()  # warm-up: first touches, caches, lazy imports
    for _ in range(repeats):
        for name, epoch in contenders.items():
            gc.collect()
            before, start = minor_faults(), time.perf_counter()
            epoch()
            times[name].append(time.perf_counter() - start)
            faults[name].append(minor_faults() - before)
    return {name: {"rate": samples / statistics.median(times[name]),
                   "faults": statistics.median(faults[name]),
                   "spread": (samples / max(times[name]), samples / min(times[name]))}
            for name in contenders}


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


def peak_epoch_memory(make_batches) -> int:
    """Peak bytes allocated (tracemalloc) above the start while one epoch runs.

    The loop variable keeps the previous batch alive while the next one is
    made, as in a training loop.
    """
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for batch in make_batches():  # noqa: B007 - held on purpose
        pass
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak


def print_table(title: str, results: dict, sample_bytes: int, copy_rate: float, torch_name: str | None) -> None:
    print(f"\n{title}")
    header = f"{'':44s} {'samples/s':>11s} {'GB/s':>6s} {'vs copy':>8s} {'vs torch':>9s} {'faults/epoch':>13s}"
    print(header)
    print("-" * len(header))
    torch_rate = results[torch_name]["rate"] if torch_name in results else None
    for name, result in results.items():
        rate = result["rate"]
        versus_torch = f"{rate / torch_rate:8.2f}x" if torch_rate else f"{'-':>9s}"
        print(f"{name:44s} {rate:11,.0f} {rate * sample_bytes / 1e9:6.2f} {rate / copy_rate:8.1%} "
              f"{versus_torch} {result['faults']:13,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=50_000, help="dataset size (default 50,000, CIFAR-10)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=5, help="timed epochs per loader (median; default 5)")
    parser.add_argument("--sweep-samples", type=int, default=8192,
                        help="dataset size for the batch-size sweeps and memory figure (default 8192)")
    parser.add_argument("--figures", default=str(ROOT / "autograded" / "figures"),
                        help="folder for the PNG figures (default autograded/figures)")
    parser.add_argument("--no-figures", action="store_true", help="skip the sweeps and figures")
    parser.add_argument("--module", default="tinytorch.core.dataloader",
                        help="the library under test: a module name or a .py file")
    arguments = parser.parse_args()
    if arguments.repeats < 1 or arguments.samples < 1 or arguments.batch_size < 1:
        parser.error("--samples, --batch-size and --repeats must be positive")

    library = load_library(arguments.module)
    Tensor = library.Tensor
    torch = optional_import("torch")
    torchvision_v2 = optional_import("torchvision.transforms.v2") if torch else None

    samples, batch_size, repeats = arguments.samples, arguments.batch_size, arguments.repeats
    images = np.random.default_rng(0).random((samples, *IMAGE_SHAPE), dtype=np.float32)
    labels = (np.arange(samples) % 10).astype(np.int64)
    sample_bytes = images[0].nbytes + labels.itemsize
    dataset = library.TensorDataset(Tensor(images), Tensor(labels))
    print(f"{samples:,} samples of {IMAGE_SHAPE} float32 + int64 label ({sample_bytes:,} bytes each, "
          f"{samples * sample_bytes / 1e6:,.0f} MB an epoch), batch {batch_size}, shuffled, "
          f"median of {repeats} epochs; numpy {np.__version__}"
          + (f", torch {torch.__version__} ({torch.get_num_threads()} threads)" if torch else ", torch not importable"))

    copy_images, copy_labels = np.empty_like(images), np.empty_like(labels)

    def copy_epoch():
        np.copyto(copy_images, images)
        np.copyto(copy_labels, labels)

    def loader_epoch(loader):
        return lambda: run_epoch(lambda: loader)

    helpers = library._gather_helpers.start() if hasattr(library, "_gather_helpers") else 0
    can_prefetch = "prefetch" in inspect.signature(library.FastDataLoader).parameters
    fast_name = (f"FastDataLoader ({helpers} helper thread{'s' * (helpers != 1)} ahead)"
                 if can_prefetch else "FastDataLoader (one gather per tensor)")
    contenders = {
        "copy limit (np.copyto of the epoch's bytes)": copy_epoch,
        fast_name: loader_epoch(library.FastDataLoader(dataset, batch_size, shuffle=True, seed=0)),
    }
    if can_prefetch:
        contenders["FastDataLoader(prefetch=False), one thread"] = loader_epoch(
            library.FastDataLoader(dataset, batch_size, shuffle=True, seed=0, prefetch=False))
    contenders.update({
        "DataLoader (per-sample __getitem__ + stack)": loader_epoch(
            library.DataLoader(dataset, batch_size, shuffle=True, seed=0)),
        "seed's per-sample loop": lambda: run_epoch(seed_loop(library, dataset, batch_size, 0)),
    })
    if helpers:
        contenders[f"for reference: the copy on {helpers + 1} threads"] = lambda: copy_on_threads(
            [(copy_images, images), (copy_labels, labels)], helpers + 1)
    torch_name = None
    if torch is not None:
        torch_name = "torch DataLoader(TensorDataset)"
        torch_dataset = torch.utils.data.TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
        contenders[torch_name] = loader_epoch(torch.utils.data.DataLoader(
            torch_dataset, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(0)))
    results = measure(contenders, samples, repeats)
    copy_name = next(iter(results))
    copy_rate = results[copy_name]["rate"]
    print_table("Loaders", results, sample_bytes, copy_rate, torch_name)

    # Augmentation: pad 4 + random 32x32 crop, then a random horizontal flip.
    per_sample_pipeline = library.Compose([library.RandomCrop(32, padding=4, seed=1),
                                           library.RandomHorizontalFlip(seed=2)])
    augmenting = {
        "per-sample transforms in __getitem__": loader_epoch(library.DataLoader(
            Augmented(dataset, per_sample_pipeline), batch_size, shuffle=True, seed=0)),
        "FastDataLoader + batch_transforms": loader_epoch(library.FastDataLoader(
            dataset, batch_size, shuffle=True, seed=0,
            batch_transforms=[library.BatchRandomCrop(32, padding=4, seed=1),
                              library.BatchRandomHorizontalFlip(seed=2)])),
    }
    if torchvision_v2 is not None:
        vision = torchvision_v2.Compose([torchvision_v2.RandomCrop(32, padding=4),
                                         torchvision_v2.RandomHorizontalFlip()])
        augmenting["torchvision transforms, torch DataLoader"] = loader_epoch(torch.utils.data.DataLoader(
            Augmented(torch_dataset, vision), batch_size=batch_size, shuffle=True,
            generator=torch.Generator().manual_seed(0)))
    augmented = measure(augmenting, samples, repeats)
    print_table("Augmentation (RandomCrop(32, padding=4) then RandomHorizontalFlip)", augmented,
                sample_bytes, copy_rate, None)

    fast_rate = results[fast_name]["rate"]
    batched_rate = augmented["FastDataLoader + batch_transforms"]["rate"]
    per_sample_rate = augmented["per-sample transforms in __getitem__"]["rate"]
    print("\nTargets")
    verdict = lambda ok: "met" if ok else "MISSED"  # noqa: E731
    print(f"  fast path >= 80% of the copy limit:        {fast_rate / copy_rate:6.1%}  {verdict(fast_rate >= 0.8 * copy_rate)}")
    if torch_name:
        ratio = fast_rate / results[torch_name]["rate"]
        print(f"  fast path >= 4x torch's DataLoader:        {ratio:6.2f}x  {verdict(ratio >= 4)}")
    else:
        print("  fast path >= 4x torch's DataLoader:        not measured (torch is not importable)")
    ratio = batched_rate / per_sample_rate
    print(f"  batched augmentation >= 8x per-sample:     {ratio:6.2f}x  {verdict(ratio >= 8)}")
    if "torchvision transforms, torch DataLoader" in augmented:
        ratio = batched_rate / augmented["torchvision transforms, torch DataLoader"]["rate"]
        print(f"  batched augmentation vs torchvision:       {ratio:6.2f}x  {verdict(ratio >= 8)}")
    spread = {name: r["spread"] for name, r in {**results, **augmented}.items()}
    print("\nSpread (slowest .. fastest epoch, samples/s): "
          + "; ".join(f"{name.split(' (')[0]}: {low:,.0f} .. {high:,.0f}" for name, (low, high) in spread.items()))

    if not arguments.no_figures:
        sweeps(library, torch, images, labels, arguments, sample_bytes)


def sweeps(library, torch, images, labels, arguments, sample_bytes: int) -> None:
    """Throughput and epoch peak memory against batch size; two PNG figures."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    count = min(arguments.sweep_samples, len(images))
    images, labels = images[:count], labels[:count]
    Tensor = library.Tensor
    dataset = library.TensorDataset(Tensor(images), Tensor(labels))

    def augment():
        return [library.BatchRandomCrop(32, padding=4, seed=1), library.BatchRandomHorizontalFlip(seed=2)]

    makers = {"FastDataLoader": lambda b: library.FastDataLoader(dataset, b, shuffle=True, seed=0)}
    if "prefetch" in inspect.signature(library.FastDataLoader).parameters:
        makers["FastDataLoader(prefetch=False)"] = lambda b: library.FastDataLoader(
            dataset, b, shuffle=True, seed=0, prefetch=False)
    makers.update({
        "FastDataLoader + batched crop and flip": lambda b: library.FastDataLoader(
            dataset, b, shuffle=True, seed=0, batch_transforms=augment()),
        "DataLoader (per sample)": lambda b: library.DataLoader(dataset, b, shuffle=True, seed=0),
    })
    if torch is not None:
        torch_dataset = torch.utils.data.TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
        makers["torch DataLoader(TensorDataset)"] = lambda b: torch.utils.data.DataLoader(
            torch_dataset, batch_size=b, shuffle=True, generator=torch.Generator().manual_seed(0))

    copy_images = np.empty_like(images)
    copy_rate = measure({"copy": lambda: np.copyto(copy_images, images)}, count, arguments.repeats)["copy"]["rate"]
    rates = {name: [] for name in makers}
    faults = {name: [] for name in makers}
    print(f"\nBatch-size sweep ({count:,} samples, median of {arguments.repeats}): samples/s "
          f"(minor page faults per epoch); copy limit {copy_rate:,.0f} samples/s")
    print(f"{'batch':>6s} " + " ".join(f"{name[:30]:>30s}" for name in makers))
    for size in SWEEP_BATCH_SIZES:
        contenders = {}
        for name, make in makers.items():
            loader = make(size)
            contenders[name] = (lambda loader: lambda: run_epoch(lambda: loader))(loader)
        measured = measure(contenders, count, arguments.repeats)
        for name in makers:
            rates[name].append(measured[name]["rate"])
            faults[name].append(measured[name]["faults"])
        print(f"{size:6d} " + " ".join(f"{measured[n]['rate']:>18,.0f} ({measured[n]['faults']:>8,.0f})"
                                       for n in makers))

    memory = {name: [] for name in makers if not name.startswith("torch")}
    for size in SWEEP_BATCH_SIZES:
        for name in memory:
            loader = makers[name](size)
            memory[name].append(peak_epoch_memory(lambda: loader))
    batch_bytes = [size * sample_bytes for size in SWEEP_BATCH_SIZES]
    print(f"\nPeak memory of an epoch (tracemalloc), in batches of images + labels; the epoch's index "
          f"order ({count * 8 / 1e3:,.0f} kB, 8 bytes a sample) is included and dominates at small batches:")
    print(f"{'batch':>6s} " + " ".join(f"{name[:38]:>38s}" for name in memory))
    for position, size in enumerate(SWEEP_BATCH_SIZES):
        print(f"{size:6d} " + " ".join(f"{memory[n][position] / batch_bytes[position]:>38.2f}" for n in memory))

    folder = Path(arguments.figures)
    folder.mkdir(parents=True, exist_ok=True)
    styles = {"FastDataLoader": "s-", "FastDataLoader(prefetch=False)": "x-",
              "FastDataLoader + batched crop and flip": "^-",
              "DataLoader (per sample)": "o-", "torch DataLoader(TensorDataset)": "d-"}
    figure, axes = plt.subplots(figsize=(7.5, 4.8))
    for name, values in rates.items():
        axes.plot(SWEEP_BATCH_SIZES, values, styles[name], label=name)
    axes.axhline(copy_rate, color="grey", linestyle="--", label="copy limit (np.copyto of the same bytes)")
    axes.set_xscale("log", base=2)
    axes.set_yscale("log")
    axes.set_xlabel("batch size (samples)")
    axes.set_ylabel("throughput (samples per second, log scale)")
    axes.set_title(f"Shuffled CIFAR-shaped epochs ({count:,} samples), median of {arguments.repeats}")
    axes.legend(fontsize=8)
    axes.grid(True, which="both", alpha=0.3)
    throughput_path = folder / "benchmark_loader_throughput.png"
    figure.savefig(throughput_path, dpi=110, bbox_inches="tight")
    plt.close(figure)

    figure, axes = plt.subplots(figsize=(7.5, 4.8))
    axes.plot(SWEEP_BATCH_SIZES, np.array(batch_bytes) / 1e6, "k--", label="one batch (images + labels)")
    for batches, style in ((2, "k-."), (3, "k:")):
        axes.plot(SWEEP_BATCH_SIZES, (batches * np.array(batch_bytes) + 8 * count) / 1e6, style,
                  label=f"{('two', 'three')[batches - 2]} batches + the epoch's index order")
    for name, values in memory.items():
        axes.plot(SWEEP_BATCH_SIZES, np.array(values) / 1e6, styles[name], label=f"{name}: epoch peak")
    axes.set_xscale("log", base=2)
    axes.set_yscale("log")
    axes.set_xlabel("batch size (samples)")
    axes.set_ylabel("peak memory above the start (MB, log scale)")
    axes.set_title("Peak memory of an epoch (tracemalloc; the previous batch is still held)")
    axes.legend(fontsize=8)
    axes.grid(True, which="both", alpha=0.3)
    memory_path = folder / "benchmark_loader_memory.png"
    figure.savefig(memory_path, dpi=110, bbox_inches="tight")
    plt.close(figure)
    print(f"\nfigures: {throughput_path}, {memory_path}")


if __name__ == "__main__":
    main()
