"""Devices, honestly: vinsgrad computes with NumPy on the CPU, so ``device("cpu")`` is the only device there is."""

from __future__ import annotations

from typing import Any

CPU_ONLY = "vinsgrad runs on the CPU only"


class device:
    """Where a tensor lives: always the CPU in vinsgrad (``device("cpu")``, ``device("cpu", 0)``).

    Asking for another device type (``"cuda"``, ``"mps"``) raises a RuntimeError.
    """

    __slots__ = ("index", "type")
    type: str
    index: int | None

    def __init__(self, type: str | device, index: int | None = None) -> None:
        if isinstance(type, device):
            index = type.index if index is None else index
            type = type.type
        if not isinstance(type, str):
            raise TypeError(f"device() expected a string like 'cpu', got {type!r}")
        kind, _, number = type.partition(":")
        if kind != "cpu":
            raise RuntimeError(f"{CPU_ONLY}, got device {type!r}")
        if number:
            if not number.isdigit():
                raise RuntimeError(f"Invalid device string: {type!r}")
            index = int(number)
        self.type = "cpu"
        self.index = index

    def __repr__(self) -> str:
        return (
            f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"
        )

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except (RuntimeError, TypeError):
                return False
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def check_device(dev: Any, where: str = "") -> None:
    """Raise unless ``dev`` is None, ``"cpu"`` or ``device("cpu")`` (what every ``device=`` argument accepts)."""
    if dev is None or isinstance(dev, device):
        return
    if isinstance(dev, str):
        kind = dev.partition(":")[0]
        if kind != "cpu":
            prefix = f"{where}: " if where else ""
            raise RuntimeError(f"{prefix}{CPU_ONLY}, got device {dev!r}")
        device(dev)
        return
    if isinstance(dev, int):
        raise RuntimeError(f"{where + ': ' if where else ''}{CPU_ONLY}, got device index {dev} (a CUDA device)")
    raise TypeError(f"{where + ': ' if where else ''}expected a device like 'cpu', got {type(dev).__name__}")
