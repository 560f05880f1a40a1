"""`vinsgrad download tiny-shakespeare` and `data.path: tiny-shakespeare`, served over loopback HTTP from generated
text (its SHA-256 and facts patched in): verified, atomic, mirrors from $VINSGRAD_MIRROR; --from FILE."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from typer.testing import CliRunner
from vinsgrad_cli.main import app

from vinsgrad.utils.data.text import TinyShakespeare

runner = CliRunner()
TEXT = "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n" * 40


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTP server on 127.0.0.1 serving ``tmp_path/www`` (URL, folder)."""
    www = tmp_path / "www"
    www.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(www)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", www
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def generated_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make TinyShakespeare expect TEXT, and never reach the real mirror."""
    monkeypatch.setattr(TinyShakespeare, "sha256", hashlib.sha256(TEXT.encode()).hexdigest())
    monkeypatch.setattr(TinyShakespeare, "characters", len(TEXT))
    monkeypatch.setattr(TinyShakespeare, "distinct", len(set(TEXT)))
    monkeypatch.setattr(TinyShakespeare, "mirrors", ())
    monkeypatch.delenv("VINSGRAD_MIRROR", raising=False)


def test_download_from_a_mirror_in_the_environment(
    server: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, www = server
    (www / "input.txt").write_text(TEXT)
    monkeypatch.setenv("VINSGRAD_MIRROR", url)
    root = tmp_path / "data"
    result = runner.invoke(app, ["download", "tiny-shakespeare", "--root", str(root)])
    assert result.exit_code == 0, result.output
    file = root / "tiny-shakespeare" / "input.txt"
    assert result.stdout == f"tiny-shakespeare: {file} verified ({len(TEXT):,} characters)\n"
    assert file.read_text() == TEXT
    (www / "input.txt").unlink()  # verified once: later calls need no mirror
    again = runner.invoke(app, ["download", "Tiny-Shakespeare", "--root", str(root)])
    assert again.exit_code == 0, again.output


def test_a_wrong_file_on_the_mirror_is_refused_and_nothing_is_kept(server: tuple[str, Path], tmp_path: Path) -> None:
    url, www = server
    (www / "input.txt").write_text(TEXT.upper())
    root = tmp_path / "data"
    result = runner.invoke(app, ["download", "tiny-shakespeare", "--root", str(root), "--mirror", url])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and f"{url}input.txt (" in lines[0] and "checksum mismatch" in lines[0]
    assert not list((root / "tiny-shakespeare").iterdir())  # no partial or wrong file under any name


def test_from_a_local_file(tmp_path: Path) -> None:
    local = tmp_path / "shakespeare-copy.txt"
    local.write_text(TEXT)
    result = runner.invoke(app, ["download", "tiny-shakespeare", "--root", str(tmp_path / "d"), "--from", str(local)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d" / "tiny-shakespeare" / "input.txt").read_text() == TEXT
    local.write_text(TEXT[:-1])
    result = runner.invoke(app, ["download", "tiny-shakespeare", "--root", str(tmp_path / "e"), "--from", str(local)])
    assert result.exit_code == 2
    assert f"not tiny-shakespeare: it has {len(TEXT) - 1:,} characters" in result.stderr


def test_training_on_tiny_shakespeare_fetches_it(server: tuple[str, Path], tmp_path: Path) -> None:
    url, www = server
    (www / "input.txt").write_text(TEXT)
    config = tmp_path / "c.yaml"
    config.write_text(
        "model: {type: GPT, n_layer: 1, n_head: 1, n_embd: 8, block_size: 8}\n"
        "optimizer: {type: AdamW}\n"
        f"data: {{dataset: text, path: tiny-shakespeare, root: {tmp_path / 'data'}, block_size: 8, batch_size: 4}}\n"
        "train: {max_steps: 2}\n"
    )
    result = runner.invoke(
        app, ["train", str(config), "--out", str(tmp_path / "run"), "-q"], env={"VINSGRAD_MIRROR": url}
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "tiny-shakespeare" / "input.txt").read_text() == TEXT


def test_a_text_url_is_downloaded_once(server: tuple[str, Path], tmp_path: Path) -> None:
    from vinsgrad.utils.data.text import download_text

    url, www = server
    (www / "notes.txt").write_text("hello")
    path = download_text(url + "notes.txt", tmp_path / "data", progress=False)
    assert path == tmp_path / "data" / "text" / "notes.txt" and path.read_text() == "hello"
    (www / "notes.txt").unlink()
    assert download_text(url + "notes.txt", tmp_path / "data", progress=False) == path


def test_training_without_a_reachable_copy_says_how_to_get_one(server: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = server  # serves nothing: 404
    config = tmp_path / "c.yaml"
    config.write_text(
        "model: {type: GPT, n_layer: 1, n_head: 1, n_embd: 8, block_size: 8}\noptimizer: {type: AdamW}\n"
        f"data: {{dataset: text, root: {tmp_path / 'data'}, block_size: 8}}\n"
    )
    result = runner.invoke(app, ["train", str(config), "--out", str(tmp_path / "run")], env={"VINSGRAD_MIRROR": url})
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and f"{url}input.txt (HTTP 404" in result.stderr
    assert "run `vinsgrad download tiny-shakespeare --from <file>`" in result.stderr
    assert "Or train on any text file: --set data.path=FILE." in result.stderr
