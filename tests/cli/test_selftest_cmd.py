"""`vinsgrad selftest`: the gradcheck table, JSON, filters, did-you-mean, and a broken op making it fail."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from rich.console import Console
from typer.testing import CliRunner
from vinsgrad_cli.commands.selftest import rich_table
from vinsgrad_cli.main import app

from vinsgrad.autograd import Function
from vinsgrad.testing import CASES, case, randn_inputs, run_all

runner = CliRunner()


class WrongSquare(Function):
    """x * x whose backward forgets the factor 2."""

    @staticmethod
    def forward(ctx, x):  # type: ignore[no-untyped-def]
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):  # type: ignore[no-untyped-def]
        (x,) = ctx.saved_tensors
        return grad * x


@pytest.fixture
def broken_op() -> Iterator[str]:
    name = "wrong square (3,)"
    case(name, (WrongSquare,), randn_inputs((3,)))(WrongSquare.apply)
    try:
        yield name
    finally:
        CASES.remove(next(c for c in CASES if c.name == name))


def test_filtered_table_lists_each_case_as_ok() -> None:
    result = runner.invoke(app, ["selftest", "--op", "matmul"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["case", "shapes", "max", "abs", "err", "max", "rel", "err", "result", "ms"]
    expected = [c.name for c in CASES if "matmul" in c.name.lower() or "MatMul" in c.covered_names]
    rows = lines[1 : 1 + len(expected)]
    assert [row[: len(name)] for row, name in zip(rows, expected)] == expected
    assert all(" ok " in row for row in rows)
    assert "(2,1,2,3) (3,3,2)" in result.stdout  # shapes of the broadcasting batched matmul
    assert lines[-1].startswith(f"{len(expected)}/{len(expected)} gradient checks passed")


def test_json_matches_the_registry() -> None:
    result = runner.invoke(app, ["selftest", "--op", "LogSoftmax", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    names = [r.name for r in run_all("LogSoftmax")]
    assert [c["name"] for c in report["cases"]] == names and report["passed"] == len(names) and report["failed"] == 0
    for c in report["cases"]:
        assert c["passed"] and c["error"] is None and 0 <= c["max_abs_err"] < 1e-5 and c["seconds"] >= 0
    assert report["cases"][0]["shapes"] == [[2, 3, 4]]


def test_a_broken_op_fails_with_exit_1(broken_op: str) -> None:
    result = runner.invoke(app, ["selftest", "--op", "wrongsquare"])
    assert result.exit_code == 1
    row = next(line for line in result.stdout.splitlines() if line.startswith(broken_op))
    shapes, abs_err, rel_err, status, _ms = row[len(broken_op) :].split()
    assert shapes == "(3,)" and status == "FAIL"
    assert float(abs_err) > 0.1 and float(rel_err) == pytest.approx(0.5, abs=0.01)  # backward says x, not 2x
    assert f"FAIL {broken_op}: Jacobian mismatch" in result.stdout
    assert "0/1 gradient checks passed" in result.stdout
    assert result.stderr == f"Error: 1 of 1 gradient checks failed: {broken_op}\n"


def test_full_run_passes_everything_but_the_broken_op(broken_op: str) -> None:
    result = runner.invoke(app, ["selftest", "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["failed"] == 1 and report["passed"] == len(CASES) - 1
    assert [c["name"] for c in report["cases"] if not c["passed"]] == [broken_op]
    failed = next(c for c in report["cases"] if not c["passed"])
    assert failed["max_rel_err"] == pytest.approx(0.5, rel=1e-3)  # backward says x where 2x is right


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("matmull", "no selftest case matches 'matmull'; did you mean 'MatMul'?"),
        ("Conv2D", None),  # case-insensitive: matches Conv2d
        ("qqqzzz", "no selftest case matches 'qqqzzz'; run `vinsgrad selftest` to see every case"),
    ],
)
def test_unknown_name_is_exit_2_with_did_you_mean(name: str, message: str | None) -> None:
    result = runner.invoke(app, ["selftest", "--op", name, "--json"])
    if message is None:
        assert result.exit_code == 0 and json.loads(result.stdout)["passed"] > 0
        return
    assert result.exit_code == 2 and result.stderr == f"Error: --op: {message}\n" and result.stdout == ""


def test_rich_table_marks_failures(broken_op: str) -> None:
    console = Console(record=True, width=140, color_system=None)
    console.print(rich_table(run_all("wrongsquare") + run_all("sigmoid large")))
    text = console.export_text()
    assert "gradcheck (float64)" in text and "max abs err" in text
    assert "FAIL" in text.splitlines()[4] and "ok" in text.splitlines()[5]


def test_installed_command_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vinsgrad_cli", "selftest", "--op", "tanh"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "tanh (2,3)" in done.stdout and "gradient checks passed" in done.stdout
