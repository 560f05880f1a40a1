"""Random number generation: a ``Generator`` object and the process-wide default one.

Everything random in vinsgrad (``rand``/``randn``, ``nn.init``, ``Dropout``, ``DataLoader`` shuffling,
``random_split``, augmentations) draws from a ``Generator``; passing none means the default generator,
which ``vinsgrad.manual_seed`` seeds. A generator's state is a plain dict, so it can be saved as JSON.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# PyTorch's default generator starts from this seed; so does ours, so unseeded runs are reproducible too.
DEFAULT_SEED = 67280421310721


class Generator:
    """A seedable source of random numbers (a NumPy PCG64 bit generator underneath).

    Example::

        g = vinsgrad.Generator().manual_seed(0)
        x = vinsgrad.randn(3, generator=g)
    """

    __slots__ = ("_initial_seed", "rng")

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self.manual_seed(seed)

    def manual_seed(self, seed: int) -> Generator:
        """Reset the generator to the stream of ``seed`` and return it."""
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise TypeError(f"manual_seed expected an int seed, got {type(seed).__name__}")
        self._initial_seed = seed
        self.rng = np.random.Generator(np.random.PCG64(seed & 0xFFFF_FFFF_FFFF_FFFF))
        return self

    def initial_seed(self) -> int:
        return self._initial_seed

    def get_state(self) -> dict[str, Any]:
        """The full state as a JSON-serialisable dict."""
        state = dict(self.rng.bit_generator.state)
        return {"seed": self._initial_seed, "bit_generator": state}

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore a state returned by ``get_state``."""
        self._initial_seed = int(state["seed"])
        self.rng.bit_generator.state = state["bit_generator"]

    def __repr__(self) -> str:
        return f"Generator(seed={self._initial_seed})"


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (what every random function uses when given no generator)."""
    return default_generator.manual_seed(seed)


def initial_seed() -> int:
    """The seed the default generator was last seeded with."""
    return default_generator.initial_seed()


def get_rng_state() -> dict[str, Any]:
    """The default generator's state (a JSON-serialisable dict)."""
    return default_generator.get_state()


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore the default generator to a state from ``get_rng_state``."""
    default_generator.set_state(state)


def rng(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy generator behind ``generator``, or behind the default generator when it is None."""
    if generator is None:
        return default_generator.rng
    if not isinstance(generator, Generator):
        raise TypeError(
            f"expected a vinsgrad.Generator, got {type(generator).__name__} (make one: vinsgrad.Generator())"
        )
    return generator.rng
