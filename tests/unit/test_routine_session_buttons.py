"""The routine's buttons and commands through the dialogue, reply by reply: which message is
edited and which is new, the toasts, the menu, levels, the checklist's timing, timers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from bot.core import routine as rt
from bot.core.answering import Answerer
from bot.core.knowledge import KnowledgeBase
from bot.dialogue import Dialogue, TimerDue, Who
from bot.dialogue import callbacks as cb
from bot.dialogue import messages as msg
from bot.dialogue.replies import Button, Edit, Reply, Send, Toast, WakeAt
from bot.dialogue.routines import CHECKLIST_EVERY, CHECKLIST_SEEN
from bot.store import FinishedSession, Store
from tests.unit.dialogue_chat import (
    BEGINNER_STEPS,
    GLUTE_BRIDGE,
    START,
    USER,
    Chat,
    Clock,
    active_state,
    all_data,
    buttons,
    go_to_step,
    joined,
    rt_data,
    start_beginner,
    step_of,
    toasts,
)


def only(replies: Sequence[Reply], kind: type) -> list[Reply]:
    return [r for r in replies if isinstance(r, kind)]


async def test_show_with_nothing_in_progress_says_so_in_a_toast(chat: Chat) -> None:
    assert await chat.press(rt_data("show")) == [Toast(msg.no_routine())]


async def test_show_sends_the_card_again_as_a_new_message_with_a_welcome_back(
    chat: Chat,
) -> None:
    await go_to_step(chat, 2)
    replies = await chat.press(rt_data("show"), message_id=55)
    assert replies[0] == Toast("")
    [card] = replies[1:]
    assert isinstance(card, Send) and card.card
    assert step_of([card]) == (2, BEGINNER_STEPS)
    assert msg.NOTE_RESUMED in card.text


async def test_the_menu_button_shows_the_routine_menu(chat: Chat, kb: KnowledgeBase) -> None:
    replies = await chat.press(rt_data("menu"))
    assert replies[0] == Toast("")
    [menu] = replies[1:]
    routines = list(kb.routines.values())
    assert menu == Send(
        msg.routine_menu(routines),
        tuple((Button(msg.routine_button(r), cb.encode(cb.StartRoutine(r.id))),) for r in routines),
    )


async def test_an_unfinished_session_makes_the_menu_ask_continue_or_new(
    chat: Chat, kb: KnowledgeBase
) -> None:
    await go_to_step(chat, 2)
    [ask] = await chat.command("routine")
    assert isinstance(ask, Send)
    assert ask.text == msg.unfinished_routine(kb.routines["beginner"].title)
    labels = [[b.label for b in row] for row in ask.buttons]
    assert labels == [[msg.RESUME_LABEL], [msg.NEW_ROUTINE_LABEL]]
    actions = [cb.parse(b.data) for row in ask.buttons for b in row]
    assert [a.action for a in actions if isinstance(a, cb.RoutineButton)] == ["resume", "new"]
    assert all(isinstance(a, cb.RoutineButton) and a.card is None for a in actions)


async def test_routine_with_a_routine_id_in_any_case_starts_it(chat: Chat) -> None:
    replies = await chat.command("routine", "Desk-Break now please")
    assert replies[0] == Toast("")
    assert "rt:safe" in all_data(replies)


async def test_routine_with_an_unknown_id_shows_the_menu(chat: Chat, kb: KnowledgeBase) -> None:
    for args in ("yoga", ""):
        [menu] = await chat.command("routine", args)
        assert isinstance(menu, Send)
        assert menu.text == msg.routine_menu(list(kb.routines.values()))


async def test_new_stops_the_session_then_shows_the_menu(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    await go_to_step(chat, 2)
    await chat.command("routine")
    replies = await chat.press("rt:new", message_id=None)
    assert msg.stopped(True) in [r.text for r in replies if isinstance(r, Send | Edit)]
    assert isinstance(replies[-1], Send)
    assert replies[-1].text == msg.routine_menu(list(kb.routines.values()))
    assert await active_state(store, kb) is None


async def test_a_button_of_no_session_at_all_is_stale(chat: Chat) -> None:
    assert await chat.press("rt:done:abcdefgh:s0") == [Toast(msg.stale_button())]
    assert await chat.press("pn:3:abcdefgh:b0") == [Toast(msg.stale_button())]


async def test_a_pain_button_of_an_earlier_card_shows_where_the_session_is(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    await chat.press(cb.encode(cb.StartRoutine("beginner", "weeks-1-2")))
    await chat.press(rt_data("safe"))
    earlier = chat.latest("pn:3")
    await chat.press("pn:4")
    replies = await chat.press(earlier, message_id=None)
    assert replies[0] == Toast(msg.stale_button())
    assert step_of(replies[1:]) == (1, BEGINNER_STEPS)
    state = await active_state(store, kb)
    assert state is not None and state.pain_before == 4


async def test_more_sends_the_whole_step_with_its_variants(chat: Chat, kb: KnowledgeBase) -> None:
    await go_to_step(chat, 2)
    replies = await chat.press(rt_data("more"))
    state = await active_state(chat.dialogue.store, kb)
    assert state is not None
    view = rt.step_view(kb.routines["beginner"], state)
    assert view is not None
    assert replies == [Toast(""), Send(msg.step_card(kb.routines["beginner"], view))]


async def test_more_while_the_timer_runs_also_shows_the_step(chat: Chat, kb: KnowledgeBase) -> None:
    await go_to_step(chat, GLUTE_BRIDGE + 1)
    await chat.press(rt_data("timer"))
    replies = await chat.press(rt_data("more"))
    assert replies[0] == Toast("")
    assert "Glute bridge" in joined(replies)


async def test_continue_of_a_session_that_is_not_paused_shows_its_card_anew(chat: Chat) -> None:
    await go_to_step(chat, 3)
    await chat.command("routine")
    replies = await chat.press("rt:resume", message_id=40)
    assert replies[0] == Toast("")
    [card] = replies[1:]
    assert isinstance(card, Send)
    assert step_of([card]) == (3, BEGINNER_STEPS)
    assert msg.NOTE_RESUMED in card.text


async def test_a_button_that_does_not_fit_the_step_answers_not_now_in_a_toast(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    await go_to_step(chat, GLUTE_BRIDGE + 1)
    await chat.press(rt_data("timer"))
    before = await active_state(store, kb)
    # A second tap on Start timer: the card is the same step's, but the timer runs already.
    again = await chat.press(cb.encode(cb.RoutineButton("timer", *_bound(chat, "rt:done"))))
    assert again == [Toast(msg.not_now())]
    assert await active_state(store, kb) == before


async def test_not_now_without_a_message_to_edit_sends_it_and_the_card_anew(
    chat: Chat, kb: KnowledgeBase
) -> None:
    await go_to_step(chat, GLUTE_BRIDGE + 1)
    await chat.press(rt_data("timer"))
    data = cb.encode(cb.RoutineButton("timer", *_bound(chat, "rt:done")))
    replies = await chat.press(data, message_id=None)
    assert replies[0] == Send(msg.not_now())
    [card] = replies[1:]
    assert isinstance(card, Send) and card.card
    assert msg.NOTE_RESUMED in card.text
    assert "Timer running" in card.text


def _bound(chat: Chat, untagged: str) -> tuple[str, str]:
    """The (session tag, card key) of the latest button shown with this untagged data."""
    action = cb.parse(chat.latest(untagged))
    assert isinstance(action, cb.RoutineButton)
    assert action.session is not None and action.card is not None
    return action.session, action.card


async def test_a_level_choice_puts_the_proposed_level_first_with_a_star(
    chat: Chat, kb: KnowledgeBase
) -> None:
    routine = kb.routines["beginner"]
    replies = await chat.press(cb.encode(cb.StartRoutine("beginner")), message_id=21)
    proposed = rt.propose_level(routine, [], START.date())
    assert replies[0] == Toast("")
    [edit] = replies[1:]
    assert isinstance(edit, Edit) and edit.message_id == 21
    assert edit.text == msg.choose_level(routine, proposed)
    levels = sorted(routine.levels, key=lambda lv: lv.id != proposed)
    assert edit.buttons == tuple(
        (
            Button(
                msg.level_label(lv, lv.id == proposed),
                cb.encode(cb.StartRoutine("beginner", lv.id)),
            ),
        )
        for lv in levels
    )
    assert edit.buttons[0][0].label.startswith("⭐")


async def test_the_proposed_level_follows_the_history_of_that_routine_only(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    routine = kb.routines["beginner"]
    history: list[tuple[str, date]] = []
    async with store.user_action(USER) as tx:
        for day in range(1, 15):
            finished = START - timedelta(days=day)
            await tx.add_finished_session(
                FinishedSession(
                    USER,
                    "beginner",
                    "weeks-1-2",
                    finished - timedelta(minutes=10),
                    finished,
                    4,
                    3,
                    7,
                    0,
                    True,
                )
            )
            history.append(("beginner", finished.date()))
    replies = await chat.press(cb.encode(cb.StartRoutine("beginner")))
    proposed = rt.propose_level(routine, history, START.date())
    assert proposed != routine.first_level.id
    assert texts_of(replies) == [msg.choose_level(routine, proposed)]
    first, second = buttons(replies)
    assert cb.parse(first.data) == cb.StartRoutine("beginner", proposed)
    assert first.label.startswith("⭐") and not second.label.startswith("⭐")
    assert cb.parse(second.data) == cb.StartRoutine("beginner", routine.first_level.id)


def texts_of(replies: Sequence[Reply]) -> list[str]:
    return [r.text for r in replies if isinstance(r, Send | Edit)]


async def test_an_unknown_level_is_a_stale_button(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    replies = await chat.press(cb.encode(cb.StartRoutine("beginner", "expert")))
    assert replies == [Toast(msg.stale_button())]
    assert await active_state(store, kb) is None


async def test_a_routine_with_one_level_starts_at_once(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    replies = await chat.press(cb.encode(cb.StartRoutine("desk-break")), message_id=None)
    assert replies[0] == Toast("")
    [card] = replies[1:]
    assert isinstance(card, Send) and card.card and card.undo is not None
    assert card.undo.before is None
    state = await active_state(store, kb)
    assert state is not None and state.routine_id == "desk-break"
    assert state.level_id == kb.routines["desk-break"].first_level.id
    assert card.undo.after == state.to_json()


async def test_starting_while_a_session_is_unfinished_asks_continue_or_new(
    chat: Chat, kb: KnowledgeBase
) -> None:
    await go_to_step(chat, 2)
    [ask] = await chat.press(cb.encode(cb.StartRoutine("desk-break")))
    assert isinstance(ask, Send)
    assert ask.text == msg.unfinished_routine(kb.routines["beginner"].title)


async def test_the_walk_starts_at_the_plans_first_minutes(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    walk = kb.routines["walk"]
    await chat.press(cb.encode(cb.StartRoutine("walk")))
    state = await active_state(store, kb)
    assert state is not None
    plan = walk.walk or rt.DEFAULT_WALK_PLAN
    assert state.walk_minutes == rt.walk_minutes([], START.date(), plan)


async def test_the_walk_grows_with_the_walks_done(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    walk = kb.routines["walk"]
    plan = walk.walk or rt.DEFAULT_WALK_PLAN
    days = [START.date() - timedelta(days=d) for d in range(1, 20)]
    async with store.user_action(USER) as tx:
        for day in days:
            finished = START - timedelta(days=(START.date() - day).days)
            await tx.add_finished_session(
                FinishedSession(USER, "walk", "plan", finished, finished, 3, 2, 1, 0, True)
            )
        # Not counted: another routine, and a walk ended early.
        await tx.add_finished_session(
            FinishedSession(USER, "beginner", "weeks-1-2", START, START, 3, 2, 7, 0, True)
        )
        await tx.add_finished_session(
            FinishedSession(USER, "walk", "plan", START, START, 3, None, 0, 0, False)
        )
    await chat.press(cb.encode(cb.StartRoutine("walk")))
    state = await active_state(store, kb)
    assert state is not None
    expected = rt.walk_minutes(days, START.date(), plan)
    assert expected != rt.walk_minutes([], START.date(), plan)
    assert state.walk_minutes == expected


async def test_the_whole_checklist_comes_back_after_thirty_days_not_before(
    chat: Chat, store: Store, clock: Clock
) -> None:
    async with store.user_action(USER) as tx:
        await tx.set_state(
            CHECKLIST_SEEN, (START - CHECKLIST_EVERY + timedelta(seconds=1)).isoformat()
        )
    short = await chat.press(cb.encode(cb.StartRoutine("desk-break")))
    assert "rt:list" in all_data(short) and "rt:flag-emergency" not in all_data(short)
    await chat.press(rt_data("stop"))
    clock.advance(seconds=1)
    full = await chat.press(cb.encode(cb.StartRoutine("desk-break")))
    assert "rt:flag-emergency" in all_data(full)
    async with store.user_action(USER) as tx:
        assert await tx.get_state(CHECKLIST_SEEN) == clock().isoformat()


async def test_an_unreadable_checklist_date_shows_the_whole_checklist(
    chat: Chat, store: Store
) -> None:
    async with store.user_action(USER) as tx:
        await tx.set_state(CHECKLIST_SEEN, "yesterday")
    replies = await chat.press(cb.encode(cb.StartRoutine("desk-break")))
    assert "rt:flag-emergency" in all_data(replies)
    [card] = [r for r in replies if isinstance(r, Send | Edit)]
    assert card.undo is not None and card.undo.put_back == ((CHECKLIST_SEEN, "yesterday"),)


async def test_the_short_checklist_takes_nothing_back_but_the_session(
    chat: Chat, store: Store
) -> None:
    async with store.user_action(USER) as tx:
        await tx.set_state(CHECKLIST_SEEN, START.isoformat())
    replies = await chat.press(cb.encode(cb.StartRoutine("desk-break")))
    [card] = [r for r in replies if isinstance(r, Send | Edit)]
    assert card.undo is not None and card.undo.put_back == ()


async def test_show_the_list_edits_the_short_checklist_into_the_whole_one(chat: Chat) -> None:
    await start_beginner(chat)
    await chat.press(rt_data("stop"))
    await chat.press(cb.encode(cb.StartRoutine("beginner", "weeks-1-2")))
    replies = await chat.press(rt_data("list"), message_id=64)
    assert replies[0] == Toast("")
    [edit] = replies[1:]
    assert isinstance(edit, Edit) and edit.message_id == 64
    assert [b.label for b in buttons([edit])][1:3] == [
        msg.FLAG_EMERGENCY_LABEL,
        msg.FLAG_SAME_DAY_LABEL,
    ]


async def test_the_timer_is_due_after_the_hold_scaled_and_remembers_the_card(
    kb: KnowledgeBase, answerer: Answerer, store: Store, clock: Clock
) -> None:
    chat = Chat(Dialogue(kb, store, answerer, clock=clock, timer_scale=0.5), Who(USER, USER))
    await go_to_step(chat, GLUTE_BRIDGE + 1)
    replies = await chat.press(rt_data("timer"), message_id=88)
    assert toasts(replies) == [msg.timer_started(3)]
    assert replies[0] == Toast(msg.timer_started(3))
    assert only(replies, WakeAt) == [WakeAt(START + timedelta(seconds=1.5))]
    [timer] = await store.all_timers()
    assert timer.timer_id == f"step-{USER}"
    state = await active_state(store, kb)
    assert state is not None
    assert json.loads(timer.payload) == {
        "step": GLUTE_BRIDGE,
        "started": state.started_at.isoformat(),
        "message": 88,
    }
    chat.check_everything_shown()


async def test_a_hold_ending_without_a_card_to_edit_sends_the_card(
    chat: Chat, clock: Clock
) -> None:
    await go_to_step(chat, GLUTE_BRIDGE + 1)
    await chat.press(rt_data("timer"), message_id=None)
    clock.advance(seconds=3)
    [(_, fired)] = await chat.fire_timers()
    sends = only(fired, Send)
    assert len(sends) == 2
    card, time_up = sends
    assert isinstance(card, Send) and card.card and card.undo is None
    assert msg.NOTE_TIME_UP in card.text
    assert time_up == Send(msg.time_up("Glute bridge"))


async def test_a_pain_score_that_rises_too_much_says_the_pain_went_up(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    await go_to_step(chat, 2, pain=2)
    await chat.press(rt_data("hurt"))
    replies = await chat.press("pn:9")
    state = await active_state(store, kb)
    assert state is not None and state.phase == rt.Phase.HURT_STOP
    view = rt.step_view(kb.routines["beginner"], state)
    assert view is not None
    assert msg.exercise_stopped(view, sharp=False, tingling=False, pain_up=True) in joined(replies)


async def test_an_edited_card_is_the_message_the_button_was_on(chat: Chat) -> None:
    await go_to_step(chat, 2)
    replies = await chat.press(rt_data("done"), message_id=123)
    [edit] = only(replies, Edit)
    assert isinstance(edit, Edit) and edit.message_id == 123 and edit.card
    assert edit.picture is not None
    assert edit.undo is not None and edit.undo.message_id == 123


async def save_raw_session(store: Store, raw: str) -> None:
    async with store.user_action(USER) as tx:
        await tx.save_active_session(raw)


async def test_a_saved_session_that_no_longer_fits_is_lost_and_cleared(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    await start_beginner(chat)
    state = await active_state(store, kb)
    assert state is not None
    gone = state.to_json().replace('"beginner"', '"retired-routine"')
    await save_raw_session(store, gone)
    assert await chat.command("resume") == [Send(msg.session_lost())]
    async with store.user_action(USER) as tx:
        assert await tx.get_active_session() is None
    assert await chat.command("resume") == [Send(msg.no_routine())]


async def test_a_button_of_a_lost_session_says_it_is_lost(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    await start_beginner(chat)
    state = await active_state(store, kb)
    assert state is not None
    await save_raw_session(store, state.to_json().replace('"beginner"', '"retired-routine"'))
    assert await chat.press(rt_data("done")) == [Toast(""), Send(msg.session_lost())]


async def test_a_saved_session_that_has_ended_counts_as_none(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    await start_beginner(chat)
    state = await active_state(store, kb)
    assert state is not None
    await save_raw_session(store, replace(state, phase=rt.Phase.CANCELLED).to_json())
    assert await chat.command("resume") == [Send(msg.no_routine())]
    async with store.user_action(USER) as tx:
        assert await tx.get_active_session() is None


async def test_a_timer_whose_card_is_unknown_sends_a_new_card(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    await go_to_step(chat, GLUTE_BRIDGE + 1)
    await chat.press(rt_data("timer"), message_id=31)
    state = await active_state(store, kb)
    assert state is not None
    payload = json.dumps(
        {"step": GLUTE_BRIDGE, "started": state.started_at.isoformat(), "message": "31"}
    )
    replies = await chat.send(TimerDue(chat.who, payload))
    assert [type(r) for r in replies] == [Send, Send]
    card = replies[0]
    assert isinstance(card, Send) and msg.NOTE_TIME_UP in card.text


async def test_a_finished_session_is_recorded_with_every_count_and_time(
    chat: Chat, store: Store, clock: Clock
) -> None:
    await start_beginner(chat, pain=6)
    await chat.press(rt_data("skip"))
    await chat.press(rt_data("done"))
    await chat.press(rt_data("skip"))
    for _ in range(BEGINNER_STEPS - 3):
        await chat.press(rt_data("done"))
    clock.advance(minutes=12)
    await chat.press("pn:2")
    async with store.user_action(USER) as tx:
        [session] = await tx.finished_sessions(limit=10)
    assert session == FinishedSession(
        user_id=USER,
        routine_id="beginner",
        level="weeks-1-2",
        started_at=START,
        finished_at=START + timedelta(minutes=12),
        pain_before=6,
        pain_after=2,
        steps_done=BEGINNER_STEPS - 2,
        steps_skipped=2,
        completed=True,
    )
    assert await store.all_timers() == []


async def test_a_start_from_a_button_edits_that_message_and_can_be_taken_back_there(
    chat: Chat, store: Store
) -> None:
    seen = (START - timedelta(days=1)).isoformat()
    async with store.user_action(USER) as tx:
        await tx.set_state(CHECKLIST_SEEN, seen)
    replies = await chat.press(cb.encode(cb.StartRoutine("desk-break")), message_id=21)
    [card] = only(replies, Edit)
    assert isinstance(card, Edit) and card.message_id == 21 and card.card
    assert card.undo is not None and card.undo.message_id == 21
    async with store.user_action(USER) as tx:
        assert await tx.get_state(CHECKLIST_SEEN) == seen  # the short list: not noted again


async def test_a_first_start_taken_back_shows_the_whole_checklist_again(
    chat: Chat, store: Store
) -> None:
    replies = await chat.press(cb.encode(cb.StartRoutine("desk-break")))
    [card] = [r for r in replies if isinstance(r, Send | Edit) and r.card]
    assert card.undo is not None and card.undo.put_back == ((CHECKLIST_SEEN, None),)
    await chat.dialogue.undo(chat.who, card.undo)
    async with store.user_action(USER) as tx:
        assert await tx.get_state(CHECKLIST_SEEN) is None
    again = await chat.press(cb.encode(cb.StartRoutine("desk-break")))
    assert "rt:flag-emergency" in all_data(again)


async def test_a_started_timer_taken_back_is_cancelled(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    await go_to_step(chat, GLUTE_BRIDGE + 1)
    [card] = only(await chat.press(rt_data("timer")), Edit)
    assert isinstance(card, Edit) and card.undo is not None
    assert await chat.dialogue.undo(chat.who, card.undo) == []
    assert await store.all_timers() == []
    state = await active_state(store, kb)
    assert state is not None and state.phase == rt.Phase.STEP


async def test_a_timer_set_again_by_an_undo_edits_the_card_the_undo_names(
    chat: Chat, store: Store
) -> None:
    await go_to_step(chat, GLUTE_BRIDGE + 1)
    await chat.press(rt_data("timer"), message_id=70)
    [card] = only(await chat.press(rt_data("done"), message_id=71), Edit)
    assert isinstance(card, Edit) and card.undo is not None
    [wake] = await chat.dialogue.undo(chat.who, card.undo) or []
    assert isinstance(wake, WakeAt) and wake.due_at == START + timedelta(seconds=3)
    [timer] = await store.all_timers()
    assert json.loads(timer.payload)["message"] == 71


async def test_a_step_button_naming_the_session_but_no_step_changes_nothing(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    await go_to_step(chat, 2)
    tag, _ = _bound(chat, "rt:done")
    replies = await chat.press(cb.encode(cb.RoutineButton("done", tag)), message_id=None)
    assert replies[0] == Toast(msg.stale_button())
    assert step_of(replies[1:]) == (2, BEGINNER_STEPS)
    state = await active_state(store, kb)
    assert state is not None and state.step_index == 1


async def test_other_routines_do_not_count_towards_the_walks_minutes(
    chat: Chat, store: Store, kb: KnowledgeBase
) -> None:
    plan = kb.routines["walk"].walk or rt.DEFAULT_WALK_PLAN
    days = [START.date() - timedelta(days=d) for d in range(1, 20)]
    async with store.user_action(USER) as tx:
        for day in days:
            finished = START - timedelta(days=(START.date() - day).days)
            await tx.add_finished_session(
                FinishedSession(USER, "beginner", "weeks-1-2", finished, finished, 3, 2, 7, 0, True)
            )
    first = rt.walk_minutes([], START.date(), plan)
    assert rt.walk_minutes(days, START.date(), plan) != first
    await chat.press(cb.encode(cb.StartRoutine("walk")))
    state = await active_state(store, kb)
    assert state is not None and state.walk_minutes == first


async def test_the_walk_follows_its_own_plan_not_the_default_one(
    kb: KnowledgeBase, answerer: Answerer, store: Store, clock: Clock
) -> None:
    walk = kb.routines["walk"]
    plan = replace(
        walk.walk or rt.DEFAULT_WALK_PLAN, start_minutes=rt.DEFAULT_WALK_PLAN.start_minutes + 7
    )
    routines = {**kb.routines, "walk": replace(walk, walk=plan)}
    own = replace(kb, routines=routines)
    chat = Chat(Dialogue(own, store, answerer, clock=clock), Who(USER, USER))
    await chat.press(cb.encode(cb.StartRoutine("walk")))
    state = await active_state(store, own)
    assert state is not None and state.walk_minutes == plan.start_minutes


async def test_resume_while_a_hold_runs_shows_the_card_again_and_keeps_the_timer(
    chat: Chat, clock: Clock
) -> None:
    await go_to_step(chat, GLUTE_BRIDGE + 1)
    await chat.press(rt_data("timer"))
    clock.advance(seconds=1)
    replies = await chat.command("resume")
    assert isinstance(replies[0], Send) and "Step" in replies[0].text
    # The hold's end is set again for the time that is left of it.
    assert len(only(replies, WakeAt)) == 1
