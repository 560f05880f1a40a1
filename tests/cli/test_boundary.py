"""The decision-boundary picture: every pixel shows the predicted class, points on top, in ASCII and in colour."""

from __future__ import annotations

import re

import numpy as np
import pytest
from vinsgrad_cli.rendering import (
    HALF_BLOCK,
    POINT_CHARS,
    POINT_COLORS,
    REGION_CHARS,
    REGION_COLORS,
    RESET,
    dataset_arrays,
    print_boundary,
    render_boundary,
    render_legend,
)

SGR = re.compile(r"\x1b\[38;5;(\d+);48;5;(\d+)m")


def x_positive(grid: np.ndarray) -> np.ndarray:
    return (grid[:, 0] > 0).astype(np.int64)


def centres(lo: float, hi: float, count: int) -> np.ndarray:
    """Pixel centres of `count` equal cells between lo and hi (independent of the code under test)."""
    step = (hi - lo) / count
    return np.array([lo + (i + 0.5) * step for i in range(count)])


def parse_colour(text: str) -> np.ndarray:
    """The (2 * lines, width) colour of every pixel of a half-block picture."""
    pixels = []
    for line in text.split("\n"):
        assert line.endswith(RESET)
        top, bottom, fg, bg = [], [], None, None
        for match in re.finditer(r"\x1b\[38;5;(\d+);48;5;(\d+)m|" + HALF_BLOCK, line.removesuffix(RESET)):
            if match.group(0) == HALF_BLOCK:
                top.append(fg)
                bottom.append(bg)
            else:
                fg, bg = int(match.group(1)), int(match.group(2))
        pixels += [top, bottom]
    return np.array(pixels)


# Points spanning x in [-2, 2], y in [-1, 1]; with margin 0 the grid covers exactly that box.
POINTS = np.array([[-2.0, -1.0], [2.0, 1.0], [-1.0, 0.5], [1.5, -0.5]])
LABELS = np.array([0, 1, 1, 0])


def test_ascii_pixels_are_the_predictions_at_pixel_centres() -> None:
    text = render_boundary(x_positive, POINTS, LABELS, width=20, height=8, color=False, margin=0.0)
    lines = text.split("\n")
    assert len(lines) == 8 and all(len(line) == 20 for line in lines)
    xs = centres(-2.0, 2.0, 20)
    points_at = {(0, 7): 0, (19, 0): 1, (5, 2): 1, (17, 6): 0}  # (column, row) -> label, worked out by hand
    for row, line in enumerate(lines):
        for col, char in enumerate(line):
            if (col, row) in points_at:
                assert char == POINT_CHARS[points_at[(col, row)]], (col, row)
            else:
                assert char == REGION_CHARS[int(xs[col] > 0)], (col, row)


def test_rows_run_from_top_to_bottom() -> None:
    y_positive = lambda grid: (grid[:, 1] > 0).astype(np.int64)  # noqa: E731
    lines = render_boundary(y_positive, POINTS, LABELS, width=10, height=6, color=False, margin=0.0).split("\n")
    assert set(lines[1]) <= {REGION_CHARS[1], *POINT_CHARS} and REGION_CHARS[1] in lines[1]
    assert set(lines[4]) <= {REGION_CHARS[0], *POINT_CHARS} and REGION_CHARS[0] in lines[4]


def test_colour_pixels_are_half_blocks_of_the_predictions() -> None:
    text = render_boundary(x_positive, POINTS, LABELS, width=16, height=5, color=True, margin=0.0)
    pixels = parse_colour(text)
    assert pixels.shape == (10, 16)
    xs = centres(-2.0, 2.0, 16)
    # (row, column) of each point on the 10 x 16 pixel grid, worked out by hand.
    points_at = {(9, 0): 0, (0, 15): 1, (2, 4): 1, (7, 14): 0}
    for (row, col), colour in np.ndenumerate(pixels):
        if (row, col) in points_at:
            assert colour == POINT_COLORS[points_at[(row, col)]], (row, col)
        else:
            assert colour == REGION_COLORS[int(xs[col] > 0)], (row, col)
    assert "\x1b" not in text.replace("\x1b[0m", "").replace("\x1b[38;5;", "")  # only our two kinds of codes


def test_colour_codes_are_emitted_only_when_the_colour_changes() -> None:
    text = render_boundary(x_positive, POINTS[:2], LABELS[:2], width=40, height=3, color=True, margin=0.5)
    for line in text.split("\n"):
        assert len(SGR.findall(line)) <= 4  # region 0, region 1, at most a point and the region after it


def test_ascii_has_no_escape_codes_or_unicode() -> None:
    text = render_boundary(x_positive, POINTS, LABELS, width=12, height=4, color=False)
    assert text.isascii() and "\x1b" not in text


def test_a_pixel_with_points_of_two_classes_shows_the_majority() -> None:
    points = np.array([[0.0, 0.0], [0.01, 0.0], [0.02, 0.0], [10.0, 10.0]])
    always_zero = lambda grid: np.zeros(len(grid), dtype=np.int64)  # noqa: E731
    text = render_boundary(always_zero, points, np.array([2, 1, 1, 0]), width=4, height=4, color=False, margin=0.0)
    assert text.split("\n")[3][0] == POINT_CHARS[1]
    tie = render_boundary(always_zero, points[1:], np.array([2, 1, 0]), width=4, height=4, color=False, margin=0.0)
    assert tie.split("\n")[3][0] == POINT_CHARS[1]  # one 1 and one 2: the smaller label wins


