"""`vinsgrad selftest`: check every op's, layer's and loss's backward against finite differences, here and now.

The cases are the library's registry (``vinsgrad.testing``), the same ones its unit tests run.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import CLIError, UsageError

if TYPE_CHECKING:
    from rich.table import Table

    from vinsgrad.testing import CaseResult


def selftest_command(
    op: Annotated[
        str | None,
        typer.Option("--op", metavar="NAME", help="Only cases whose name or op contains NAME (e.g. matmul, Conv2d)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")] = False,
) -> None:
    """Check the engine's gradients: gradcheck in float64 over every op, layer and loss the library ships.

    Each case compares backward with central finite differences on small inputs (broadcasting included) and
    reports the largest absolute and relative error. Exits with 1 if any case fails.

    [bold]Examples[/bold]

      [cyan]vinsgrad selftest[/cyan]

      [cyan]vinsgrad selftest --op matmul[/cyan]

      [cyan]vinsgrad selftest --op CrossEntropyLoss --json[/cyan]
    """
    import json

    if op is not None and not selftest_names_match(op):
        hint = suggestion(op) or "; run `vinsgrad selftest` to see every case"
        raise UsageError(f"--op: no selftest case matches '{op}'{hint}")
    results = registry().run_all(op)
    failed = [r for r in results if not r.passed]
    if as_json:
        typer.echo(json.dumps({"passed": len(results) - len(failed), "failed": len(failed), "cases": to_json(results)}))
    else:
        show(results)
    if failed:
        raise CLIError(f"{len(failed)} of {len(results)} gradient checks failed: {', '.join(r.name for r in failed)}")


def registry() -> ModuleType:
    """The library's gradcheck registry (CASES, run_all); imported here only, and only when a command runs."""
    from vinsgrad import testing as selftest

    return selftest


def selftest_names_match(op: str) -> bool:
    cases = registry().CASES
    key = op.lower()
    return any(key in c.name.lower() or any(key in n.lower() for n in c.covered_names) for c in cases)


def suggestion(op: str) -> str:
    """``; did you mean 'X'?`` from the ops and layers the cases cover and the first word of their names."""
    import difflib

    cases = registry().CASES
    names = {n.lower(): n for c in cases for n in (c.name.split(" ")[0], *c.covered_names)}
    close = difflib.get_close_matches(op.lower(), list(names), n=1, cutoff=0.5)
    return f"; did you mean '{names[close[0]]}'?" if close else ""


def to_json(results: list[CaseResult]) -> list[dict[str, Any]]:
    def number(v: float) -> float | None:
        return v if v == v else None  # NaN (the case raised) is not JSON

    return [
        {
            "name": r.name,
            "shapes": [list(s) for s in r.shapes],
            "max_abs_err": number(r.max_abs_err),
            "max_rel_err": number(r.max_rel_err),
            "passed": r.passed,
            "seconds": r.seconds,
            "error": r.error,
        }
        for r in results
    ]


def show(results: list[CaseResult]) -> None:
    from ..console import terminal_console

    console = terminal_console()
    if console is None:
        typer.echo(plain_table(results))
    else:
        console.print(rich_table(results))
    for r in results:
        if not r.passed:
            typer.echo(f"FAIL {r.name}: {r.error}")
    passed = sum(r.passed for r in results)
    seconds = sum(r.seconds for r in results)
    typer.echo(f"{passed}/{len(results)} gradient checks passed in {seconds:.2f}s (float64, central differences)")


def cells(r: CaseResult) -> list[str]:
    shapes = " ".join(str(s).replace(" ", "") for s in r.shapes)
    return [r.name, shapes, f"{r.max_abs_err:.1e}", f"{r.max_rel_err:.1e}", "ok" if r.passed else "FAIL"]


HEADER = ["case", "shapes", "max abs err", "max rel err", "result", "ms"]


def plain_table(results: list[CaseResult]) -> str:
    rows = [HEADER, *([*cells(r), f"{1000 * r.seconds:.1f}"] for r in results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows)


def rich_table(results: list[CaseResult]) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, header_style="bold", title="gradcheck (float64)", title_justify="left")
    for i, name in enumerate(HEADER):
        table.add_column(name, justify="right" if i >= 2 else "left")
    for r in results:
        status = "[green]ok[/green]" if r.passed else "[bold red]FAIL[/bold red]"
        table.add_row(*cells(r)[:4], status, f"{1000 * r.seconds:.1f}")
    return table
