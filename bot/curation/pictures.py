"""Exercise pictures: draw each step's start and end pose as line art (SVG and PNG).

Run `python -m bot.curation.pictures` to redraw every picture under
knowledge/routines/pictures/ and the contact sheet docs/exercise-pictures.png. matplotlib
(the `chart` or `test` extra) is imported only when drawing.

Each PNG carries the fingerprint of the poses it was drawn from (text chunk
`hipbot-fingerprint`), so a test can tell a stale picture without comparing pixels.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import math
import re
import struct
import sys
import zlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from bot.core.poses import (
    BODY,
    PROPS,
    Arrow,
    Picture,
    Point,
    PoseBook,
    Skeleton,
    fingerprint,
    missing_pictures,
    parse_pose_files,
    skeleton,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Bump when the drawing changes, so every committed picture counts as stale.
RENDERER_VERSION = "1"
FINGERPRINT_KEY = "hipbot-fingerprint"

WIDTH, HEIGHT, DPI = 800, 400, 100
PANEL = WIDTH // 2
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

REPO = Path(__file__).resolve().parents[2]
ROUTINES_DIR = REPO / "knowledge" / "routines"
SHEET = REPO / "docs" / "exercise-pictures.png"


# ---------------------------------------------------------------- loading


def load_pose_book(routines_dir: Path) -> tuple[PoseBook, list[str]]:
    """The pose files beside the routines, parsed, with every problem and missing picture."""
    files = {
        path.name: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((routines_dir / "poses").glob("*.yaml"))
    }
    book, problems = parse_pose_files(files)
    return book, problems + missing_pictures(routine_steps(routines_dir), book)


def routine_steps(routines_dir: Path) -> dict[str, dict[str, list[str]]]:
    """Routine id -> step id -> the variants the step has, read from the routine files."""
    out: dict[str, dict[str, list[str]]] = {}
    for path in sorted(routines_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
            continue
        steps: dict[str, list[str]] = {}
        for step in data["steps"]:
            if isinstance(step, dict) and isinstance(step.get("id"), str):
                steps[step["id"]] = [v for v in ("easier", "harder") if v in step]
        out[str(data.get("id", path.stem))] = steps
    return out


# ---------------------------------------------------------------- drawing


class _Panel:
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


def _layout(picture: Picture, a: Skeleton, b: Skeleton) -> tuple[float, float, float]:
    """Scale (px per cm), the world x at the middle of each panel, and the floor's height."""
    boxes = [a.extent(BODY), b.extent(BODY)]
    xs = [x for box in boxes for x in (box[0], box[2])]
    ys = [box[3] for box in boxes]
    for low, high, top in _prop_extents(picture):
        xs += [low, high]
        ys.append(top)
    for arrow in picture.arrows:
        for x, y in _arrow_reach(arrow, a, b):
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
    ax: Axes, panel: _Panel, points: Sequence[Point], color: str, width_px: float, z: float
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


def _draw_props(ax: Axes, panel: _Panel, picture: Picture, lw: float) -> None:
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
    panel: _Panel,
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
        halo = _trim(pixels, lw if in_trunk else 0.0, lw)
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


def _path_curve(arrow: Arrow, a: Skeleton, b: Skeleton) -> tuple[list[Point], Point]:
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


def _arrow_reach(arrow: Arrow, a: Skeleton, b: Skeleton) -> list[Point]:
    """Points (cm) the arrow may cover, so the layout keeps it inside the panel."""
    if arrow.kind == "path":
        curve, normal = _path_curve(arrow, a, b)
        return curve + [(x + normal[0] * 12, y + normal[1] * 12) for x, y in curve]
    x, y = b.point(arrow.point)
    x, y = x + arrow.offset[0], y + arrow.offset[1]
    return [(x - 16, y - 16), (x + 16, y + 16)]


def _arrow_points(arrow: Arrow, panel: _Panel, a: Skeleton, b: Skeleton) -> list[Point]:
    """The arrow as a pixel polyline, tail first."""
    if arrow.kind == "path":
        curve, normal = _path_curve(arrow, a, b)
        # Pushed out from the joints so the arrow never covers the limb it describes.
        shift = 14.0
        pixels = [panel.xy(p) for p in curve]
        pts = [(x + normal[0] * shift, y + normal[1] * shift) for x, y in pixels]
        return _trim(pts, 6.0, 4.0)
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


def _trim(points: list[Point], head: float, tail: float) -> list[Point]:
    def cut(pts: list[Point], amount: float) -> list[Point]:
        while len(pts) > 2 and math.dist(pts[0], pts[1]) <= amount:
            amount -= math.dist(pts[0], pts[1])
            pts = pts[1:]
        (x0, y0), (x1, y1) = pts[0], pts[1]
        f = min(amount / (math.dist(pts[0], pts[1]) or 1.0), 1.0)
        return [(x0 + (x1 - x0) * f, y0 + (y1 - y0) * f), *pts[1:]]

    return cut(cut(points, tail)[::-1], head)[::-1]


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
        panel = _Panel(index, centre_x, scale, floor_y)
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
                _draw_arrow(ax, _arrow_points(arrow, panel, start, end))
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


# ---------------------------------------------------------------- files


