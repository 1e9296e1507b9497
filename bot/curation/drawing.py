"""Drawing one exercise picture with matplotlib: two panels (start, end) of line art, the
moving part in the accent colour, an arrow, the floor and furniture, a label under each."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from bot.core.pose_files import fingerprint
from bot.core.poses import BODY, PROPS, Picture, Point
from bot.core.skeleton import Skeleton, skeleton
from bot.curation.arrows import PANEL, Panel, arrow_points, arrow_reach, trim

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Bump when the drawing changes, so every committed picture counts as stale.
RENDERER_VERSION = "1"
FINGERPRINT_KEY = "hipbot-fingerprint"
WIDTH, HEIGHT, DPI = 800, 400, 100
FLOOR_Y = 96.0
TOP_Y = 386.0
SIDE_MARGIN = 28.0
MAX_SCALE = 2.2
PT = 72 / DPI
BACKGROUND = "#FBF9F4"
INK = "#22303C"
CAPTION = "#6F7C87"
ACCENT = "#E0532B"
GHOST = "#F5D3C5"
PROP = "#9DA9B3"
PROP_FILL = "#E8ECEF"
FLOOR = "#5F6D78"
GROUND = "#EFEBE2"
DIVIDER = "#E2DDD2"


def _layout(picture: Picture, a: Skeleton, b: Skeleton) -> tuple[float, float, float]:
    """Scale (px per cm), the world x at the middle of each panel, and the floor's height."""
    boxes = [a.extent(BODY), b.extent(BODY)]
    xs = [x for box in boxes for x in (box[0], box[2])]
    ys = [box[3] for box in boxes]
    for low, high, top in _prop_extents(picture):
        xs += [low, high]
        ys.append(top)
    for arrow in picture.arrows:
        for x, y in arrow_reach(arrow, a, b):
            xs.append(x)
            ys.append(y)
    width = max(xs) - min(xs)
    height = max(ys)
    scale = min((PANEL - 2 * SIDE_MARGIN) / width, (TOP_Y - FLOOR_Y) / height, MAX_SCALE)
    # A low figure (lying down) sits nearer the middle instead of under a band of empty space.
    floor_y = FLOOR_Y + (TOP_Y - FLOOR_Y - height * scale) * 0.2
    return scale, (max(xs) + min(xs)) / 2, floor_y


def _prop_extents(picture: Picture) -> Iterator[tuple[float, float, float]]:
    props, s = picture.props, PROPS
    if props.chair is not None:
        if picture.view == "side":
            yield props.chair - s.seat_depth, props.chair, s.seat_height + s.chair_back
        else:
            half = s.front_seat_width / 2
            yield props.chair - half, props.chair + half, s.seat_height
    if props.desk is not None:
        yield props.desk - s.desk_width / 2, props.desk + s.desk_width / 2, s.desk_height
    if props.wall is not None:
        yield props.wall, props.wall + 18 / MAX_SCALE, 0.0
    if props.cushion is not None:
        half = s.cushion_width / 2
        yield props.cushion - half, props.cushion + half, s.cushion_height


def _line(
    ax: Axes, panel: Panel, points: Sequence[Point], color: str, width_px: float, z: float
) -> None:
    xy = [panel.xy(p) for p in points]
    ax.plot(
        [p[0] for p in xy],
        [p[1] for p in xy],
        color=color,
        linewidth=width_px * PT,
        solid_capstyle="round",
        solid_joinstyle="round",
        zorder=z,
    )


