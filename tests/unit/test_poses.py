"""Exercise pictures: the pose model, the bundled pose files and the committed PNGs."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from bot.core.pose_files import fingerprint, missing_pictures, parse_pose_files
from bot.core.poses import JOINTS, Picture, Pose, PoseBook, picture_candidates
from bot.core.skeleton import skeleton
from bot.curation.drawing import FINGERPRINT_KEY, RENDERER_VERSION
from bot.curation.pictures import (
    load_pose_book,
    png_size,
    png_text,
    routine_steps,
    sheet_fingerprint,
)

ROOT = Path(__file__).resolve().parents[2]
ROUTINES_DIR = ROOT / "knowledge" / "routines"
PICTURES_DIR = ROUTINES_DIR / "pictures"
SHEET = ROOT / "docs" / "exercise-pictures.png"
MAX_PNG_BYTES = 60_000

# Active ranges of motion of a healthy adult (AAOS-style norms, a little generous), written
# out here rather than taken from the code so that a wrong table in the code is caught too.
HUMAN_RANGE: dict[str, dict[str, tuple[float, float]]] = {
    "side": {
        "spine": (-35, 60),
        "pelvis": (-20, 25),
        "neck": (-50, 50),
        "hip": (-30, 125),
        "knee": (0, 150),
        "ankle": (-50, 25),
        "shoulder": (-60, 180),
        "elbow": (0, 150),
        "wrist": (-80, 90),
    },
    "front": {
        "spine": (-45, 45),
        "pelvis": (-15, 15),
        "neck": (-45, 45),
        "hip": (-25, 45),
        "flexion": (-30, 125),
        "knee": (0, 150),
        "shoulder": (-15, 180),
        "elbow": (0, 150),
    },
}


@pytest.fixture(scope="module")
def book() -> PoseBook:
    loaded, problems = load_pose_book(ROUTINES_DIR)
    assert problems == []
    return loaded


def _poses(book: PoseBook) -> list[tuple[str, str, Pose]]:
    return [
        (name, which, pose)
        for name, picture in book.pictures()
        for which, pose in (("start", picture.start), ("end", picture.end))
    ]


# ---------------------------------------------------------------- bundled pose data


def test_bundled_pose_files_parse_without_problems() -> None:
    _, problems = load_pose_book(ROUTINES_DIR)
    assert problems == []


def test_every_joint_of_every_pose_stays_in_a_human_range(book: PoseBook) -> None:
    outside = []
    for name, which, pose in _poses(book):
        for joint, value in pose.angles:
            if joint == "trunk":  # an orientation in the picture, not a joint
                continue
            low, high = HUMAN_RANGE[pose.view][joint.rsplit(".", 1)[-1]]
            if not low <= value <= high:
                outside.append(f"{name} {which}: {joint} = {value}")
    assert outside == []


def test_the_parser_limits_lie_inside_the_human_range() -> None:
    for view, joints in JOINTS.items():
        for joint in joints:
            if joint.name == "trunk":
                continue
            low, high = HUMAN_RANGE[view][joint.name.rsplit(".", 1)[-1]]
            assert low <= joint.low and joint.high <= high, joint


def test_every_body_part_is_above_the_floor_line(book: PoseBook) -> None:
    below = [
        f"{name} {which}: {skeleton(pose).lowest():.2f} cm"
        for name, which, pose in _poses(book)
        if skeleton(pose).lowest() < -0.5
    ]
    assert below == []


def test_lying_figures_lie_on_the_floor_line(book: PoseBook) -> None:
    for name, picture in book.pictures():
        for pose in (picture.start, picture.end):
            if "low_back" in pose.contacts:
                assert abs(skeleton(pose).lowest()) < 0.5, name


def test_knees_and_elbows_bend_only_one_way(book: PoseBook) -> None:
    for _, _, pose in _poses(book):
        for joint, value in pose.angles:
            if joint.endswith((".knee", ".elbow")):
                assert value >= 0, joint


def test_every_step_and_variant_of_every_routine_has_a_picture(book: PoseBook) -> None:
    steps = routine_steps(ROUTINES_DIR)
    assert set(steps) == {"beginner", "gentle-start", "desk-break", "walk"}
    assert missing_pictures(steps, book) == []
    for routine_id, step_ids in steps.items():
        for step_id, variants in step_ids.items():
            for variant in [None, *variants]:
                stem = book.picture_for(routine_id, step_id, variant)
                assert (PICTURES_DIR / f"{stem}.png").is_file(), (routine_id, step_id, variant)


def test_variants_sharing_a_picture_say_why(book: PoseBook) -> None:
    for stem, shared in book.shared():
        assert len(shared.why) >= 10, stem
        assert stem.startswith(shared.picture + "--")
        assert not (PICTURES_DIR / f"{stem}.png").exists()


def test_copied_pictures_are_identical_to_their_source(book: PoseBook) -> None:
    assert book.copies
    for copy_stem, source in book.copies:
        copied = (PICTURES_DIR / f"{copy_stem}.png").read_bytes()
        assert copied == (PICTURES_DIR / f"{source}.png").read_bytes()


# ---------------------------------------------------------------- committed pictures


def test_committed_pictures_match_their_poses(book: PoseBook) -> None:
    stale = []
    for name, picture in book.pictures():
        path = PICTURES_DIR / f"{name}.png"
        text = png_text(path.read_bytes()) if path.exists() else {}
        if text.get(FINGERPRINT_KEY) != fingerprint(picture, RENDERER_VERSION):
            stale.append(name)
    assert stale == [], "redraw with: python -m bot.curation.pictures"


def test_no_committed_picture_lacks_a_pose(book: PoseBook) -> None:
    names = {name for name, _ in book.pictures()}
    assert {p.stem for p in PICTURES_DIR.glob("*.png")} == names


def test_committed_pictures_are_800_by_400_and_small(book: PoseBook) -> None:
    for name, _ in book.pictures():
        data = (PICTURES_DIR / f"{name}.png").read_bytes()
        assert png_size(data) == (800, 400), name
        assert len(data) < MAX_PNG_BYTES, name


def test_a_fresh_drawing_is_800_by_400_and_carries_its_fingerprint(book: PoseBook) -> None:
    pytest.importorskip("matplotlib")
    from bot.curation.drawing import render_png, render_svg

    _, picture = book.pictures()[0]
    data = render_png(picture)
    assert png_size(data) == (800, 400)
    assert len(data) < MAX_PNG_BYTES
    assert png_text(data)[FINGERPRINT_KEY] == fingerprint(picture, RENDERER_VERSION)
    assert render_svg(picture).lstrip().startswith("<?xml")


def test_the_committed_contact_sheet_shows_the_committed_pictures(book: PoseBook) -> None:
    data = SHEET.read_bytes()
    width, height = png_size(data)
    assert width > 1000 and height > 1000
    pictures = sorted(PICTURES_DIR.glob("*.png"))
    shared = {variant: entry.picture for variant, entry in book.shared()}
    assert png_text(data)[FINGERPRINT_KEY] == sheet_fingerprint(pictures, shared)


def test_render_all_draws_every_picture_and_removes_stale_ones(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    import yaml

    from bot.curation.pictures import render_all

    (tmp_path / "poses").mkdir()
    (tmp_path / "r.yaml").write_text(
        "id: r\nsteps:\n  - {id: march, harder: {name: Hold}}\n", encoding="utf-8"
    )
    (tmp_path / "poses" / "r.yaml").write_text(yaml.safe_dump(_file()), encoding="utf-8")
    out = tmp_path / "pictures"
    out.mkdir()
    (out / "r--gone.png").write_bytes(b"old")
    (out / "notes.png").write_bytes(b"not ours")
    written = render_all(tmp_path, out)
    assert written == [out / "r--march.png"]
    assert sorted(p.name for p in out.iterdir()) == ["notes.png", "r--march.png"]


def test_render_all_refuses_a_routine_step_without_a_picture(tmp_path: Path) -> None:
    import yaml

    from bot.curation.pictures import render_all

    (tmp_path / "poses").mkdir()
    (tmp_path / "r.yaml").write_text(
        "id: r\nsteps:\n  - {id: march, harder: {name: Hold}}\n  - {id: bridge}\n",
        encoding="utf-8",
    )
    (tmp_path / "poses" / "r.yaml").write_text(yaml.safe_dump(_file()), encoding="utf-8")
    with pytest.raises(ValueError, match=r"r\.yaml: steps\.bridge: no picture"):
        render_all(tmp_path, tmp_path / "pictures")


def test_a_changed_pose_changes_the_fingerprint(book: PoseBook) -> None:
    _, picture = book.pictures()[0]
    moved = Picture(
        picture.view,
        picture.start,
        Pose(
            picture.end.view,
            picture.end.x + 1,
            picture.end.y,
            picture.end.angles,
            picture.end.label,
            picture.end.contacts,
        ),
        picture.moves,
        picture.arrows,
        picture.props,
    )
    assert fingerprint(moved, RENDERER_VERSION) != fingerprint(picture, RENDERER_VERSION)
    assert fingerprint(picture, "other") != fingerprint(picture, RENDERER_VERSION)


# ---------------------------------------------------------------- forward kinematics


def _pose(view: str = "side", y: float = 0.0, **angles: float) -> Pose:
    values = {j.name: j.default for j in JOINTS["side" if view == "side" else "front"]}
    values.update({k.replace("__", "."): v for k, v in angles.items()})
    return Pose(
        "side" if view == "side" else "front",
        0.0,
        y,
        tuple(values.items()),
        "label",
    )


def test_a_standing_figure_has_its_head_above_its_heels() -> None:
    skel = skeleton(_pose(y=100.0))
    assert skel.point("head")[1] > skel.point("shoulder")[1] > skel.point("hip")[1]
    assert skel.point("near_heel")[0] == pytest.approx(0.0)
    assert skel.point("near_toe")[0] > skel.point("near_heel")[0]  # facing right


def test_a_bent_knee_points_forward_and_the_foot_goes_back() -> None:
    skel = skeleton(_pose(y=100.0, near_leg__hip=45, near_leg__knee=90))
    knee, ankle = skel.point("near_knee"), skel.point("near_ankle")
    assert knee[0] > 0
    assert ankle[0] < knee[0]


def test_on_the_back_bent_knees_point_up() -> None:
    skel = skeleton(_pose(trunk=180, near_leg__hip=50, near_leg__knee=100))
    assert skel.point("near_knee")[1] > skel.point("hip")[1] + 20
    assert skel.point("head")[0] < skel.point("hip")[0]


def test_a_flexed_elbow_brings_the_hand_forward() -> None:
    straight = skeleton(_pose(y=100.0))
    bent = skeleton(_pose(y=100.0, near_arm__elbow=90))
    assert bent.point("near_hand")[0] > straight.point("near_hand")[0] + 20


def test_a_side_bend_in_the_front_view_moves_the_head_sideways() -> None:
    upright = skeleton(_pose("front", y=100.0))
    bent = skeleton(_pose("front", y=100.0, spine=-25))
    assert upright.point("head")[0] == pytest.approx(0.0)
    assert bent.point("head")[0] < -15  # towards the person's right, the viewer's left


# ---------------------------------------------------------------- parser problems


def _file() -> dict[str, Any]:
    return {
        "poses": {
            "lying": {
                "view": "side",
                "at": {"x": 0, "y": "floor"},
                "trunk": 180,
                "neck": 23,
                "near_leg": {"hip": 53.6, "knee": 105, "ankle": -38.6},
                "far_leg": {"hip": 53.6, "knee": 105, "ankle": -38.6},
                "contacts": ["low_back", "shoulder", "near_heel"],
            }
        },
        "steps": {
            "march": {
                "start": {"like": "lying", "label": "Knees bent"},
                "end": {
                    "like": "start",
                    "near_leg": {"hip": 90, "knee": 90},
                    "contacts": ["low_back"],
                    "label": "Knee over the hip",
                },
                "moves": ["near_leg"],
                "harder": {"same": "Only a hold is added."},
            }
        },
    }


def _problems(data: dict[str, Any], name: str = "r.yaml") -> list[str]:
    return parse_pose_files({name: data})[1]


def test_a_valid_file_parses_into_a_picture_and_a_shared_variant() -> None:
    book, problems = parse_pose_files({"r.yaml": _file()})
    assert problems == []
    assert [name for name, _ in book.pictures()] == ["r--march"]
    assert book.picture_for("r", "march", "harder") == "r--march"
    assert [a.point for a in book.pictures()[0][1].arrows] == ["near_toe"]  # furthest


def test_a_joint_outside_the_human_range_is_named_with_file_and_entry() -> None:
    data = _file()
    data["steps"]["march"]["end"]["near_leg"]["knee"] = 170
    assert (
        "r.yaml: steps.march.end: near_leg.knee is 170 degrees; a human range is 0 to 150"
        in _problems(data)
    )


def test_a_knee_bending_backwards_is_a_problem() -> None:
    data = _file()
    data["steps"]["march"]["end"]["near_leg"]["knee"] = -20
    assert any("near_leg.knee is -20 degrees" in p for p in _problems(data))


def test_a_contact_that_touches_nothing_is_a_problem() -> None:
    data = _file()
    data["steps"]["march"]["end"]["contacts"] = ["low_back", "near_heel"]
    problems = _problems(data)
    assert len(problems) == 1
    assert problems[0].startswith("r.yaml: steps.march.end: contact near_heel at (")
    assert problems[0].endswith("touches no surface")


def test_a_figure_below_the_floor_is_a_problem() -> None:
    data = _file()
    data["steps"]["march"]["end"]["at"] = {"x": 0, "y": -10}
    assert any(p.startswith("r.yaml: steps.march.end: a part is") for p in _problems(data))


def test_a_sitting_pose_without_a_chair_is_a_problem() -> None:
    data = _file()
    data["steps"]["march"]["start"]["at"] = {"x": 0, "y": "seat"}
    assert "r.yaml: steps.march.start: at.y is seat but the picture has no chair" in (
        _problems(data)
    )


def test_a_like_naming_no_pose_is_a_problem() -> None:
    data = _file()
    data["steps"]["march"]["start"]["like"] = "standing"
    problems = _problems(data)
    assert "r.yaml: steps.march.start: 'like' names no pose: 'standing'" in problems
    assert "r.yaml: poses.lying: never used" in problems


def test_a_moving_part_that_does_not_exist_is_a_problem() -> None:
    data = _file()
    data["steps"]["march"]["moves"] = ["tail"]
    assert _problems(data) == ["r.yaml: steps.march: moves names no segment or limb: tail"]


def test_a_joint_that_does_not_exist_is_named_once_where_it_is_written() -> None:
    data = _file()
    data["poses"]["lying"]["near_leg"]["toes"] = 10
    assert _problems(data) == ["r.yaml: poses.lying: near_leg has no joint 'toes'"]


def test_a_missing_label_and_a_long_label_are_problems() -> None:
    data = _file()
    del data["steps"]["march"]["start"]["label"]
    assert "r.yaml: steps.march.start: missing field 'label'" in _problems(data)
    data = _file()
    data["steps"]["march"]["end"]["label"] = "x" * 41
    assert "r.yaml: steps.march.end: label is longer than 40 characters" in _problems(data)


def test_a_shared_variant_needs_a_reason() -> None:
    data = _file()
    data["steps"]["march"]["harder"] = {"same": "x"}
    assert any(
        p.startswith("r.yaml: steps.march.harder: same needs a reason") for p in (_problems(data))
    )


def test_a_like_loop_is_a_problem() -> None:
    data = _file()
    data["poses"]["a"] = {"like": "b", "label": "A"}
    data["poses"]["b"] = {"like": "a", "label": "B"}
    data["steps"]["march"]["start"]["like"] = "a"
    assert any("'like' loops: a -> b -> a" in p for p in _problems(data))


def test_same_as_copies_another_routines_picture_and_must_name_one() -> None:
    other = {"steps": {"march": {"same_as": "r/march"}}}
    book, problems = parse_pose_files({"r.yaml": _file(), "s.yaml": other})
    assert problems == []
    assert book.copies == (("s--march", "r--march"),)
    bad = {"steps": {"march": {"same_as": "r/nothing"}}}
    _, problems = parse_pose_files({"r.yaml": _file(), "s.yaml": bad})
    assert problems == [
        "s.yaml: steps.march: same_as must name a picture drawn of its own, not 'r/nothing'"
    ]


def test_an_arrow_that_barely_moves_must_be_given_another_way() -> None:
    data = _file()
    data["steps"]["march"]["end"] = {"like": "start", "label": "Same"}
    assert "r.yaml: steps.march: the moving part travels too little for a path arrow" in _problems(
        data
    )
    data["steps"]["march"]["arrow"] = {"push": "near_knee", "direction": 90}
    assert _problems(data) == []


def test_a_picture_can_have_an_arrow_for_each_moving_limb() -> None:
    data = _file()
    data["steps"]["march"]["arrow"] = ["near_heel", {"push": "hip", "direction": 90}]
    book, problems = parse_pose_files({"r.yaml": data})
    assert problems == []
    arrows = book.pictures()[0][1].arrows
    assert [(a.kind, a.point) for a in arrows] == [("path", "near_heel"), ("push", "hip")]


def test_missing_pictures_names_steps_and_variants_without_one() -> None:
    book, _ = parse_pose_files({"r.yaml": _file()})
    steps = {"r": {"march": ["easier", "harder"], "bridge": []}}
    assert missing_pictures(steps, book) == [
        "r.yaml: steps.march.easier: no picture and no 'same'",
        "r.yaml: steps.bridge: no picture",
    ]
    extra = copy.deepcopy(_file())
    book, _ = parse_pose_files({"r.yaml": extra})
    assert missing_pictures({"r": {}}, book) == ["r.yaml: steps.march: no such step in the routine"]


def test_picture_candidates_try_the_variant_first() -> None:
    assert picture_candidates("beginner", "dead-bug", "harder") == [
        "beginner--dead-bug--harder",
        "beginner--dead-bug",
    ]
    assert picture_candidates("walk", "walk") == ["walk--walk"]
