"""The path of an exercise picture's arrow: a curve along the moving point's travel, trimmed
clear of the body, or a straight push or a turn."""

from __future__ import annotations

import math

from bot.core.poses import Arrow, Point
from bot.core.skeleton import Skeleton

# Two panels side by side in an 800-pixel-wide picture.
PANEL = 400


class Panel:
    """World (cm) to pixel mapping of one panel."""

    def __init__(self, index: int, centre_x: float, scale: float, floor_y: float) -> None:
        self.left = index * PANEL
        self.centre_x = centre_x
        self.scale = scale
        self.floor_y = floor_y

    def xy(self, p: Point) -> Point:
        return (
            self.left + PANEL / 2 + (p[0] - self.centre_x) * self.scale,
            self.floor_y + p[1] * self.scale,
        )


def path_curve(arrow: Arrow, a: Skeleton, b: Skeleton) -> tuple[list[Point], Point]:
    """A path arrow in cm: the curve from start to end, and the unit normal it bulges to."""
    p0, p1 = a.point(arrow.point), b.point(arrow.point)
    mid = ((p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2)
    dx, dy = p1[0] - p0[0], p1[1] - p0[1]
    bend = arrow.bend
    if bend == 0.0:
        body = [p for seg in b.segments for p in seg.points]
        cx = sum(p[0] for p in body) / len(body)
        cy = sum(p[1] for p in body) / len(body)
        away = math.dist((mid[0] + dy, mid[1] - dx), (cx, cy))
        toward = math.dist((mid[0] - dy, mid[1] + dx), (cx, cy))
        bend = 0.35 if away >= toward else -0.35
    control = (mid[0] + bend * dy, mid[1] - bend * dx)
    n = math.hypot(dx, dy) or 1.0
    normal = (dy / n, -dx / n) if bend > 0 else (-dy / n, dx / n)
    curve = []
    for i in range(25):
        t = i / 24
        u = 1 - t
        curve.append(
            (
                u * u * p0[0] + 2 * u * t * control[0] + t * t * p1[0],
                u * u * p0[1] + 2 * u * t * control[1] + t * t * p1[1],
            )
        )
    return curve, normal


def arrow_reach(arrow: Arrow, a: Skeleton, b: Skeleton) -> list[Point]:
    """Points (cm) the arrow may cover, so the layout keeps it inside the panel."""
    if arrow.kind == "path":
        curve, normal = path_curve(arrow, a, b)
        return curve + [(x + normal[0] * 12, y + normal[1] * 12) for x, y in curve]
    x, y = b.point(arrow.point)
    x, y = x + arrow.offset[0], y + arrow.offset[1]
    return [(x - 16, y - 16), (x + 16, y + 16)]


def arrow_points(arrow: Arrow, panel: Panel, a: Skeleton, b: Skeleton) -> list[Point]:
    """The arrow as a pixel polyline, tail first."""
    if arrow.kind == "path":
        curve, normal = path_curve(arrow, a, b)
        # Pushed out from the joints so the arrow never covers the limb it describes.
        shift = 14.0
        pixels = [panel.xy(p) for p in curve]
        pts = [(x + normal[0] * shift, y + normal[1] * shift) for x, y in pixels]
        return trim(pts, 6.0, 4.0)
    centre = panel.xy(
        (b.point(arrow.point)[0] + arrow.offset[0], b.point(arrow.point)[1] + arrow.offset[1])
    )
    if arrow.kind == "push":
        length = 46.0
        d = (math.cos(math.radians(arrow.direction)), math.sin(math.radians(arrow.direction)))
        tail = (centre[0] - d[0] * length / 2, centre[1] - d[1] * length / 2)
        return [tail, (tail[0] + d[0] * length, tail[1] + d[1] * length)]
    radius, sweep = 20.0, 240.0
    sign = -1.0 if arrow.clockwise else 1.0
    begin = 90.0 - sign * sweep / 2
    return [
        (
            centre[0] + radius * math.cos(math.radians(begin + sign * sweep * i / 30)),
            centre[1] + radius * math.sin(math.radians(begin + sign * sweep * i / 30)),
        )
        for i in range(31)
    ]


def trim(points: list[Point], head: float, tail: float) -> list[Point]:
    def cut(pts: list[Point], amount: float) -> list[Point]:
        while len(pts) > 2 and math.dist(pts[0], pts[1]) <= amount:
            amount -= math.dist(pts[0], pts[1])
            pts = pts[1:]
        (x0, y0), (x1, y1) = pts[0], pts[1]
        f = min(amount / (math.dist(pts[0], pts[1]) or 1.0), 1.0)
        return [(x0 + (x1 - x0) * f, y0 + (y1 - y0) * f), *pts[1:]]

    return cut(cut(points, tail)[::-1], head)[::-1]
