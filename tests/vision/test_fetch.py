"""Downloads (fetch.py) against a loopback HTTP server: retries, mirror fallback, verification, atomicity, Ctrl-C.

Tiny timeouts and zero backoff keep every case fast; the server stops at the end of each test.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from vinsgrad.vision import datasets
from vinsgrad.vision.datasets import MNIST, DatasetError, DownloadError, fetch

NAME = "train-labels-idx1-ubyte.gz"
FAST = {"timeout": (1.0, 0.3), "retries": 2, "backoff": 0.0, "progress": False}


@pytest.fixture
def served(server: Any, small: Any) -> Any:
    for name in small.content:
        server.files["/" + name] = small.gz(name)
    return server


def sha(small: Any) -> str:
    return dict(small.resources)[NAME]


def get(small: Any, folder: Path, mirrors: list[str]) -> Path:
    return fetch.verified_download(NAME, sha(small), folder, mirrors, **FAST)  # type: ignore[arg-type]


def no_leftovers(folder: Path) -> bool:
    return not list(folder.glob(".*.part"))


def refused_url() -> str:
    with socket.socket() as s:  # a port nobody listens on once this closes
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_success_writes_the_verified_file(tmp_path: Path, served: Any, small: Any) -> None:
    path = get(small, tmp_path, [served.url])
    assert path == tmp_path / NAME and path.read_bytes() == small.gz(NAME) and no_leftovers(tmp_path)


def test_404_moves_on_to_the_next_mirror(tmp_path: Path, served: Any, small: Any) -> None:
    path = get(small, tmp_path, [served.url + "missing/", served.url])
    assert path.exists() and served.log == ["/missing/" + NAME, "/" + NAME]  # a 404 is not retried


def test_500_is_retried_on_the_same_mirror(tmp_path: Path, served: Any, small: Any) -> None:
    served.plan["/" + NAME] = [500, 503]
    assert get(small, tmp_path, [served.url]).exists() and served.requests(NAME) == 3


def test_a_truncated_body_is_retried(tmp_path: Path, served: Any, small: Any) -> None:
    served.plan["/" + NAME] = ["truncate"]
    assert get(small, tmp_path, [served.url]).read_bytes() == small.gz(NAME) and served.requests(NAME) == 2


def test_retries_run_out_then_the_next_mirror(tmp_path: Path, served: Any, small: Any) -> None:
    served.plan["/" + NAME] = [500, 500, 500]
    served.files["/b/" + NAME] = small.gz(NAME)
    assert get(small, tmp_path, [served.url, served.url + "b/"]).exists()
    assert served.log == ["/" + NAME] * 3 + ["/b/" + NAME]


def test_checksum_mismatch_moves_on_and_never_keeps_the_bad_file(tmp_path: Path, served: Any, small: Any) -> None:
    served.files["/bad/" + NAME] = small.gz("t10k-labels-idx1-ubyte.gz")
    assert get(small, tmp_path, [served.url + "bad/", served.url]).read_bytes() == small.gz(NAME)
    with pytest.raises(DownloadError, match="checksum mismatch"):
        get(small, tmp_path / "other", [served.url + "bad/"])
    assert not (tmp_path / "other" / NAME).exists() and no_leftovers(tmp_path / "other")


def test_a_stalled_server_times_out(tmp_path: Path, served: Any, small: Any) -> None:
    served.plan["/" + NAME] = ["stall", "stall", "stall"]
    with pytest.raises(DownloadError, match=r"timed out.*gave up after 3 attempts") as info:
        get(small, tmp_path, [served.url])
    assert "from_dir=" in str(info.value) and not (tmp_path / NAME).exists() and no_leftovers(tmp_path)


def test_every_mirror_failing_lists_each_one_and_why(tmp_path: Path, served: Any, small: Any) -> None:
    dead = refused_url()
    with pytest.raises(DownloadError) as info:
        get(small, tmp_path, [dead, served.url + "missing/", (tmp_path / "nowhere").as_uri() + "/"])
    message = str(info.value)
    assert "\n" not in message
    assert f"{dead}{NAME} (" in message and "refused" in message.lower()
    assert f"{served.url}missing/{NAME} (HTTP 404" in message
    assert "nowhere" in message and "VINSGRAD_MIRROR" in message and "work offline" in message
    assert served.requests("missing/" + NAME) == 1


def test_a_good_existing_file_survives_a_failed_redownload(tmp_path: Path, served: Any, small: Any) -> None:
    good = get(small, tmp_path, [served.url])
    served.files["/bad/" + NAME] = b"garbage"
    served.plan["/" + NAME] = ["truncate"] * 3
    with pytest.raises(DownloadError):
        get(small, tmp_path, [served.url + "bad/", served.url])
    assert good.read_bytes() == small.gz(NAME) and no_leftovers(tmp_path)


def test_ctrl_c_mid_stream_leaves_no_file(tmp_path: Path, served: Any, small: Any, monkeypatch: Any) -> None:
    class Interrupting:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pass

        def __enter__(self) -> Interrupting:
            return self

        def __exit__(self, *exc: Any) -> None:
            pass

        def update(self, n: int) -> None:
            raise KeyboardInterrupt

    monkeypatch.setattr(fetch, "_progress_bar", Interrupting)
    with pytest.raises(KeyboardInterrupt):
        get(small, tmp_path, [served.url])
    assert not (tmp_path / NAME).exists() and no_leftovers(tmp_path)


def test_file_mirrors_and_the_environment_variable(tmp_path: Path, small: Any, monkeypatch: Any) -> None:
    local = small.write(tmp_path / "copy")
    monkeypatch.setenv("VINSGRAD_MIRROR", f"http://127.0.0.1:9/unused/, {local.as_uri()}")
    urls = fetch.mirror_list("https://first.example/x", ["https://official.example/"])
    assert urls == ["https://first.example/x/", "http://127.0.0.1:9/unused/", local.as_uri() + "/",
                    "https://official.example/"]  # fmt: skip
    monkeypatch.setenv("VINSGRAD_MIRROR", local.as_uri())
    folder = datasets.download("mnist", tmp_path / "root", progress=False)
    assert len(MNIST(tmp_path / "root")) == 12 and folder == tmp_path / "root" / "MNIST" / "raw"
    with pytest.raises(ValueError, match="must start with http://, https:// or file://"):
        fetch.mirror_list("/just/a/path", [])


def test_download_skips_files_already_verified(tmp_path: Path, served: Any, small: Any) -> None:
    datasets.download("mnist", tmp_path, mirrors=[served.url], progress=False)
    assert len(served.log) == 4
    data = MNIST(tmp_path, download=True, mirrors=served.url)
    assert len(served.log) == 4 and len(data) == 12


def test_dataset_errors_are_catchable_as_one_family() -> None:
    assert issubclass(DownloadError, DatasetError)


def test_backoff_doubles_between_retries(tmp_path: Path, served: Any, small: Any, monkeypatch: Any) -> None:
    slept: list[float] = []
    monkeypatch.setattr(fetch.time, "sleep", slept.append)
    served.plan["/" + NAME] = [500, 502]
    fetch.verified_download(NAME, sha(small), tmp_path, [served.url], progress=False, backoff=0.5)
    assert slept == [0.5, 1.0]