def test_predict_receives_float32_points_inside_the_box() -> None:
    seen = []

    def predict(grid: np.ndarray) -> np.ndarray:
        seen.append(grid)
        return np.zeros(len(grid), dtype=np.int64)

    render_boundary(predict, POINTS, LABELS, width=7, height=3, color=True, margin=0.25)
    (grid,) = seen
    assert grid.dtype == np.float32 and grid.shape == (7 * 6, 2)
    assert grid[:, 0].min() > -3.0 and grid[:, 0].max() < 3.0 and grid[:, 1].min() > -1.5 and grid[:, 1].max() < 1.5


def test_classes_beyond_the_palette_reuse_it() -> None:
    eleven = lambda grid: np.full(len(grid), 11, dtype=np.int64)  # noqa: E731
    text = render_boundary(eleven, POINTS, LABELS, width=5, height=2, color=False, margin=1.0)
    assert set(text.replace("\n", "")) <= {REGION_CHARS[11 % len(REGION_CHARS)], *POINT_CHARS}


def test_a_single_point_still_gets_a_picture() -> None:
    text = render_boundary(x_positive, [[0.5, 0.5]], [1], width=3, height=3, color=False)
    assert text.split("\n")[1][1] == POINT_CHARS[1]


@pytest.mark.parametrize(
    ("predict", "points", "labels", "message"),
    [
        (lambda g: np.zeros(3, dtype=np.int64), POINTS, LABELS, r"predict must return 8 .* got shape \(3,\)"),
        (lambda g: np.zeros(len(g)), POINTS, LABELS, r"integer class ids .* dtype float64"),
        (x_positive, POINTS[:, :1], LABELS, r"points must have shape \(n, 2\) .* got \(4, 1\)"),
        (x_positive, POINTS, LABELS[:3], r"labels must be 4 .* got shape \(3,\)"),
    ],
)
def test_bad_input_names_what_was_expected(predict, points, labels, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        render_boundary(predict, points, labels, width=2, height=2, color=True)


def test_bad_size_is_rejected() -> None:
    with pytest.raises(ValueError, match="width must be an int >= 1, got 0"):
        render_boundary(x_positive, POINTS, LABELS, width=0)


def test_legend_names_each_class_with_its_area_and_point_look() -> None:
    expected = (
        f"cat: area {REGION_CHARS[0]} point {POINT_CHARS[0]}   dog: area {REGION_CHARS[1]} point {POINT_CHARS[1]}"
    )
    assert render_legend(["cat", "dog"], color=False) == expected
    coloured = render_legend(["cat", "dog"], color=True)
    assert f"dog: area \x1b[38;5;{REGION_COLORS[1]}m██{RESET} point \x1b[38;5;{POINT_COLORS[1]}m██{RESET}" in coloured
    assert coloured.startswith(f"cat: area \x1b[38;5;{REGION_COLORS[0]}m")


# **** the glue that draws a model's boundary ****


def test_print_boundary_draws_ascii_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    import vinsgrad
    from vinsgrad import nn
    from vinsgrad.utils.data import TensorDataset

    model = nn.Linear(2, 2)
    with vinsgrad.no_grad():
        model.weight.copy_(vinsgrad.tensor([[-1.0, 0.0], [1.0, 0.0]]))  # class = x > 0
        model.bias.zero_()
    data = TensorDataset(vinsgrad.tensor(POINTS, dtype=vinsgrad.float32), vinsgrad.tensor(LABELS))
    assert print_boundary(model, data, ["left", "right"], split="test") is True
    title, *rows, legend = capsys.readouterr().out.rstrip("\n").split("\n")
    assert title == "decision boundary on the test set (4 points)"
    assert legend == render_legend(["left", "right"], color=False)
    assert rows == render_boundary(x_positive, POINTS, LABELS, width=len(rows[0]), height=len(rows), color=False).split(
        "\n"
    )


def test_print_boundary_skips_inputs_that_are_not_points(capsys: pytest.CaptureFixture[str]) -> None:
    import vinsgrad
    from vinsgrad.utils.data import TensorDataset

    images = TensorDataset(vinsgrad.zeros(3, 28, 28), vinsgrad.tensor([0, 1, 2]))
    assert print_boundary(None, images, ["a", "b", "c"], split="test") is False
    assert print_boundary(None, TensorDataset(vinsgrad.zeros(0, 2), vinsgrad.zeros(0)), [], split="test") is False
    assert capsys.readouterr().out == ""


def test_dataset_arrays_reads_any_dataset_of_pairs() -> None:
    import vinsgrad
    from vinsgrad.utils.data import Subset, TensorDataset

    data = TensorDataset(vinsgrad.tensor(POINTS, dtype=vinsgrad.float32), vinsgrad.tensor(LABELS))
    points, labels = dataset_arrays(Subset(data, [3, 1, 0]), 2)
    np.testing.assert_array_equal(points, POINTS[[3, 1]].astype(np.float32))
    np.testing.assert_array_equal(labels, LABELS[[3, 1]])
    points, labels = dataset_arrays(data, 10)
    np.testing.assert_array_equal(points, POINTS.astype(np.float32))
    np.testing.assert_array_equal(labels, LABELS)
