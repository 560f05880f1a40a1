"""The `vinsgrad` command: the Typer app, its commands, and how errors become exit codes.

Start-up must stay fast (`vinsgrad --help` in well under half a second), so this module and every command module
in commands/ (one file per command) import only typer at the top; numpy, rich, yaml and the library are imported
inside command bodies. To add a command: define the function (typer ``Annotated`` options, docstring = help with
examples) in its own module under commands/ and register it below with ``register(fn, "name")``.

Exit codes: 0 success, 1 runtime failure, 2 bad usage / config / input file, 130 interrupted, 141 stdout closed by
its reader (``vinsgrad selftest | head -3``), as for a program that SIGPIPE ended.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import warnings
from collections.abc import Callable
from typing import Annotated, Any, NoReturn

import typer

from .commands.configs import configs_command
from .commands.download import download_command
from .commands.eval import eval_command
from .commands.export import export_command
from .commands.graph import graph_command
from .commands.inspect import inspect_command
from .commands.predict import predict_command
from .commands.run import run_command
from .commands.sample import sample_command
from .commands.selftest import selftest_command
from .commands.train import train
from .errors import CLIError, one_line
from .options import mirror_env_as_urls

app = typer.Typer(
    name="vinsgrad",
    help="Train, evaluate and inspect [bold]vinsgrad[/bold] models from YAML configs.\n\n"
    "Example: [cyan]vinsgrad train configs/mlp.yaml --set train.epochs=2[/cyan]",
    rich_markup_mode="rich",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from vinsgrad import __version__

        try:
            typer.echo(f"vinsgrad {__version__}")
        except BrokenPipeError:
            stdout_closed()
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", "-V", help="Print the version and exit.", callback=_version, is_eager=True)
    ] = False,
) -> None:
    """Train, evaluate and inspect vinsgrad models from YAML configs."""
    mirror_env_as_urls(os.environ)


def fail(message: str, exit_code: int, label: str = "Error") -> NoReturn:
    """Print ``Error: <message>`` as one line on stderr and exit with ``exit_code``."""
    typer.echo(f"{label}: {one_line(message)}", err=True)
    raise typer.Exit(code=exit_code) from None


def stdout_closed() -> NoReturn:
    """Stop quietly with 141 (128 + SIGPIPE) because the reader of stdout went away, as `git log | head` does.

    Python ignores SIGPIPE, so a write to a closed pipe raises BrokenPipeError instead of ending the process.
    Pointing stdout at /dev/null first keeps the final flush at exit from raising again (Python's signal docs,
    "Note on SIGPIPE"). A stdout that is no file descriptor (a test runner's capture) has nothing to flush.
    """
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    raise typer.Exit(code=141)


BAD_PATH_ERRORS = (FileNotFoundError, FileExistsError, IsADirectoryError, NotADirectoryError, PermissionError)


def human_message(error: BaseException) -> str:
    """An error from outside the CLI's own checks as a person reads it: an OS error as ``<file>: <reason>``, anything
    else as its message; never Python's class name."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.filename}: {error.strerror}" if error.filename else error.strerror
    return str(error) or "an unexpected error; run again with VINSGRAD_DEBUG=1 for the traceback"


def exit_code_for(error: BaseException) -> int:
    """The exit code for an exception raised by a command (library errors included): 2 for a bad path or input
    file, 1 for a failure while running."""
    if isinstance(error, CLIError):
        return error.exit_code
    if isinstance(error, BAD_PATH_ERRORS):
        return 2
    if isinstance(error, KeyboardInterrupt):
        return 130
    # A bad data file is bad input (2), a failed download a runtime failure (1); the datasets module is loaded
    # already if it raised.
    datasets = sys.modules.get("vinsgrad.vision.datasets")
    for name, code in (("DownloadError", 1), ("DatasetError", 2)):
        cls = getattr(datasets, name, None)
        if isinstance(cls, type) and isinstance(error, cls):
            return code
    return 1


def show_warning(
    message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None, line: Any = None
) -> None:
    """``warnings.showwarning`` for commands: a warning (the library's, say) as one stderr line like the errors,
    ``Warning: <message>``, without Python's file name and source line."""
    typer.echo(f"Warning: {one_line(str(message))}", err=True)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a command so any error becomes one stderr line and an exit code (set VINSGRAD_DEBUG=1 for tracebacks),
    and any warning one ``Warning:`` line."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.showwarning = show_warning
                return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except BrokenPipeError:
            stdout_closed()
        except (Exception, KeyboardInterrupt) as error:
            if os.environ.get("VINSGRAD_DEBUG") and not isinstance(error, CLIError | KeyboardInterrupt):
                raise
            if isinstance(error, KeyboardInterrupt):
                fail("stopped by Ctrl-C", 130, "Interrupted")
            message = str(error) if isinstance(error, CLIError) else human_message(error)
            fail(message, exit_code_for(error), getattr(error, "label", "Error"))

    return wrapper


def register(fn: Callable[..., Any], name: str) -> None:
    """Add ``fn`` to the app as the command ``name``, with the error handling of ``guarded``."""
    app.command(name)(guarded(fn))


register(train, "train")
register(eval_command, "eval")
register(inspect_command, "inspect")
register(download_command, "download")
register(predict_command, "predict")
register(graph_command, "graph")
register(selftest_command, "selftest")
register(configs_command, "configs")
register(export_command, "export")
register(sample_command, "sample")
app.command(
    "run", context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "allow_interspersed_args": False}
)(guarded(run_command))
