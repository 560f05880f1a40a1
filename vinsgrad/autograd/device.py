"""Devices, honestly: vinsgrad computes with NumPy on the CPU, so ``device("cpu")`` is the only device there is."""

from __future__ import annotations

from typing import Any

CPU_ONLY = "vinsgrad runs on the CPU only"
# The device types PyTorch knows: each can be named, only "cpu" can hold a tensor.
DEVICE_TYPES = ("cpu", "cuda", "mps", "xpu", "mtia", "hip", "xla", "meta", "ipu", "hpu", "privateuseone")


class device:
    """Where a tensor lives: always the CPU in vinsgrad (``device("cpu")``, ``device("cpu", 0)``).

    ``device("cuda")`` can be written down, as in PyTorch (scripts build one before checking it), but putting a
    tensor or a model there (``.to``, ``device=``) raises a RuntimeError: vinsgrad runs on the CPU only.
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
        if kind not in DEVICE_TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(DEVICE_TYPES)} device type at start of device string: {type}"
            )
        if number:
            if not number.isdigit():
                raise RuntimeError(f"Invalid device string: {type!r}")
            index = int(number)
        self.type = kind
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
    if dev is None:
        return
    if isinstance(dev, device):
        if dev.type != "cpu":
            raise RuntimeError(f"{where + ': ' if where else ''}{CPU_ONLY}, got device '{dev}'")
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


def set_default_device(dev: Any) -> None:
    """PyTorch's default device for new tensors: only the CPU (None or ``"cpu"``) is accepted, and is the default."""
    check_device(dev, "set_default_device()")


def get_default_device() -> device:
    return CPU