def _draw_props(ax: Axes, panel: Panel, picture: Picture, lw: float) -> None:
    from matplotlib.patches import FancyBboxPatch, Rectangle

    props, s = picture.props, PROPS
    thin = max(lw * 0.5, 3.0)
    if props.wall is not None:
        x0, y0 = panel.xy((props.wall, 0.0))
        ax.add_patch(Rectangle((x0, y0), 18, TOP_Y + 6 - y0, color=PROP_FILL, zorder=1))
        ax.plot([x0, x0], [y0, TOP_Y + 6], color=PROP, linewidth=thin * PT, zorder=1.1)
    if props.desk is not None:
        left, right = props.desk - s.desk_width / 2, props.desk + s.desk_width / 2
        h = s.desk_height
        _line(ax, panel, [(left, h), (right, h)], PROP, thin * 1.5, 1.2)
        for x in (left + 4, right - 4):
            _line(ax, panel, [(x, h), (x, 0.0)], PROP, thin, 1.1)
    if props.chair is not None:
        h, back = s.seat_height, s.seat_height + s.chair_back
        if picture.view == "side":
            front, rear = props.chair, props.chair - s.seat_depth
            _line(ax, panel, [(rear, back), (rear, 0.0)], PROP, thin, 1.2)
            _line(ax, panel, [(front - 3, h), (front - 3, 0.0)], PROP, thin, 1.2)
            _line(ax, panel, [(rear, h), (front, h)], PROP, thin * 1.5, 1.3)
        else:
            # From the front the backrest hides behind the person: seat and legs only.
            half = s.front_seat_width / 2
            left, right = props.chair - half, props.chair + half
            for x in (left + 3, right - 3):
                _line(ax, panel, [(x, h), (x, 0.0)], PROP, thin, 1.1)
            _line(ax, panel, [(left, h), (right, h)], PROP, thin * 1.5, 1.3)
    if props.cushion is not None:
        half = s.cushion_width / 2
        x0, y0 = panel.xy((props.cushion - half, 0.0))
        x1, y1 = panel.xy((props.cushion + half, s.cushion_height))
        ax.add_patch(
            FancyBboxPatch(
                (x0, y0),
                x1 - x0,
                y1 - y0,
                boxstyle=f"round,pad=0,rounding_size={(y1 - y0) / 2}",
                facecolor=PROP_FILL,
                edgecolor=PROP,
                linewidth=thin * 0.7 * PT,
                zorder=1.2,
            )
        )


_TRUNK_GROUP = ("pelvis", "trunk", "neck", "shoulders")


def _draw_body(
    ax: Axes,
    panel: Panel,
    skel: Skeleton,
    moves: Sequence[str],
    lw: float,
    *,
    ghost: bool = False,
) -> None:
    from matplotlib.patches import Circle

    for seg in skel.segments:
        moving = seg.name in moves
        if ghost and not moving:
            continue
        color = GHOST if ghost else ACCENT if moving else INK
        if seg.name == "head":
            cx, cy = panel.xy(seg.points[0])
            ax.add_patch(
                Circle(
                    (cx, cy),
                    BODY.head * panel.scale - lw / 2,
                    facecolor=BACKGROUND,
                    edgecolor=color,
                    linewidth=(lw * 0.8 if ghost else lw) * PT,
                    zorder=2.0 if ghost else 3.6,
                )
            )
            continue
        if ghost:
            _line(ax, panel, seg.points, color, lw * 0.8, 2.0)
            continue
        if seg.side == "far":
            _line(ax, panel, seg.points, color, lw, 2.5)
            continue
        # A background halo around parts in front separates them from the parts behind;
        # it is cut short at the joints so that it never notches a connected part.
        in_trunk = seg.name in _TRUNK_GROUP
        # The moving part goes on top: an arm lying along the trunk must not hide it.
        halo_z, line_z = (5.0, 5.5) if moving else (3.0, 3.5) if in_trunk else (4.0, 4.5)
        pixels = [panel.xy(p) for p in seg.points]
        halo = trim(pixels, lw if in_trunk else 0.0, lw)
        if len(halo) >= 2 and math.dist(halo[0], halo[-1]) > 2:
            ax.plot(
                [p[0] for p in halo],
                [p[1] for p in halo],
                color=BACKGROUND,
                linewidth=(lw + 6) * PT,
                solid_capstyle="round",
                solid_joinstyle="round",
                zorder=halo_z,
            )
        _line(ax, panel, seg.points, color, lw, line_z)


def _draw_arrow(ax: Axes, points: list[Point]) -> None:
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path as MplPath

    ax.add_patch(
        FancyArrowPatch(
            path=MplPath(points),
            arrowstyle=f"-|>,head_length={13 * PT},head_width={7 * PT}",
            color=ACCENT,
            linewidth=3.5 * PT,
            capstyle="round",
            joinstyle="round",
            zorder=8,
        )
    )