def png_text(data: bytes) -> dict[str, str]:
    """The tEXt chunks of a PNG (stdlib only)."""
    out: dict[str, str] = {}
    for kind, body in _png_chunks(data):
        if kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            out[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\0")
            out[key.decode("latin-1")] = zlib.decompress(rest[1:]).decode("latin-1")
    return out


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG."""
    for kind, body in _png_chunks(data):
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
            return int(width), int(height)
    raise ValueError("no IHDR chunk")


def _png_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos = 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        yield kind, data[pos + 8 : pos + 8 + length]
        pos += 12 + length


def render_all(routines_dir: Path, out_dir: Path, *, svg: bool = False) -> list[Path]:
    """Draw every picture of the pose files into out_dir; remove pictures no pose file has.

    Raises ValueError listing the problems when a pose file is invalid or a step lacks one.
    """
    book, problems = load_pose_book(routines_dir)
    if problems:
        raise ValueError("pose files have problems:\n" + "\n".join(problems))
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    names = set()
    for name, picture in book.pictures():
        names.add(name)
        path = out_dir / f"{name}.png"
        path.write_bytes(render_png(picture))
        written.append(path)
        if svg:
            svg_path = out_dir / f"{name}.svg"
            svg_path.write_text(render_svg(picture), encoding="utf-8")
            written.append(svg_path)
    routine_ids = {rid for rid, _ in book.routines}
    for old in sorted(out_dir.glob("*--*.*")):
        ours = old.suffix in (".png", ".svg") and old.stem.split("--")[0] in routine_ids
        if ours and (old.stem not in names or (old.suffix == ".svg" and not svg)):
            old.unlink()
    return written


def contact_sheet(
    paths: Sequence[Path], out: Path, shared: Mapping[str, str] | None = None, columns: int = 4
) -> Path:
    """One PNG with every distinct picture at half size, named underneath.

    Identical files share a tile; `shared` maps a variant without a file of its own (file
    stem it would have) to the stem of the picture it uses, so the tile can name it too.
    """
    from matplotlib import font_manager
    from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

    groups: dict[str, list[Path]] = {}
    for path in paths:
        if path.suffix == ".png":
            key = png_text(path.read_bytes()).get(FINGERPRINT_KEY, path.name)
            groups.setdefault(key, []).append(path)
    tiles = list(groups.values())
    tile_w, tile_h, caption = WIDTH // 2, HEIGHT // 2, 40
    rows = math.ceil(len(tiles) / columns)
    size = (columns * tile_w + 8 * (columns + 1), rows * (tile_h + caption) + 8)
    sheet = Image.new("RGB", size, "#FFFFFF")
    font = ImageFont.truetype(font_manager.findfont("DejaVu Sans"), 13)
    draw = ImageDraw.Draw(sheet)
    for i, group in enumerate(tiles):
        x = 8 + (i % columns) * (tile_w + 8)
        y = 8 + (i // columns) * (tile_h + caption)
        with Image.open(group[0]) as image:
            thumb = image.convert("RGB").resize((tile_w, tile_h), Image.Resampling.LANCZOS)
        sheet.paste(thumb, (x, y))
        stems = [p.stem for p in group]
        routines = [stem.split("--")[0] for stem in stems[1:]]
        variants = sorted(
            {
                variant.rsplit("--", 1)[1]
                for variant, used in (shared or {}).items()
                if used in stems
            }
        )
        also = [f"also in {', '.join(routines)}"] if routines else []
        if variants:
            also.append(f"{' and '.join(variants)} variant too")
        draw.text((x + 2, y + tile_h + 4), stems[0], fill=INK, font=font)
        if also:
            draw.text((x + 2, y + tile_h + 20), " · ".join(also), fill=CAPTION, font=font)
    out.parent.mkdir(parents=True, exist_ok=True)
    palette = sheet.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    info = PngImagePlugin.PngInfo()
    info.add_text(FINGERPRINT_KEY, sheet_fingerprint(paths, shared or {}))
    palette.save(out, format="PNG", pnginfo=info, optimize=True)
    return out


def sheet_fingerprint(paths: Sequence[Path], shared: Mapping[str, str]) -> str:
    """What a contact sheet shows: its pictures' names and fingerprints, and the sharing."""
    lines = [RENDERER_VERSION]
    lines += sorted(
        f"{p.stem} {png_text(p.read_bytes()).get(FINGERPRINT_KEY, '')}"
        for p in paths
        if p.suffix == ".png"
    )
    lines += sorted(f"{variant} -> {used}" for variant, used in shared.items())
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    """Redraw every exercise picture and the contact sheet."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.curation.pictures", description=main.__doc__
    )
    parser.add_argument("--routines", type=Path, default=ROUTINES_DIR, help="routine folder")
    parser.add_argument("--out", type=Path, default=None, help="picture folder (routines/pictures)")
    parser.add_argument("--sheet", default=str(SHEET), help="contact sheet file ('' for none)")
    parser.add_argument("--svg", action="store_true", help="write an SVG beside every PNG")
    args = parser.parse_args(argv)
    out = args.out or args.routines / "pictures"
    try:
        written = render_all(args.routines, out, svg=args.svg)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    pngs = [p for p in written if p.suffix == ".png"]
    print(f"{len(pngs)} pictures in {out}")
    if args.sheet:
        book, _ = load_pose_book(args.routines)
        shared = {variant: entry.picture for variant, entry in book.shared()}
        print(f"contact sheet: {contact_sheet(pngs, Path(args.sheet), shared)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
