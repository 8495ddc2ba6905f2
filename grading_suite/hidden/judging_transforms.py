"""Judging helpers shared by the transform judgements (``test_random_horizontal_flip.py`` and
``test_random_crop.py``): how a seeded transform reads in a message, and where its draws
should come from.

Plain data in, messages out; nothing here calls student code."""

SEED_MODES = ("int", "generator", "global")

# Where a transform built in each seed mode should take its draws from.
SEED_SOURCES = {"int": "the generator _make_generator built from seed",
                "generator": "the generator you were given",
                "global": "NumPy's global random state, which _make_generator gives for seed=None"}


def seeded_label(call: str, seed: int, mode: str) -> str:
    """How a transform built with ``seed`` in ``mode`` (one of SEED_MODES) reads in a message;
    ``call`` is the constructor call without its closing parenthesis, e.g. "RandomHorizontalFlip(p=0.5".

    Raises:
        KeyError: for a mode not in SEED_MODES.
    """
    return {"int": f"{call}, seed={seed})",
            "generator": f"{call}, seed=np.random.default_rng({seed}))",
            "global": f"{call}) built after np.random.seed({seed})"}[mode]
