"""parse_pose_files: named poses shared between files, steps and their variants, same / same_as
references, the pictures each routine ends up with; missing_pictures; the fingerprint text."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from bot.core.pose_files import canonical, fingerprint, missing_pictures, parse_pose_files
from bot.core.poses import (
    BODY,
    PROPS,
    REASON_MIN,
    Arrow,
    Body,
    Picture,
    Pose,
    PoseBook,
    Props,
    PropSizes,
    Shared,
    StepPictures,
)

STAND: dict[str, Any] = {"view": "side", "at": {"x": 0, "y": "floor"}, "label": "Stand"}


def _step(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "start": {"like": "standing"},
        "end": {"like": "start", "near_arm": {"shoulder": 90}, "label": "Reach"},
        "moves": ["near_arm"],
    }
    raw.update(changes)
    return raw


def _file(**steps: Any) -> dict[str, Any]:
    return {"poses": {"standing": dict(STAND)}, "steps": steps or {"reach": _step()}}


def _parse(files: dict[str, Any]) -> tuple[PoseBook, list[str]]:
    return parse_pose_files(files)


# ---------------------------------------------------------------- files and named poses


def test_a_routine_is_named_after_its_file_without_folder_or_suffix() -> None:
    book, problems = _parse({"knowledge/poses/easy-start.yaml": _file()})
    assert problems == []
    assert [rid for rid, _ in book.routines] == ["easy-start"]
    assert [name for name, _ in book.pictures()] == ["easy-start--reach"]


def test_a_file_that_is_not_a_mapping_is_named_and_the_others_still_parse() -> None:
    book, problems = _parse({"a.yaml": ["steps"], "b.yaml": _file()})
    assert problems == ["a.yaml: (file): a pose file must be a mapping with 'steps'"]
    assert [rid for rid, _ in book.routines] == ["b"]


def test_unknown_top_level_fields_are_named_but_the_steps_are_still_read() -> None:
    data = {**_file(), "colour": 1, "size": 2}
    book, problems = _parse({"r.yaml": data})
    assert problems == ["r.yaml: (file): unknown field(s) colour, size"]
    assert [name for name, _ in book.pictures()] == ["r--reach"]


def test_named_poses_must_be_a_mapping() -> None:
    _, problems = _parse({"r.yaml": {"poses": ["standing"], "steps": {"s": _step()}}})
    assert problems == [
        "r.yaml: poses: poses must be a mapping of named poses",
        "r.yaml: steps.s.start: 'like' names no pose: 'standing'",
    ]


def test_a_file_may_have_no_named_poses() -> None:
    step = _step(start=dict(STAND))
    book, problems = _parse({"r.yaml": {"poses": None, "steps": {"s": step}}})
    assert problems == []
    assert len(book.pictures()) == 1


def test_pose_names_are_lowercase_words_and_not_start() -> None:
    data = _file()
    for name in ("Standing", "start", "two words", "trailing-"):
        data["poses"][name] = dict(STAND)
    data["poses"][3] = dict(STAND)
    _, problems = _parse({"r.yaml": data})
    rule = "a pose name is lowercase words joined by '-'"
    assert problems == [
        f"r.yaml: poses.Standing: {rule}",
        f"r.yaml: poses.start: {rule}",
        f"r.yaml: poses.two words: {rule}",
        f"r.yaml: poses.trailing-: {rule}",
        f"r.yaml: poses.3: {rule}",
    ]


def test_a_named_pose_is_shared_across_files_and_may_be_defined_once() -> None:
    other = {"steps": {"bend": _step()}}
    book, problems = _parse({"b.yaml": other, "a.yaml": _file()})
    assert problems == []
    assert [name for name, _ in book.pictures()] == ["a--reach", "b--bend"]
    twice = {"poses": {"standing": dict(STAND)}, "steps": {"bend": _step()}}
    _, problems = _parse({"b.yaml": twice, "a.yaml": _file()})
    assert problems == ["b.yaml: poses.standing: defined twice (also in a.yaml)"]


def test_a_named_pose_that_is_not_a_mapping_is_named() -> None:
    data = _file()
    data["poses"]["kneeling"] = "down"
    _, problems = _parse({"r.yaml": data})
    assert problems == ["r.yaml: poses.kneeling: a pose must be a mapping"]


def test_named_poses_nobody_uses_are_listed_by_name() -> None:
    data = _file()
    data["poses"]["zig"] = dict(STAND)
    data["poses"]["bridge"] = dict(STAND)
    _, problems = _parse({"r.yaml": data})
    assert problems == ["r.yaml: poses.bridge: never used", "r.yaml: poses.zig: never used"]


# ---------------------------------------------------------------- steps


def test_steps_must_be_a_non_empty_mapping() -> None:
    steps: object
    for steps in (None, {}, ["reach"]):
        data = {"poses": {"standing": dict(STAND)}, "steps": steps}
        book, problems = _parse({"r.yaml": data})
        assert problems == [
            "r.yaml: steps: steps must be a mapping of step ids to pictures",
            "r.yaml: poses.standing: never used",
        ]
        assert book.routines == ()


def test_a_bad_step_is_named_and_the_steps_after_it_are_still_read() -> None:
    data = _file(Reach=_step(), **{"two words": _step(), "ok": "not a step", "last": _step()})
    book, problems = _parse({"r.yaml": data})
    assert problems == [
        "r.yaml: steps.Reach: a step id is lowercase words joined by '-'",
        "r.yaml: steps.two words: a step id is lowercase words joined by '-'",
        "r.yaml: steps.ok: a step needs start, end and moves, or same_as",
    ]
    assert [name for name, _ in book.pictures()] == ["r--last"]


def test_a_step_id_that_is_not_text_is_named() -> None:
    data = _file()
    data["steps"][7] = _step()
    _, problems = _parse({"r.yaml": data})
    assert problems == ["r.yaml: steps.7: a step id is lowercase words joined by '-'"]


def test_steps_keep_their_file_order() -> None:
    book, problems = _parse({"r.yaml": _file(zed=_step(), alpha=_step(), mid=_step())})
    assert problems == []
    assert [name for name, _ in book.pictures()] == ["r--zed", "r--alpha", "r--mid"]


def test_a_step_cannot_be_shared_with_itself() -> None:
    _, problems = _parse({"r.yaml": _file(reach={"same": "It is the same as before."})})
    assert problems == [
        "r.yaml: steps.reach: unknown field(s) same",
        "r.yaml: poses.standing: never used",
    ]


# ---------------------------------------------------------------- variants


def test_variants_are_kept_in_easier_then_harder_order() -> None:
    step = _step(
        harder={"same": "Only the hold gets longer."},
        easier=_step(end={"like": "start", "near_arm": {"shoulder": 45}, "label": "Half"}),
    )
    book, problems = _parse({"r.yaml": _file(reach=step)})
    assert problems == []
    ((_, (sp,)),) = book.routines
    assert sp.step == "reach"
    assert [v for v, _ in sp.variants] == ["easier", "harder"]
    easier, harder = (entry for _, entry in sp.variants)
    assert isinstance(easier, Picture) and easier.end.label == "Half"
    assert harder == Shared("r--reach", "Only the hold gets longer.")
    assert [name for name, _ in book.pictures()] == ["r--reach", "r--reach--easier"]
    assert book.shared() == [("r--reach--harder", harder)]


def test_a_shared_variant_needs_a_reason_of_its_own_and_nothing_else() -> None:
    short = " " + "x" * (REASON_MIN - 1) + " "
    exact = "  " + "x" * (REASON_MIN - 3) + " yz "  # REASON_MIN characters once stripped
    for same, ok in (({"same": short}, False), ({"same": exact}, True)):
        book, problems = _parse({"r.yaml": _file(reach=_step(harder=same))})
        if ok:
            assert problems == []
            assert book.shared()[0][1].why == "x" * (REASON_MIN - 3) + " yz"
        else:
            assert problems == [
                f"r.yaml: steps.reach.harder: same needs a reason ({REASON_MIN}+ characters), alone"
            ]
    for bad in ({"same": 12345678901}, {"same": "A good long reason.", "moves": ["trunk"]}):
        book, problems = _parse({"r.yaml": _file(reach=_step(easier=bad))})
        assert problems == [
            f"r.yaml: steps.reach.easier: same needs a reason ({REASON_MIN}+ characters), alone"
        ]
        ((_, (sp,)),) = book.routines
        assert sp.variants == ()


def test_a_variant_must_be_a_mapping() -> None:
    book, problems = _parse({"r.yaml": _file(reach=_step(easier="same"))})
    assert problems == [
        "r.yaml: steps.reach.easier: a variant is {same: why}, {same_as: ...} or a picture"
    ]
    assert [name for name, _ in book.pictures()] == ["r--reach"]


def test_a_bad_variant_picture_is_named_under_the_variant() -> None:
    _, problems = _parse({"r.yaml": _file(reach=_step(easier=_step(moves=["tail"])))})
    assert problems == ["r.yaml: steps.reach.easier: moves names no segment or limb: tail"]


def test_a_step_whose_own_picture_fails_is_left_out_with_its_variants() -> None:
    step = _step(moves=["tail"], easier=_step())
    book, problems = _parse({"r.yaml": _file(reach=step, other=_step())})
    assert problems == ["r.yaml: steps.reach: moves names no segment or limb: tail"]
    assert [name for name, _ in book.pictures()] == ["r--other"]


# ---------------------------------------------------------------- same_as


def test_same_as_may_name_a_step_or_a_variant_drawn_of_its_own() -> None:
    a = _file(reach=_step(easier=_step(end={"like": "start", "label": "Down"})))
    a["steps"]["reach"]["easier"]["end"] = {
        "like": "start",
        "near_arm": {"shoulder": 45},
        "label": "Half",
    }
    b = {
        "steps": {
            "copy": {"same_as": "a/reach"},
            "half": {"harder": {"same_as": "a/reach/easier"}, **_step()},
        }
    }
    book, problems = _parse({"a.yaml": a, "b.yaml": b})
    assert problems == []
    assert book.copies == (("b--copy", "a--reach"), ("b--half--harder", "a--reach--easier"))
    pictures = dict(book.pictures())
    assert pictures["b--copy"] == pictures["a--reach"]
    assert pictures["b--half--harder"] == pictures["a--reach--easier"]
    assert pictures["b--half--harder"].end.label == "Half"


def test_same_as_must_name_a_picture_drawn_of_its_own() -> None:
    a = _file(reach=_step(harder={"same": "Only the hold gets longer."}))
    for target in ("a", "a/reach/harder", "a/reach/easier", "a/reach/x/y", "b/one", "a/nothing"):
        b = {"steps": {"one": {"same_as": "a/reach"}, "two": {"same_as": target}}}
        book, problems = _parse({"a.yaml": a, "b.yaml": b})
        assert problems == [
            f"b.yaml: steps.two: same_as must name a picture drawn of its own, not {target!r}"
        ]
        assert [sp.step for _, steps in book.routines for sp in steps if _ == "b"] == ["one"]


def test_same_as_stands_alone_and_is_text() -> None:
    for bad in ({"same_as": "a/reach", "moves": ["trunk"]}, {"same_as": ["a", "reach"]}):
        _, problems = _parse({"a.yaml": _file(), "b.yaml": {"steps": {"s": bad}}})
        assert problems == [
            "b.yaml: steps.s: same_as is a routine/step[/variant] text and stands alone"
        ]


# ---------------------------------------------------------------- missing pictures


def test_missing_pictures_names_every_gap_between_routines_and_pictures() -> None:
    step = _step(easier={"same": "Only the hold gets longer."})
    book, _ = _parse({"r.yaml": _file(reach=step, extra=_step()), "z.yaml": _file()})
    routines: dict[str, dict[str, list[str]]] = {
        "r": {"reach": ["harder"], "new": []},
        "q": {"one": []},
    }
    assert missing_pictures(routines, book) == [
        "r.yaml: steps.reach.harder: no picture and no 'same'",
        "r.yaml: steps.reach.easier: the step has no easier variant",
        "r.yaml: steps.new: no picture",
        "r.yaml: steps.extra: no such step in the routine",
        "q.yaml: steps.one: no picture",
        "z.yaml: (file): no routine 'z'",
    ]


def test_a_step_without_a_picture_does_not_hide_the_gaps_of_the_next_one() -> None:
    book, _ = _parse({"r.yaml": _file()})
    routines: dict[str, dict[str, list[str]]] = {"r": {"new": [], "reach": ["harder"]}}
    assert missing_pictures(routines, book) == [
        "r.yaml: steps.new: no picture",
        "r.yaml: steps.reach.harder: no picture and no 'same'",
    ]


def test_nothing_is_missing_when_routines_and_pictures_agree() -> None:
    step = _step(easier={"same": "Only the hold gets longer."})
    book, _ = _parse({"r.yaml": _file(reach=step)})
    assert missing_pictures({"r": {"reach": ("easier",)}}, book) == []


# ---------------------------------------------------------------- book lookups


def _pose(label: str) -> Pose:
    return Pose("side", 0.0, 0.0, (("trunk", 90.0),), label)


def _pic(label: str) -> Picture:
    return Picture("side", _pose(label), _pose(label), ("trunk",), (Arrow("path", "head"),))


def test_picture_for_finds_the_file_that_shows_a_step_or_variant() -> None:
    book = PoseBook(
        (
            ("r", (StepPictures("a", _pic("a"), (("easier", _pic("e")),)),)),
            (
                "s",
                (
                    StepPictures("a", _pic("sa")),
                    StepPictures("b", _pic("b"), (("harder", Shared("s--b", "why")),)),
                ),
            ),
        )
    )
    assert book.picture_for("r", "a") == "r--a"
    assert book.picture_for("r", "a", "easier") == "r--a--easier"
    assert book.picture_for("r", "a", "harder") == "r--a"
    assert book.picture_for("s", "a") == "s--a"
    assert book.picture_for("s", "b", "harder") == "s--b"
    assert book.picture_for("s", "c") == ""
    assert book.picture_for("t", "a") == ""
    assert [n for n, _ in book.pictures()] == ["r--a", "r--a--easier", "s--a", "s--b"]
    assert book.shared() == [("s--b--harder", Shared("s--b", "why"))]


# ---------------------------------------------------------------- fingerprint text


def test_canonical_text_is_compact_sorted_json_rounded_to_a_thousandth() -> None:
    pose = Pose("side", 1.23456, -0.0001, (("trunk", 90.00049),), "Lie")
    picture = Picture("side", pose, pose, ("trunk",), (Arrow("turn", "hip", offset=(0.5, 2.0)),))
    text = canonical(picture)
    assert " " not in text.replace("Lie", "")
    data = json.loads(text)
    assert list(data) == ["body", "picture", "props"]
    assert data["body"]["thigh"] == BODY.thigh
    assert data["props"]["seat_height"] == PROPS.seat_height
    start = data["picture"]["start"]
    assert start["x"] == 1.235
    assert start["y"] == 0.0 and '"y":0.0' in text  # no negative zero
    assert start["angles"] == [["trunk", 90.0]]
    assert start["contacts"] == []
    assert data["picture"]["arrows"][0]["offset"] == [0.5, 2.0]
    assert data["picture"]["arrows"][0]["clockwise"] is False
    assert data["picture"]["props"] == {"chair": None, "cushion": None, "desk": None, "wall": None}
    keys = [k for k in json.loads(text, object_pairs_hook=lambda kv: [k for k, _ in kv])]
    assert keys == sorted(keys)


def test_canonical_text_changes_with_the_body_and_the_prop_sizes() -> None:
    picture = _pic("a")
    assert canonical(picture, Body(thigh=45.0)) != canonical(picture)
    assert canonical(picture, sizes=PropSizes(seat_height=40.0)) != canonical(picture)
    assert canonical(picture, BODY, PROPS) == canonical(picture)
    nudged = Picture("side", _pose("a"), _pose("a"), ("trunk",), (Arrow("path", "head", 1e-4),))
    assert canonical(nudged) == canonical(picture)  # below the rounding


def test_the_fingerprint_is_the_sha256_of_the_version_line_and_the_canonical_text() -> None:
    picture = Picture("side", _pose("a"), _pose("b"), ("trunk",), (), Props(chair=1.0))
    want = hashlib.sha256(f"v9\n{canonical(picture)}".encode()).hexdigest()
    assert fingerprint(picture, "v9") == want


def test_a_step_or_variant_whose_same_as_fails_is_left_out_and_the_rest_kept() -> None:
    b = {
        "steps": {
            "bad": {"same_as": "a/nothing"},
            "good": {**_step(), "easier": {"same_as": "a/none"}, "harder": {"same_as": "a/reach"}},
        }
    }
    book, problems = _parse({"a.yaml": _file(), "b.yaml": b})
    assert problems == [
        "b.yaml: steps.bad: same_as must name a picture drawn of its own, not 'a/nothing'",
        "b.yaml: steps.good.easier: same_as must name a picture drawn of its own, not 'a/none'",
    ]
    steps = dict(book.routines)["b"]
    assert [sp.step for sp in steps] == ["good"]
    assert [v for v, _ in steps[0].variants] == ["harder"]
    assert book.copies == (("b--good--harder", "a--reach"),)


def test_a_file_with_bad_poses_or_steps_does_not_stop_the_files_after_it() -> None:
    files = {"a.yaml": {"poses": ["x"], "steps": ["y"]}, "b.yaml": _file()}
    book, problems = _parse(files)
    assert problems == [
        "a.yaml: poses: poses must be a mapping of named poses",
        "a.yaml: steps: steps must be a mapping of step ids to pictures",
    ]
    assert [name for name, _ in book.pictures()] == ["b--reach"]
