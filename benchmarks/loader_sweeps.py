"""Batch-size sweeps and figures for ``benchmarks/loaders.py``: throughput and peak memory.

Not a script: ``loaders.py`` calls ``sweeps`` unless it is given ``--no-figures``.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from pathlib import Path

import numpy as np

from tinytorch.data import BatchRandomCrop, BatchRandomHorizontalFlip, FastLoader, _gather

SWEEP_BATCH_SIZES = (1, 4, 16, 64, 256, 1024)
STYLES = {"FastLoader": "s-", "FastLoader(prefetch=False)": "x-", "FastLoader + batched crop and flip": "^-",
          "DataLoader (per sample)": "o-", "torch DataLoader(TensorDataset)": "d-"}


def epoch_seconds(loader) -> float:
    gc.collect()
    start = time.perf_counter()
    for _ in loader:
        pass
    return time.perf_counter() - start


def peak_epoch_memory(loader) -> int:
    """Peak bytes allocated (tracemalloc) above the start while one epoch runs.

    The loop variable keeps the previous batch alive while the next one is
    made, as in a training loop.
    """
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for batch in loader:  # noqa: B007 - held on purpose
        pass
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak


def makers(library, torch, images, labels) -> dict:
    """name -> function of the batch size that returns a loader over ``images, labels``."""
    dataset = library.TensorDataset(library.Tensor(images), library.Tensor(labels))

    def per_sample(size):
        return library.DataLoader(dataset, size, shuffle=True, seed=0)

    def augment():
        return [BatchRandomCrop(library.RandomCrop(32, padding=4, seed=1)),
                BatchRandomHorizontalFlip(library.RandomHorizontalFlip(seed=2))]

    found = {"FastLoader": lambda size: FastLoader(per_sample(size)),
             "FastLoader(prefetch=False)": lambda size: FastLoader(per_sample(size), prefetch=False),
             "FastLoader + batched crop and flip": lambda size: FastLoader(per_sample(size), transform=augment()),
             "DataLoader (per sample)": per_sample}
    if torch is not None:
        torch_dataset = torch.utils.data.TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
        found["torch DataLoader(TensorDataset)"] = lambda size: torch.utils.data.DataLoader(
            torch_dataset, batch_size=size, shuffle=True, generator=torch.Generator().manual_seed(0))
    return found


def sweeps(library, torch, images, labels, count: int, repeats: int, folder: Path, sample_bytes: int) -> None:
    """Throughput and epoch peak memory against batch size: printed, and two PNG figures in ``folder``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images, labels = images[:count], labels[:count]
    loaders = makers(library, torch, images, labels)
    copy_images = np.empty_like(images)
    copy_seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        np.copyto(copy_images, images)
        copy_seconds.append(time.perf_counter() - start)
    copy_rate = count / float(np.median(copy_seconds))
    rates = {name: [] for name in loaders}
    print(f"\nBatch-size sweep ({count:,} samples, median of {repeats} epochs taken in turn): samples/s; "
          f"copy limit {copy_rate:,.0f} samples/s")
    print(f"{'batch':>6s} " + " ".join(f"{name[:30]:>30s}" for name in loaders))
    for size in SWEEP_BATCH_SIZES:
        made = {name: make(size) for name, make in loaders.items()}
        seconds = {name: [] for name in made}
        for loader in made.values():
            epoch_seconds(loader)  # warm-up
        for _ in range(repeats):
            for name, loader in made.items():
                seconds[name].append(epoch_seconds(loader))
        for name in made:
            rates[name].append(count / float(np.median(seconds[name])))
        print(f"{size:6d} " + " ".join(f"{rates[name][-1]:>30,.0f}" for name in made))

    memory = {name: [] for name in loaders if not name.startswith("torch")}
    for size in SWEEP_BATCH_SIZES:
        for name in memory:
            memory[name].append(peak_epoch_memory(loaders[name](size)))
    batch_bytes = np.array([size * sample_bytes for size in SWEEP_BATCH_SIZES])
    print(f"\nPeak memory of an epoch (tracemalloc), in batches of images + labels; the epoch's index "
          f"order ({count * 8 / 1e3:,.0f} kB, 8 bytes a sample) is included and dominates at small batches:")
    print(f"{'batch':>6s} " + " ".join(f"{name[:38]:>38s}" for name in memory))
    for position, size in enumerate(SWEEP_BATCH_SIZES):
        print(f"{size:6d} " + " ".join(f"{memory[n][position] / batch_bytes[position]:>38.2f}" for n in memory))

    folder.mkdir(parents=True, exist_ok=True)
    figure, axes = plt.subplots(figsize=(7.5, 4.8))
    for name, values in rates.items():
        axes.plot(SWEEP_BATCH_SIZES, values, STYLES[name], label=name)
    axes.axhline(copy_rate, color="grey", linestyle="--", label="copy limit (np.copyto of the same bytes)")
    log_axes(axes, "throughput (samples per second, log scale)",
             f"Shuffled CIFAR-shaped epochs ({count:,} samples), median of {repeats}")
    throughput_path = folder / "benchmark_loader_throughput.png"
    figure.savefig(throughput_path, dpi=110, bbox_inches="tight")
    plt.close(figure)

    figure, axes = plt.subplots(figsize=(7.5, 4.8))
    axes.plot(SWEEP_BATCH_SIZES, batch_bytes / 1e6, "k--", label="one batch (images + labels)")
    ahead = 3 + _gather.helpers.start()  # FastLoader's bound when it gathers ahead
    for batches, style in ((2, "k-."), (ahead, "k:")):
        axes.plot(SWEEP_BATCH_SIZES, (batches * batch_bytes + 8 * count) / 1e6, style,
                  label=f"{batches} batches + the epoch's index order")
    for name, values in memory.items():
        axes.plot(SWEEP_BATCH_SIZES, np.array(values) / 1e6, STYLES[name], label=f"{name}: epoch peak")
    log_axes(axes, "peak memory above the start (MB, log scale)",
             "Peak memory of an epoch (tracemalloc; the previous batch is still held)")
    memory_path = folder / "benchmark_loader_memory.png"
    figure.savefig(memory_path, dpi=110, bbox_inches="tight")
    plt.close(figure)
    print(f"\nfigures: {throughput_path}, {memory_path}")


def log_axes(axes, ylabel: str, title: str) -> None:
    axes.set_xscale("log", base=2)
    axes.set_yscale("log")
    axes.set_xlabel("batch size (samples)")
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.legend(fontsize=8)
    axes.grid(True, which="both", alpha=0.3)
