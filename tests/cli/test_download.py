"""`vinsgrad download`: generated MNIST files from a file:// mirror or a local folder; never the network."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner
from vinsgrad_cli.main import app

from vinsgrad.vision.datasets import MNIST, FashionMNIST

runner = CliRunner()


@pytest.fixture(autouse=True)
def offline(fake_mnist: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The generated files' checksums (``fake_mnist``), and no official mirrors: nothing can reach the network."""
    monkeypatch.setattr(MNIST, "mirrors", ())
    monkeypatch.setattr(FashionMNIST, "mirrors", ())
    monkeypatch.delenv("VINSGRAD_MIRROR", raising=False)


def test_download_from_a_mirror_then_again_from_the_verified_copy(tmp_path: Path, mnist_mirror: Path) -> None:
    root = tmp_path / "data"
    args = ["download", "mnist", "--root", str(root), "--mirror", mnist_mirror.as_uri() + "/"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    folder = root / "MNIST" / "raw"
    assert result.stdout.strip() == f"mnist: 4 files verified in {folder}"
    assert sorted(p.name for p in folder.glob("*.gz")) == sorted(name for name, _ in MNIST.resources)
    again = runner.invoke(app, ["download", "MNIST", "--root", str(root)])  # any case; no mirror needed now
    assert again.exit_code == 0, again.output
    assert again.stdout.strip() == f"mnist: 4 files verified in {folder}"


def test_fashion_mnist_goes_to_its_own_folder(tmp_path: Path, mnist_mirror: Path) -> None:
    result = runner.invoke(
        app, ["download", "fashion-mnist", "--root", str(tmp_path), "--mirror", mnist_mirror.as_uri()]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"fashion-mnist: 4 files verified in {tmp_path / 'FashionMNIST' / 'raw'}"


def test_download_from_a_local_folder(tmp_path: Path, mnist_mirror: Path) -> None:
    result = runner.invoke(app, ["download", "mnist", "--root", str(tmp_path), "--from", str(mnist_mirror)])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "MNIST" / "raw").glob("*.gz"))) == 4


def test_mirror_from_the_environment(tmp_path: Path, mnist_mirror: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VINSGRAD_MIRROR", mnist_mirror.as_uri())
    result = runner.invoke(app, ["download", "mnist", "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output


def test_every_mirror_failing_is_a_one_line_runtime_error(tmp_path: Path) -> None:
    bad = [(tmp_path / "nowhere").as_uri() + "/", (tmp_path / "empty").as_uri() + "/"]
    (tmp_path / "empty").mkdir()
    mirrors = [arg for m in bad for arg in ("--mirror", m)]
    result = runner.invoke(app, ["download", "mnist", "--root", str(tmp_path / "data"), *mirrors])
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: could not download train-images-idx3-ubyte.gz"), lines
    assert all(f"{m}train-images-idx3-ubyte.gz" in lines[0] for m in bad)
    assert "--from" in lines[0]  # how to fix it
    assert not list((tmp_path / "data").rglob("*.gz"))  # nothing half-downloaded under a final name


def test_generated_datasets_need_no_download(tmp_path: Path) -> None:
    result = runner.invoke(app, ["download", "moons", "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "moons is generated on the fly; there is nothing to download\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["mnsit"], "Error: unknown dataset 'mnsit'; did you mean 'mnist'?"),
        (["fashion_mnist"], "Error: unknown dataset 'fashion_mnist'; did you mean 'fashion-mnist'?"),
        (["imagenet"], "Error: unknown dataset 'imagenet' (choices: fashion-mnist, mnist, tiny-shakespeare)"),
        (["mnist", "--mirror", "ftp://example.org/"], "Error: mirror 'ftp://example.org/' must start with http://"),
        (["mnist", "--from", "/no/such/folder"], "Error: /no/such/folder: no such folder or archive"),
    ],
)
def test_bad_usage_is_a_one_line_usage_error(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["download", *args, "--root", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr
    assert result.stdout == ""


def test_help_has_examples() -> None:
    result = runner.invoke(app, ["download", "--help"])
    assert result.exit_code == 0
    assert "vinsgrad download mnist" in result.stdout and "--mirror" in result.stdout and "--from" in result.stdout


def test_mirror_and_vinsgrad_mirror_accept_plain_folders(
    tmp_path: Path, mnist_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flag = runner.invoke(app, ["download", "mnist", "--root", str(tmp_path / "a"), "--mirror", str(mnist_mirror)])
    assert flag.exit_code == 0, flag.output
    monkeypatch.setenv("VINSGRAD_MIRROR", str(mnist_mirror))
    env = runner.invoke(app, ["download", "mnist", "--root", str(tmp_path / "b")])
    assert env.exit_code == 0, env.output
    assert "4 files verified" in flag.stdout and "4 files verified" in env.stdout


def test_a_damaged_local_file_is_named_as_bad_not_as_a_failed_download(
    tmp_path: Path, tiny_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = tmp_path / "data" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / "train-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b truncated")
    monkeypatch.delenv("VINSGRAD_MIRROR", raising=False)
    result = runner.invoke(app, ["train", str(tiny_config), "--out", str(tmp_path / "run")])
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"Error: {raw / 'train-images-idx3-ubyte.gz'} is damaged (truncated, or not the expected file) and no "
        "mirror could replace it: delete it, or run `vinsgrad download mnist --from <folder or archive>`\n"
    )
    assert "from_dir" not in result.stderr and not (tmp_path / "run").exists()
