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
import math
import struct
import sys
import zlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import yaml

from bot.core.pose_files import missing_pictures, parse_pose_files
from bot.core.poses import PoseBook
from bot.curation.drawing import (
    CAPTION,
    FINGERPRINT_KEY,
    HEIGHT,
    INK,
    RENDERER_VERSION,
    WIDTH,
    render_png,
    render_svg,
)

REPO = Path(__file__).resolve().parents[2]
ROUTINES_DIR = REPO / "knowledge" / "routines"
SHEET = REPO / "docs" / "exercise-pictures.png"


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
