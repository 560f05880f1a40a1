"""Run a PyTorch script unchanged on vinsgrad: ``python -m vinsgrad.run SCRIPT [ARGS...]``.

For the script's run only, ``torch`` and ``torchvision`` (and their submodules) are other names for vinsgrad's own
modules: ``torch`` is ``vinsgrad``, ``torch.X`` is ``vinsgrad.X``, ``torchvision`` is ``vinsgrad.vision``. The alias
layer implements nothing; it only renames. It is a meta-path finder installed for the run and removed after it,
together with every ``torch`` entry it put in ``sys.modules``, so ``import torch`` never works outside a run.

When the script reaches for something vinsgrad lacks, it stops with one line naming the PyTorch API and the script's
file and line, e.g. ``train.py:12: torch.fft is a PyTorch API that vinsgrad does not have``;
a keyword argument vinsgrad's version of a function lacks (``out=``) is reported the same way.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import os
import re
import runpy
import sys
import traceback
from collections.abc import Iterator, Sequence
from types import ModuleType, TracebackType
from typing import Any

# PyTorch's top-level packages and the vinsgrad package each one is another name for.
ALIASES = {"torch": "vinsgrad", "torchvision": "vinsgrad.vision"}


class MissingAPIError(RuntimeError):
    """The script used a PyTorch API vinsgrad does not have; the message is one line with the script's file:line."""


def vinsgrad_name(torch_name: str) -> str | None:
    """The vinsgrad module a torch (or torchvision) module name stands for, or None for any other name."""
    for alias, target in ALIASES.items():
        if torch_name == alias or torch_name.startswith(alias + "."):
            return target + torch_name[len(alias) :]
    return None


def torch_name(vinsgrad_module: str) -> str:
    """The PyTorch spelling of a vinsgrad module name (``vinsgrad.vision.datasets`` -> ``torchvision.datasets``)."""
    for alias, target in sorted(ALIASES.items(), key=lambda item: -len(item[1])):
        if vinsgrad_module == target or vinsgrad_module.startswith(target + "."):
            return alias + vinsgrad_module[len(target) :]
    return vinsgrad_module


class _AliasLoader(importlib.abc.Loader):
    """Hands back vinsgrad's already-imported module under the torch name; executes nothing."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return self.module

    def exec_module(self, module: ModuleType) -> None:
        return None


class TorchAliasFinder(importlib.abc.MetaPathFinder):
    """Resolves ``torch``/``torchvision`` imports to vinsgrad's modules; a name vinsgrad lacks is an ImportError."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        real = vinsgrad_name(fullname)
        if real is None:
            return None
        try:
            module = importlib.import_module(real)
        except ModuleNotFoundError as error:
            if error.name is not None and error.name != real and not real.startswith(error.name + "."):
                raise  # a module vinsgrad itself needs is missing: a real error, not an alias miss
            raise ImportError(f"{fullname} is a PyTorch module vinsgrad does not have", name=fullname) from None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(module))


@contextlib.contextmanager
def torch_aliases() -> Iterator[None]:
    """Make ``torch``/``torchvision`` importable as vinsgrad inside the block; afterwards they are gone again."""
    finder = TorchAliasFinder()
    before = {name for name in sys.modules if vinsgrad_name(name) is not None}
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)
        for name in [n for n in sys.modules if vinsgrad_name(n) is not None and n not in before]:
            del sys.modules[name]


def _user_frame(tb: TracebackType | None, script: str) -> str | None:
    """``file:line`` of the user's code that made the failing access: the innermost frame outside the import
    machinery and this module; None when that frame is inside vinsgrad (then the error is vinsgrad's own)."""
    here = os.path.abspath(__file__)
    package = os.path.dirname(here) + os.sep
    frames = [
        (os.path.abspath(frame.f_code.co_filename), lineno)
        for frame, lineno in traceback.walk_tb(tb)
        if not frame.f_code.co_filename.startswith("<") and os.path.abspath(frame.f_code.co_filename) != here
    ]
    if not frames or frames[-1][0].startswith(package):
        return None
    filename, lineno = frames[-1]
    return f"{script if filename == os.path.abspath(script) else filename}:{lineno}"


def _missing_api(error: BaseException) -> str | None:
    """The PyTorch name of what vinsgrad lacks, when ``error`` is about a missing vinsgrad attribute or torch module."""
    if isinstance(error, ImportError) and not isinstance(error, ModuleNotFoundError):
        name = error.name or ""
        return name if vinsgrad_name(name) is not None else None
    if isinstance(error, AttributeError):
        obj, attr = getattr(error, "obj", None), getattr(error, "name", None)
        if attr is None:
            return None
        if isinstance(obj, ModuleType) and obj.__name__.split(".")[0] == "vinsgrad":
            return f"{torch_name(obj.__name__)}.{attr}"
        cls = obj if isinstance(obj, type) else type(obj)
        if cls.__module__.split(".")[0] == "vinsgrad":
            owner = "torch.Tensor" if cls.__name__ in ("Tensor", "Parameter") else torch_name(cls.__module__)
            if cls.__name__ not in ("Tensor", "Parameter"):
                owner = f"{owner}.{cls.__name__}"
            return f"{owner}.{attr}"
    return None


