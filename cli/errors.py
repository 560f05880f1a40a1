"""Errors the CLI turns into one line on stderr and an exit code (see ``main.guarded``)."""

from __future__ import annotations


def one_line(message: str) -> str:
    """A multi-line message as one line: a header ending in ':' joins its first item, the items are joined by '; '
    (PyTorch's ``Error(s) in loading state_dict for X:\n\tMissing key(s) ...\n\tUnexpected ...``, a download's
    one line per mirror tried)."""
    lines = (" ".join(line.split()) for line in message.replace(":\n", ": ").splitlines())
    return "; ".join(line for line in lines if line)


class CLIError(Exception):
    """A failure to report as ``Error: <message>`` with ``exit_code`` (1: the run failed)."""

    exit_code = 1
    label = "Error"  # what the printed line starts with

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self)


class UsageError(CLIError):
    """Bad usage, a bad config or a bad input file: exit code 2."""

    exit_code = 2


class Interrupted(CLIError):
    """The user pressed Ctrl-C; the message says what was saved and how to resume. Exit code 130."""

    exit_code = 130
    label = "Interrupted"
