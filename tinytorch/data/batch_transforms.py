"""Batch transforms: a per-sample RandomCrop or RandomHorizontalFlip, run on a whole batch.

    crop = BatchRandomCrop(RandomCrop(32, padding=4, seed=1))
    flip = BatchRandomHorizontalFlip(RandomHorizontalFlip(seed=2))
    images = flip(crop(images))          # images: a batch, (N, C, H, W)

A provided module, not part of any exercise.  Each batch transform wraps a
per-sample transform (yours, from the notebook, or the exported one) and
takes its settings and its random source from it: ``size``, ``padding``,
``layout`` and ``_generator`` of a crop; ``p``, ``layout`` and
``_generator`` of a flip.  It checks nothing the per-sample transform
already checked when it was built.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tinytorch.core.tensor import Tensor

CHUNK_BYTES = 256 * 1024  # padded samples cropped together: small enough to stay in cache
LAYOUTS = {"CHW": {3: (1, 2), 4: (2, 3)}, "HWC": {3: (1, 2), 4: (1, 2)}}  # batch ndim -> (height, width) axes


def _setting(transform: Any, name: str, kind: str) -> Any:
    """``transform.<name>``, or a TypeError that names what is missing."""
    if not hasattr(transform, name):
        raise TypeError(f"{kind} should be a per-sample {kind} with a .{name} attribute, "
                        f"got {type(transform).__name__}")
    return getattr(transform, name)


def _image_axes_of_batch(array: np.ndarray, layout: str) -> tuple[int, int]:
    """The (height, width) axes of a batch (N, C, H, W), (N, H, W, C) or (N, H, W)."""
    axes = LAYOUTS[layout].get(array.ndim)
    if axes is None:
        raise ValueError(f"a batch of images must have 3 axes (N, H, W) or 4 axes (N, {', '.join(layout)}), "
                         f"got {array.ndim} axes")
    return axes


def _rows(array: np.ndarray, pixel_bytes: int, shape: tuple, strides: tuple, row: int,
          offset: int = 0) -> np.ndarray:
    """View the C-contiguous ``array`` as image rows, each row one opaque item.

    ``shape`` counts rows (the last axis runs down the image); ``strides``
    and ``offset`` are in pixels, where a pixel is everything after the width
    axis (C values for HWC, one value otherwise) and takes ``pixel_bytes``;
    ``row`` is the number of pixels in a row.  NumPy copies such a view one
    row at a time with ``memcpy``, instead of one element at a time.
    """
    return np.ndarray(shape, dtype=np.dtype((np.void, row * pixel_bytes)), buffer=array,
                      offset=offset * pixel_bytes, strides=tuple(step * pixel_bytes for step in strides))


class _BatchTransform:
    """A transform of a whole batch.  Subclasses implement
    ``transform_batch(array, writable)``, which FastLoader calls directly
    (in place on a fresh batch); calling the transform never modifies its input."""

    layout: str

    def __call__(self, batch: Any) -> Any:
        """Return the transformed batch: a Tensor in gives a Tensor out, an array an array."""
        was_tensor = isinstance(batch, Tensor)
        array, _ = self.transform_batch(batch.data if was_tensor else np.asarray(batch), False)
        return Tensor(array) if was_tensor else array

    def transform_batch(self, array: np.ndarray, writable: bool) -> tuple[np.ndarray, bool]:
        """Return ``(result, fresh)``; ``array`` may be overwritten only when ``writable``."""
        raise NotImplementedError

    def _check_layout(self, transform: Any, kind: str) -> str:
        layout = _setting(transform, "layout", kind)
        if layout not in LAYOUTS:
            raise ValueError(f"{kind}.layout should be 'CHW' or 'HWC', got {layout!r}")
        return layout


class BatchRandomCrop(_BatchTransform):
    """A per-sample ``RandomCrop`` for a whole batch: each sample gets its own random window.

    Args:
        crop: the per-sample crop whose ``size`` (a (height, width) pair),
            ``padding``, ``layout`` and random source (``_generator``: a
            ``np.random.Generator`` or the ``np.random`` module) this uses.
            The two share that source: a draw by one is not made by the other.

    Raises:
        TypeError: if ``crop`` lacks one of those attributes; (when called)
            for an array of Python objects.
        ValueError: (when called) if the crop is larger than the padded
            image (the message gives both sizes), or if the batch does not
            have 3 axes (N, H, W) or 4 axes (N, C, H, W) / (N, H, W, C).

    ``BatchRandomCrop(crop)(batch)`` equals ``np.stack([crop(sample) for
    sample in batch])`` for the reference crop, which draws the top offset
    then the left one with ``integers`` (or ``randint``) for each sample in
    turn: this draws the same numbers in the same order, in one call.  The
    number of positions along each axis is counted by NumPy, as the number
    of windows ``sliding_window_view`` finds in the padded image.  A Tensor
    in gives a Tensor out; the input batch is never modified.

    How: a chunk of samples at a time is copied into the middle of a
    zero-bordered buffer that is allocated once and reused (only its middle
    is ever written, so its border stays zero); then every sample's window is
    gathered from that buffer with one indexing call per chunk.  A chunk is
    about 256 KiB, so the buffer stays in the CPU cache between the two
    steps.  The reused buffer makes one instance unsafe to share between
    threads.
    """

    def __init__(self, crop: Any) -> None:
        height, width = _setting(crop, "size", "crop")
        self.size = (int(height), int(width))
        self.padding = int(_setting(crop, "padding", "crop"))
        self.layout = self._check_layout(crop, "crop")
        self._generator = _setting(crop, "_generator", "crop")
        self._buffer = None  # the reused zero-bordered chunk buffer

    def __repr__(self) -> str:
        return f"BatchRandomCrop(size={self.size}, padding={self.padding}, layout={self.layout!r})"

    def _positions(self, height: int, width: int) -> tuple[int, int]:
        """How many window positions the padded image has down and across."""
        padded = (height + 2 * self.padding, width + 2 * self.padding)
        try:
            grid = sliding_window_view(np.broadcast_to(np.uint8(0), padded), self.size)
        except ValueError:
            raise ValueError(f"crop size {self.size} is larger than the padded image {padded}") from None
        return grid.shape[0], grid.shape[1]

    def _offsets(self, positions: tuple[int, int], count: int) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``count`` (top, left) pairs: top of sample 0, left of sample 0, top of sample 1, ..."""
        if isinstance(self._generator, np.random.Generator):
            draws = self._generator.integers(positions, size=(count, 2))
        else:
            draws = self._generator.randint(0, positions, size=(count, 2))
        return draws[:, 0], draws[:, 1]

    def transform_batch(self, array: np.ndarray, writable: bool) -> tuple[np.ndarray, bool]:
        """Crop every sample; return ``(cropped, True)`` (the result is new
        memory, or ``array`` itself when ``writable`` allowed cropping in place)."""
        height_axis, width_axis = _image_axes_of_batch(array, self.layout)
        if array.dtype.hasobject:
            raise TypeError("BatchRandomCrop needs an array of numbers, got an array of Python objects")
        positions = self._positions(array.shape[height_axis], array.shape[width_axis])
        tops, lefts = self._offsets(positions, array.shape[0])
        out_shape = list(array.shape)
        out_shape[height_axis], out_shape[width_axis] = self.size
        out_shape = tuple(out_shape)
        if array.size == 0:  # nothing but padding (or no samples) to crop
            return np.zeros(out_shape, dtype=array.dtype), True
        source = np.ascontiguousarray(array)
        may_overwrite = source is not array or (writable and array.flags.writeable)
        out = source if may_overwrite and out_shape == source.shape else np.empty(out_shape, source.dtype)
        self._crop(source, out, tops, lefts, height_axis)
        return out, True

    def _crop(self, source: np.ndarray, out: np.ndarray, tops: np.ndarray, lefts: np.ndarray,
              height_axis: int) -> None:
        """Write the window at (tops[k], lefts[k]) of padded sample k into out[k].

        ``out`` may be ``source`` itself: each chunk is copied into the buffer
        before its windows overwrite it.
        """
        count = source.shape[0]
        channels = source.shape[1:height_axis]  # (C,) for CHW, () otherwise
        height, width = source.shape[height_axis:height_axis + 2]
        crop_height, crop_width = self.size
        pixel_bytes = source.dtype.itemsize * math.prod(source.shape[height_axis + 2:])
        margin = self.padding
        padded_height, padded_width = height + 2 * margin, width + 2 * margin
        planes = math.prod(channels)
        padded_sample = planes * padded_height * padded_width  # pixels
        chunk = max(1, CHUNK_BYTES // (padded_sample * pixel_bytes))
        buffer = self._padded_buffer((chunk, *channels, padded_height, padded_width)
                                     + source.shape[height_axis + 2:], source.dtype)

        def plane_strides(plane: int) -> tuple:  # the stride of the channel axis, if any
            return (plane,) if channels else ()

        rows_in = _rows(source, pixel_bytes, (count, *channels, height),
                        (planes * height * width, *plane_strides(height * width), width), width)
        rows_out = _rows(out, pixel_bytes, (count, *channels, crop_height),
                         (planes * crop_height * crop_width, *plane_strides(crop_height * crop_width),
                          crop_width), crop_width)
        middle = _rows(buffer, pixel_bytes, (chunk, *channels, height),
                       (padded_sample, *plane_strides(padded_height * padded_width), padded_width),
                       width, offset=margin * padded_width + margin)
        # windows[s] is the crop window whose top-left pixel is pixel s of the
        # buffer: an overlapping view, so choosing a window copies nothing.
        extent = (planes - 1) * padded_height * padded_width + (crop_height - 1) * padded_width + crop_width
        windows = _rows(buffer, pixel_bytes, (chunk * padded_sample - extent + 1, *channels, crop_height),
                        (1, *plane_strides(padded_height * padded_width), padded_width), crop_width)
        starts = tops * padded_width + lefts
        firsts = np.arange(chunk) * padded_sample
        for begin in range(0, count, chunk):
            end = min(begin + chunk, count)
            middle[:end - begin] = rows_in[begin:end]
            rows_out[begin:end] = windows[firsts[:end - begin] + starts[begin:end]]

    def _padded_buffer(self, shape: tuple, dtype: np.dtype) -> np.ndarray:
        """Return the zero-bordered chunk buffer, allocated once per shape and dtype."""
        if self._buffer is None or self._buffer.shape != shape or self._buffer.dtype != dtype:
            self._buffer = np.zeros(shape, dtype=dtype)
        return self._buffer


class BatchRandomHorizontalFlip(_BatchTransform):
    """A per-sample ``RandomHorizontalFlip`` for a whole batch: each sample flips with probability ``p``.

    Args:
        flip: the per-sample flip whose ``p``, ``layout`` and random source
            (``_generator``) this uses; ``p`` is not checked again: the flip
            checked it when it was built.  The two share the random source.

    Raises:
        TypeError: if ``flip`` lacks one of those attributes.
        ValueError: (when called) if the batch does not have 3 or 4 axes.

    ``BatchRandomHorizontalFlip(flip)(batch)`` equals ``np.stack([flip(sample)
    for sample in batch])`` for the reference flip: the draws are
    ``random(N)``, one uniform number per sample in order, and sample k flips
    when its number is below ``p``.  The flipped samples are mirrored
    together, selected by that mask.  A Tensor in gives a Tensor out; the
    input batch is never modified.
    """

    def __init__(self, flip: Any) -> None:
        self.p = float(_setting(flip, "p", "flip"))
        self.layout = self._check_layout(flip, "flip")
        self._generator = _setting(flip, "_generator", "flip")

    def __repr__(self) -> str:
        return f"BatchRandomHorizontalFlip(p={self.p}, layout={self.layout!r})"

    def transform_batch(self, array: np.ndarray, writable: bool) -> tuple[np.ndarray, bool]:
        """Flip the chosen samples; return ``(flipped, True)``, in place when ``writable``."""
        _, width_axis = _image_axes_of_batch(array, self.layout)
        chosen = np.flatnonzero(self._generator.random(array.shape[0]) < self.p)
        if not (writable and array.flags.writeable):
            array = array.copy()
        # Mirror the chosen samples a few at a time: the right-hand side is a
        # new array, so this is safe in place, and small enough to stay in cache.
        per_step = max(1, CHUNK_BYTES // max(1, array[0].nbytes)) if len(array) else 1
        for begin in range(0, chosen.size, per_step):
            part = chosen[begin:begin + per_step]
            mirrored = [part] + [slice(None)] * (array.ndim - 1)
            mirrored[width_axis] = slice(None, None, -1)
            array[part] = array[tuple(mirrored)]
        return array, True
