"""The /progress chart: pain before and after each session, and the streak, as a PNG.

matplotlib is an optional extra (`pip install -e '.[chart]'`); without it there is no
chart and /progress sends its text alone.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

WIDTH_INCHES, HEIGHT_INCHES, DPI = 8.0, 4.5, 100
SIZE = (int(WIDTH_INCHES * DPI), int(HEIGHT_INCHES * DPI))


@dataclass(frozen=True)
class Point:
    """One session on the chart."""

    when: datetime
    before: int | None
    after: int | None


def available() -> bool:
    """True when matplotlib is installed."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def progress_png(points: Sequence[Point], streak: int) -> bytes | None:
    """The chart as PNG bytes (800 x 450), or None without matplotlib or without sessions."""
    if not points or not available():
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    ordered = sorted(points, key=lambda p: p.when)
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    axes = figure.subplots()
    numbers = list(range(1, len(ordered) + 1))
    before = [p.before if p.before is not None else float("nan") for p in ordered]
    after = [p.after if p.after is not None else float("nan") for p in ordered]
    axes.plot(numbers, before, marker="o", label="before", color="#c0392b")
    axes.plot(numbers, after, marker="o", label="after", color="#27ae60")
    axes.set_ylim(-0.5, 10.5)
    axes.set_xlim(0.5, len(ordered) + 0.5)
    axes.set_xticks(numbers, [p.when.strftime("%d %b") for p in ordered], rotation=45, fontsize=8)
    axes.set_ylabel("pain (0-10)")
    axes.set_title(
        f"Pain before and after each session · streak: {streak} day{'s' if streak != 1 else ''}"
    )
    axes.grid(alpha=0.3)
    axes.legend(loc="upper right")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
