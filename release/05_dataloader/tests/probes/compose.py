"""Probes of the notebook test cell ``test_compose`` (Part 4, Compose).

These probes use their own small transforms, never the student's flip or crop."""

import numpy as np

from . import probe
from .support import plain

TRANSFORMS = {
    "add_one": lambda x: x + 1,
    "double": lambda x: x * 2,
    "reverse": lambda a: a[::-1],
    "first_two": lambda a: a[:2],
}


def sample_of(sample, sample_kind: str = "plain"):
    """The sample a probe feeds to Compose: ``sample`` itself, or made a tuple or an ndarray."""
    if sample_kind == "tuple":
        return tuple(sample)
    if sample_kind == "array":
        return np.array(sample)
    return sample


def compose_of(student, transforms: list, container: str = "list"):
    """The student's Compose over ``transforms`` given as a list or (``container="tuple"``) a tuple."""
    Compose = student.require("Compose")
    return Compose(tuple(transforms) if container == "tuple" else list(transforms))


@probe
def applied(student, transforms: list, sample, sample_kind: str = "plain", container: str = "list"):
    """Compose(named transforms)(sample), described."""
    compose = compose_of(student, [TRANSFORMS[name] for name in transforms], container)
    return plain(compose(sample_of(sample, sample_kind)))
