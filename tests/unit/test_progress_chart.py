"""The /progress chart as drawn: the figure is read back from matplotlib as it is saved (its
title, legend, axes and the points of both lines), not from the PNG's pixels."""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

import pytest

from bot.dialogue import chart
from bot.dialogue.chart import Point, progress_png

pytest.importorskip("matplotlib")

from matplotlib.colors import to_hex
from matplotlib.figure import Figure


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[Figure]:
    """Every figure saved while the test runs."""
    figures: list[Figure] = []
    save = Figure.savefig

    def keep(self: Figure, *args: Any, **kwargs: Any) -> None:
        figures.append(self)
        save(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", keep)
    return figures


def values(data: object) -> list[float]:
    """A line's x or y data as plain floats."""
    return [float(v) for v in cast(Sequence[float], data)]


def when(day: int) -> datetime:
    return datetime(2025, 1, day, 9, 0, tzinfo=UTC)


def test_no_sessions_no_chart() -> None:
    assert progress_png([], 3) is None


def test_the_chart_plots_before_and_after_per_session_in_time_order(
    drawn: list[Figure],
) -> None:
    points = [Point(when(15), 4, None), Point(when(13), 6, 3), Point(when(14), None, 2)]
    png = progress_png(points, 2)
    assert png is not None and png.startswith(b"\x89PNG")
    [figure] = drawn
    [axes] = figure.axes
    assert axes.get_title() == "Pain before and after each session · streak: 2 days"
    before, after = axes.get_lines()
    assert values(before.get_xdata()) == [1, 2, 3]
    ys = values(before.get_ydata())
    assert ys[0] == 6 and math.isnan(ys[1]) and ys[2] == 4
    assert values(after.get_xdata()) == [1, 2, 3]
    assert (before.get_marker(), after.get_marker()) == ("o", "o")
    ys = values(after.get_ydata())
    assert ys[:2] == [3, 2] and math.isnan(ys[2])
    assert [t.get_text() for t in axes.get_xticklabels()] == ["13 Jan", "14 Jan", "15 Jan"]
    # Slanted, so that thirty dates fit side by side.
    assert {t.get_rotation() for t in axes.get_xticklabels()} == {45.0}
    assert {t.get_fontsize() for t in axes.get_xticklabels()} == {8.0}
    assert axes.get_xlim() == (0.5, 3.5)
    assert axes.get_ylim() == (-0.5, 10.5)
    assert axes.get_ylabel() == "pain (0-10)"
    legend = axes.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["before", "after"]
    # Pain before in red, after in green: the colours people read as worse and better.
    assert (to_hex(before.get_color()), to_hex(after.get_color())) == ("#c0392b", "#27ae60")


@pytest.mark.parametrize(("streak", "title"), [(1, "1 day"), (0, "0 days")])
def test_the_title_counts_the_streak_in_days(drawn: list[Figure], streak: int, title: str) -> None:
    assert progress_png([Point(when(15), 4, 2)], streak) is not None
    [figure] = drawn
    assert figure.axes[0].get_title().endswith(f"streak: {title}")
    assert figure.axes[0].get_xlim() == (0.5, 1.5)


def test_without_matplotlib_there_is_no_chart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chart, "available", lambda: False)
    assert progress_png([Point(when(15), 4, 2)], 1) is None


def test_matplotlib_is_available_only_when_it_imports(monkeypatch: pytest.MonkeyPatch) -> None:
    assert chart.available()
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import now raises ImportError
    assert not chart.available()
    assert progress_png([Point(when(15), 4, 2)], 1) is None
