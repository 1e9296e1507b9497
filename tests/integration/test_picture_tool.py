"""`python -m bot.curation.pictures`, the curators' tool: it draws a routine folder's pictures
and a contact sheet that names each picture, and says so; a broken folder is one line and
status 1."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.knowledge import default_knowledge_dir
from bot.curation.drawing import FINGERPRINT_KEY
from bot.curation.pictures import main, png_size, png_text


@pytest.fixture
def walk_only(tmp_path: Path) -> Path:
    """A routine folder with the shortest bundled routine and its poses."""
    bundled = default_knowledge_dir() / "routines"
    routines = tmp_path / "routines"
    (routines / "poses").mkdir(parents=True)
    shutil.copy(bundled / "walk.yaml", routines / "walk.yaml")
    shutil.copy(bundled / "poses" / "walk.yaml", routines / "poses" / "walk.yaml")
    return routines


def test_the_tool_draws_the_pictures_and_a_contact_sheet(
    walk_only: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, sheet = tmp_path / "pictures", tmp_path / "sheet.png"
    assert main(["--routines", str(walk_only), "--out", str(out), "--sheet", str(sheet)]) == 0
    pictures = sorted(out.glob("*.png"))
    assert pictures and all(p.name.startswith("walk--") for p in pictures)
    printed = capsys.readouterr().out
    assert f"{len(pictures)} pictures in {out}" in printed
    assert f"contact sheet: {sheet}" in printed
    width, height = png_size(sheet.read_bytes())
    assert width > 0 and height > 0
    assert png_text(sheet.read_bytes())[FINGERPRINT_KEY]


def test_a_routine_without_its_poses_is_one_line_and_status_1(
    walk_only: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (walk_only / "poses" / "walk.yaml").unlink()
    assert main(["--routines", str(walk_only), "--out", str(tmp_path / "p"), "--sheet", ""]) == 1
    assert capsys.readouterr().err.strip()
