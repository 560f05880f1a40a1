"""Toy 2-D datasets: shapes and dtypes, reproducibility from a seed, and the geometry each one promises."""

from __future__ import annotations

import numpy as np
import pytest

import vinsgrad
from vinsgrad.utils.data import TensorDataset
from vinsgrad.utils.data.toy import make_blobs, make_moons, make_spirals


def arrays(dataset: TensorDataset) -> tuple[np.ndarray, np.ndarray]:
    x, y = dataset.tensors
    return x.numpy(), y.numpy()


def seeded(seed: int) -> vinsgrad.Generator:
    return vinsgrad.Generator().manual_seed(seed)


MAKERS = [
    lambda n, g: make_moons(n, 0.1, g),
    lambda n, g: make_spirals(n, 3, 0.05, g),
    lambda n, g: make_blobs(n, 4, 0.5, g),
]


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize("n", [1, 7, 300])
def test_shapes_and_dtypes(make, n: int) -> None:  # type: ignore[no-untyped-def]
    dataset = make(n, seeded(0))
    x, y = arrays(dataset)
    assert isinstance(dataset, TensorDataset) and len(dataset) == n
    assert x.shape == (n, 2) and x.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int64
    features, label = dataset[0]
    assert features.shape == (2,) and label.dtype == np.int64


@pytest.mark.parametrize("make", MAKERS)
def test_same_seed_same_data_other_seed_other_data(make) -> None:  # type: ignore[no-untyped-def]
    a, b, c = (arrays(make(200, seeded(s))) for s in (3, 3, 4))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("make", MAKERS)
def test_default_generator_follows_manual_seed(make) -> None:  # type: ignore[no-untyped-def]
    vinsgrad.manual_seed(11)
    first = arrays(make(50, None))
    vinsgrad.manual_seed(11)
    np.testing.assert_array_equal(first[0], arrays(make(50, None))[0])


def test_an_explicit_generator_leaves_the_default_one_alone() -> None:
    vinsgrad.manual_seed(5)
    before = vinsgrad.get_rng_state()
    make_moons(100, 0.2, seeded(1))
    assert vinsgrad.get_rng_state() == before


@pytest.mark.parametrize("make", MAKERS)
def test_points_come_shuffled(make) -> None:  # type: ignore[no-untyped-def]
    _, y = arrays(make(300, seeded(0)))
    assert np.any(np.diff(y) < 0)


def test_moons_without_noise_lie_on_two_half_circles() -> None:
    x, y = arrays(make_moons(101, 0.0, seeded(0)))
    upper, lower = x[y == 0].astype(np.float64), x[y == 1].astype(np.float64)
    assert len(upper) == 50 and len(lower) == 51
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-6)
    assert upper[:, 1].min() >= -1e-6
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, atol=1e-6)
    assert lower[:, 1].max() <= 0.5 + 1e-6
    # Both arcs run end to end: the upper one from (1, 0) to (-1, 0), the lower one from (0, 0.5) to (2, 0.5).
    np.testing.assert_allclose(np.sort(upper[:, 0])[[0, -1]], [-1.0, 1.0], atol=1e-6)
    np.testing.assert_allclose(np.sort(lower[:, 0])[[0, -1]], [0.0, 2.0], atol=1e-6)


def test_moons_noise_is_gaussian_with_the_given_std() -> None:
    clean = arrays(make_moons(20000, 0.0, seeded(0)))
    x, y = arrays(make_moons(20000, 0.1, seeded(0)))
    # Same seed, same shuffle: the difference is exactly the noise.
    np.testing.assert_array_equal(clean[1], y)
    noise = (x - clean[0]).astype(np.float64)
    assert abs(noise.std() - 0.1) < 0.003 and abs(noise.mean()) < 0.003


def test_spirals_without_noise_follow_their_arms() -> None:
    classes = 3
    x, y = arrays(make_spirals(301, classes, 0.0, seeded(0)))
    assert np.bincount(y).tolist() == [101, 100, 100]
    x = x.astype(np.float64)
    radius = np.hypot(x[:, 0], x[:, 1])
    assert radius.min() == pytest.approx(0.1, abs=1e-6) and radius.max() == pytest.approx(1.0, abs=1e-6)
    # Arm k starts at angle 2*pi*k/classes and winds a further 3/4 turn counter-clockwise by radius 1.
    expected = 2 * np.pi * (y / classes + 0.75 * (radius - 0.1) / 0.9)
    angle_error = np.angle(np.exp(1j * (np.arctan2(x[:, 1], x[:, 0]) - expected)))
    np.testing.assert_allclose(angle_error, 0.0, atol=1e-5)


def test_blobs_sit_around_the_given_centres_with_the_given_std() -> None:
    centres = np.array([[-3.0, 1.0], [4.0, 0.0], [0.0, -5.0]])
    x, y = arrays(make_blobs(30001, centres.tolist(), 0.5, seeded(0)))
    assert np.bincount(y).tolist() == [10001, 10000, 10000]
    for k, centre in enumerate(centres):
        points = x[y == k].astype(np.float64)
        np.testing.assert_allclose(points.mean(0), centre, atol=0.03)
        np.testing.assert_allclose(points.std(0), 0.5, atol=0.02)


def test_blobs_with_a_count_draw_centres_in_the_box() -> None:
    x, y = arrays(make_blobs(400, 5, 0.0, seeded(2)))
    centres = np.unique(x, axis=0)
    assert len(centres) == 5 and np.abs(centres).max() <= 10.0
    assert sorted(np.unique(y).tolist()) == [0, 1, 2, 3, 4]
    assert len(np.unique(arrays(make_blobs(400, 5, 0.0, seeded(3)))[0], axis=0)) == 5
    assert not np.array_equal(centres, np.unique(arrays(make_blobs(400, 5, 0.0, seeded(3)))[0], axis=0))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: make_moons(0), r"make_moons: n must be an int >= 1, got 0"),
        (lambda: make_moons(10.5), r"make_moons: n must be an int >= 1, got 10.5"),
        (lambda: make_moons(10, -0.1), r"make_moons: noise must be a finite number >= 0, got -0.1"),
        (lambda: make_moons(10, float("nan")), r"noise must be a finite number >= 0, got nan"),
        (lambda: make_spirals(10, 0), r"make_spirals: classes must be an int >= 1, got 0"),
        (lambda: make_spirals(10, True), r"classes must be an int >= 1, got True"),
        (lambda: make_blobs(10, 0), r"make_blobs: centers must be an int >= 1, got 0"),
        (lambda: make_blobs(10, [[1.0, 2.0, 3.0]]), r"centers must be an int >= 1 or a list of \[x, y\] pairs"),
        (lambda: make_blobs(10, 2, std="wide"), r"make_blobs: std must be a finite number >= 0, got 'wide'"),
    ],
)
def test_bad_arguments_say_what_was_expected(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        call()


def test_exported_from_utils_data() -> None:
    from vinsgrad.utils import data

    assert data.make_moons is make_moons and data.make_spirals is make_spirals and data.make_blobs is make_blobs