def figure(picture: Picture) -> Figure:
    """The two-panel matplotlib figure of a picture (800 x 400 px at 100 dpi)."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle, Rectangle

    fig = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, facecolor=BACKGROUND)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(0, HEIGHT)
    ax.set_axis_off()
    start, end = skeleton(picture.start), skeleton(picture.end)
    scale, centre_x, floor_y = _layout(picture, start, end)
    lw = min(max(2 * BODY.radius * scale, 7.0), 10.0)
    ax.plot([PANEL, PANEL], [18, HEIGHT - 18], color=DIVIDER, linewidth=2 * PT, zorder=0)
    for index, (pose_skel, pose) in enumerate(((start, picture.start), (end, picture.end))):
        panel = Panel(index, centre_x, scale, floor_y)
        left = panel.left + 14
        # Above the halos of the body (which would notch it), below the body's lines.
        ax.add_patch(
            Rectangle((left, floor_y - 16), PANEL - 28, 16, color=GROUND, linewidth=0, zorder=4.1)
        )
        ax.plot(
            [left, left + PANEL - 28],
            [floor_y - 1.5, floor_y - 1.5],
            color=FLOOR,
            linewidth=3 * PT,
            solid_capstyle="butt",
            zorder=4.2,
        )
        _draw_props(ax, panel, picture, lw)
        if index == 1:
            _draw_body(ax, panel, start, picture.moves, lw, ghost=True)
        _draw_body(ax, panel, pose_skel, picture.moves, lw)
        if index == 1:
            for arrow in picture.arrows:
                _draw_arrow(ax, arrow_points(arrow, panel, start, end))
        badge = (panel.left + 30, HEIGHT - 30)
        ax.add_patch(Circle(badge, 14, color=INK if index == 0 else ACCENT, zorder=9))
        ax.text(
            *badge,
            str(index + 1),
            color="white",
            fontsize=12,
            fontweight="bold",
            ha="center",
            va="center_baseline",
            zorder=10,
        )
        ax.text(
            panel.left + PANEL / 2,
            (FLOOR_Y - 16) / 2,
            _wrap(pose.label),
            color=INK,
            fontsize=15,
            ha="center",
            va="center",
            linespacing=1.15,
            zorder=10,
        )
    return fig


def _wrap(label: str, width: int = 28) -> str:
    """The label on one line, or on two lines of about equal length."""
    if len(label) <= width:
        return label
    # A number stays with its unit and a range with its ends: "3 s", "2 to 5 cm".
    glued = re.sub(r"(\d) (s|cm|to)\b", "\\1\u00a0\\2", label)
    words = re.sub(r"\bto (\d)", "to\u00a0\\1", glued).split(" ")
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    first, second = min(splits, key=lambda pair: max(len(pair[0]), len(pair[1])))
    return f"{first}\n{second}".replace("\u00a0", " ")


def render_png(picture: Picture) -> bytes:
    """A picture as a small palette PNG with its fingerprint in a text chunk.

    Equal pictures give equal bytes (no name or date inside), so git stores a copy once.
    """
    from PIL import Image, PngImagePlugin

    drawn = io.BytesIO()
    figure(picture).savefig(drawn, format="png", dpi=DPI)
    drawn.seek(0)
    with Image.open(drawn) as rgba:
        # A few dozen colours keep the antialiased edges and make the file a few KB.
        image = rgba.convert("RGB").quantize(
            colors=40, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    info = PngImagePlugin.PngInfo()
    info.add_text(FINGERPRINT_KEY, fingerprint(picture, RENDERER_VERSION))
    info.add_text("Software", f"hip-back-coach pictures {RENDERER_VERSION}")
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info, optimize=True)
    return out.getvalue()


def render_svg(picture: Picture) -> str:
    """A picture as SVG text (text kept as text, no date, stable ids)."""
    import matplotlib

    fig = figure(picture)
    out = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "hipbot"}):
        fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