def _from_import_missing(error: BaseException) -> str | None:
    """``from torch.x import name`` of a name vinsgrad lacks: ``torch.x.name``, read from Python's message."""
    if isinstance(error, ImportError) and not isinstance(error, ModuleNotFoundError):
        message = str(error)
        # Python: "cannot import name 'fft' from 'vinsgrad' (/path/__init__.py)"
        if message.startswith("cannot import name '") and "' from '" in message:
            name = message.split("'")[1]
            module = message.split("' from '")[1].split("'")[0]
            if module.split(".")[0] == "vinsgrad":
                return f"{torch_name(module)}.{name}"
    return None


def _missing_argument(error: BaseException) -> str | None:
    """A vinsgrad function called with a keyword argument PyTorch has and it lacks (``torch.matmul(a, b, out=c)``):
    ``argument 'out' of Tensor.__matmul__()``, read from Python's message; None for any other TypeError."""
    match = re.fullmatch(r"([\w.]+)\(\) got an unexpected keyword argument '(\w+)'", str(error))
    if not isinstance(error, TypeError) or match is None or not _defined_in_vinsgrad(match.group(1)):
        return None
    frames = list(traceback.walk_tb(error.__traceback__))
    if frames:  # the name as the failing line sees it: the script's own function of that name is not vinsgrad's
        frame = frames[-1][0]
        first = match.group(1).split(".")[0]
        own = frame.f_locals.get(first, frame.f_globals.get(first))
        if own is not None and not getattr(own, "__module__", "").startswith("vinsgrad"):
            return None
    return f"argument '{match.group(2)}' of {match.group(1)}()"


def _defined_in_vinsgrad(qualname: str) -> bool:
    """Whether a function or method of that qualified name (``Tensor.__matmul__``) is defined in vinsgrad (a
    function of the script's own with the same name is not)."""
    owner, _, _ = qualname.rpartition(".")
    wanted = owner or qualname
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] != "vinsgrad" or module is None:
            continue
        for obj in vars(module).values():
            if getattr(obj, "__qualname__", None) == wanted and getattr(obj, "__module__", "").startswith("vinsgrad"):
                return True
    return False


def run_script(script: str, args: Sequence[str] = ()) -> None:
    """Run ``script`` as ``__main__`` with ``sys.argv == [script, *args]`` and torch resolving to vinsgrad.

    Raises MissingAPIError (one line: ``file:line: torch.X ...``) when the script uses a PyTorch API vinsgrad does
    not have; any other exception from the script propagates unchanged.
    """
    if not os.path.isfile(script):
        raise FileNotFoundError(2, "No such file or directory", script)
    saved_argv, saved_path0 = sys.argv, sys.path[0] if sys.path else None
    sys.argv = [script, *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))  # as `python SCRIPT` puts the script's folder first
    try:
        with torch_aliases():
            runpy.run_path(script, run_name="__main__")
    except (AttributeError, ImportError) as error:
        api = _missing_api(error) or _from_import_missing(error)
        where = _user_frame(error.__traceback__, script)
        if api is None or where is None:
            raise
        raise MissingAPIError(f"{where}: {api} is a PyTorch API that vinsgrad does not have") from None
    except TypeError as error:
        argument = _missing_argument(error)
        where = _user_frame(error.__traceback__, script)
        if argument is None or where is None:
            raise
        raise MissingAPIError(f"{where}: {argument} is a PyTorch argument that vinsgrad does not have") from None
    finally:
        sys.argv = saved_argv
        if sys.path and sys.path[0] != saved_path0:
            del sys.path[0]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m vinsgrad.run SCRIPT [ARGS...]``: run the script; return its exit status (1 on an error)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m vinsgrad.run SCRIPT [ARGS...]  (run a PyTorch script on vinsgrad)", file=sys.stderr)
        return 0 if argv else 2
    try:
        run_script(argv[0], argv[1:])
    except MissingAPIError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    except FileNotFoundError as error:
        print(f"Error: {error.filename}: {error.strerror}", file=sys.stderr)
        return 2
    except SystemExit as exit_:
        code = exit_.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception:
        traceback.print_exc()  # an error in the script itself: the traceback Python would print
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
