"""Fixtures of the hidden grading cases: the same as the public checks' (``tests/public/fixtures.py``)."""

from tests.public.fixtures import *  # noqa: F401,F403
