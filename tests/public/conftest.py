"""Fixtures of the public checks (defined in ``fixtures.py``, shared with the hidden grading cases)."""

from .fixtures import *  # noqa: F401,F403
