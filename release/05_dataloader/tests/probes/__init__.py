"""Probes: plain code that builds inputs, calls the student's classes and
returns observations as plain data (see ``codec``).

A probe holds no expected value, no assertion, no points and no message: it
only says what the student's code did.  Probes run beside the student's code
(in the grader's sandboxed child, or in the student's own pytest run), so
nothing they return is trusted; the judgements (``test_*.py``) decide.

Each probe is registered under ``"<test cell>.<function name>"`` with the
``probe`` decorator and is called as ``fn(student, **arguments)``, where
``student.require(name)`` returns a class the submission defines.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Callable

REGISTRY: dict[str, Callable] = {}


def probe(function: Callable) -> Callable:
    """Register ``function`` as the probe ``"<module>.<name>"``.

    Raises:
        ValueError: if that name is already registered.
    """
    name = f"{function.__module__.rsplit('.', 1)[-1]}.{function.__name__}"
    if name in REGISTRY and REGISTRY[name] is not function:
        raise ValueError(f"probe {name!r} is registered twice")
    REGISTRY[name] = function
    return function


def load_all(packages: tuple[str, ...]) -> dict[str, Callable]:
    """Import every probe module of ``packages`` (those that exist); return the registry."""
    for package_name in packages:
        try:
            package = importlib.import_module(package_name)
        except ImportError:
            continue
        for module in pkgutil.iter_modules(package.__path__):
            if module.name not in ("codec", "support"):
                importlib.import_module(f"{package_name}.{module.name}")
    return REGISTRY
