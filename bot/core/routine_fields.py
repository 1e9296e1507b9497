"""Checked reading of routine fields, one at a time; every problem goes into the report."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import cast

from bot.core.routine_model import (
    ROUTINE_ID_RE,
    TEXT_MAX,
    Dose,
    Problem,
)

_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+")


_DOSE_KEYS = frozenset({"reps", "sets", "hold_seconds", "seconds", "per_side"})


_DOSE_LIMITS = {"reps": 100, "sets": 10, "hold_seconds": 120, "seconds": 3600}


def count_sentences(text: str) -> int:
    """Number of sentences in a text (split after '.', '!' or '?' followed by a space)."""
    return len([s for s in _SENTENCE_END_RE.split(text.strip()) if s.strip()])


class Report:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, what: str) -> None:
        self.problems.append((where, what))


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def unknown_keys(
    data: Mapping[object, object], allowed: frozenset[str], where: str, rep: Report
) -> None:
    for key in data:
        if key not in allowed:
            rep.add(where, f"unknown field {key!r}")


def text_field(
    data: Mapping[object, object],
    key: str,
    where: str,
    rep: Report,
    *,
    max_len: int = TEXT_MAX,
    sentences: tuple[int, int] | None = None,
) -> str | None:
    if key not in data or data[key] is None:
        rep.add(where, f"missing field '{key}'")
        return None
    value = data[key]
    if not isinstance(value, str):
        rep.add(where, f"'{key}' must be text, not {type(value).__name__}")
        return None
    text = " ".join(value.split())
    if not text:
        rep.add(where, f"'{key}' is empty")
        return None
    ok = True
    if len(text) > max_len:
        rep.add(where, f"'{key}' is {len(text)} characters; at most {max_len}")
        ok = False
    if sentences is not None:
        low, high = sentences
        n = count_sentences(text)
        if not low <= n <= high:
            rep.add(where, f"'{key}' has {n} sentences; it needs {low} to {high}")
            ok = False
    return text if ok else None


def int_field(
    data: Mapping[object, object],
    key: str,
    where: str,
    rep: Report,
    *,
    low: int,
    high: int,
    default: int | None = None,
) -> int | None:
    if key not in data or data[key] is None:
        if default is None:
            rep.add(where, f"missing field '{key}'")
        return default
    value = data[key]
    if not is_int(value):
        rep.add(where, f"'{key}' must be a whole number, not {value!r}")
        return None
    number = cast(int, value)
    if not low <= number <= high:
        rep.add(where, f"'{key}' is {number}; it must be {low} to {high}")
        return None
    return number


def bool_field(
    data: Mapping[object, object], key: str, where: str, rep: Report, *, default: bool | None
) -> bool | None:
    if key not in data or data[key] is None:
        if default is None:
            rep.add(where, f"missing field '{key}'")
        return default
    value = data[key]
    if not isinstance(value, bool):
        rep.add(where, f"'{key}' must be true or false, not {value!r}")
        return None
    return value


def id_ok(value: object, max_len: int) -> bool:
    return isinstance(value, str) and len(value) <= max_len and bool(ROUTINE_ID_RE.match(value))


def text_list(
    data: Mapping[object, object], key: str, where: str, rep: Report, *, max_len: int
) -> tuple[str, ...] | None:
    value = data.get(key)
    if value is None:
        rep.add(where, f"missing field '{key}'")
        return None
    if not isinstance(value, list):
        rep.add(where, f"'{key}' must be a list, not {type(value).__name__}")
        return None
    if not value:
        rep.add(where, f"'{key}' is empty")
        return None
    items: list[str] = []
    ok = True
    for n, item in enumerate(value, start=1):
        if not isinstance(item, str) or not item.strip():
            rep.add(where, f"'{key}' item {n} must be non-empty text, not {item!r}")
            ok = False
            continue
        text = " ".join(item.split())
        if len(text) > max_len:
            rep.add(where, f"'{key}' item {n} is {len(text)} characters; at most {max_len}")
            ok = False
        if text in items:
            rep.add(where, f"'{key}' lists {text!r} twice")
            ok = False
        items.append(text)
    return tuple(items) if ok else None


def parse_dose(raw: object, where: str, rep: Report, label: str = "dose") -> Dose | None:
    if not isinstance(raw, dict):
        rep.add(where, f"'{label}' must be a mapping, not {type(raw).__name__}")
        return None
    before = len(rep.problems)
    for key in raw:
        if key not in _DOSE_KEYS:
            rep.add(where, f"'{label}' has unknown field {key!r}")
    values: dict[str, int | None] = {}
    for key, high in _DOSE_LIMITS.items():
        value = raw.get(key)
        if value is None:
            values[key] = None
        elif not is_int(value) or not 1 <= cast(int, value) <= high:
            rep.add(where, f"'{label}.{key}' must be a whole number 1 to {high}, not {value!r}")
            values[key] = None
        else:
            values[key] = cast(int, value)
    per_side = raw.get("per_side", False)
    if not isinstance(per_side, bool):
        rep.add(where, f"'{label}.per_side' must be true or false, not {per_side!r}")
        per_side = False
    reps, sets, hold, seconds = (
        values["reps"],
        values["sets"],
        values["hold_seconds"],
        values["seconds"],
    )
    if reps is None and hold is None and seconds is None:
        rep.add(where, f"'{label}' needs reps, hold_seconds or seconds")
    if reps is not None and seconds is not None:
        rep.add(where, f"'{label}' has both reps and seconds; use one")
    if hold is not None and seconds is not None:
        rep.add(where, f"'{label}' has both hold_seconds and seconds; use one")
    if sets is not None and reps is None and seconds is None:
        rep.add(where, f"'{label}' has sets without reps or seconds")
    if len(rep.problems) > before:
        return None
    return Dose(reps=reps, sets=sets, hold_seconds=hold, seconds=seconds, per_side=per_side)
