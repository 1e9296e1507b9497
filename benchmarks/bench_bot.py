"""Telegram-side benchmark: simulated users against the fake Bot API server, through the real
Application (polling over HTTP, in this process), once with the flood-limit rate limiter as
configured and once without it.

    python -m benchmarks.bench_bot [--users 20] [--updates 200] [--seed 7]

Each user is a coroutine that asks questions (phrasings from the knowledge base) and goes
through the gentle-start routine by pressing its buttons, one update at a time: it sends the
next one when the bot has handled the last (zero think time). Latency runs from the moment an
update is pushed to the fake until the fake records the first message the bot sends or edits
for it (for a press that only gets a toast: the callback answer), both on the fake's clock.
Each mode runs twice: timed, then under tracemalloc for the peak memory (the Python heap of
the bot and the fake server together). Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.adapters.telegram import build_application
from bot.config import Settings, load_settings
from bot.core.knowledge import KnowledgeBase
from bot.core.loader import load_knowledge
from tests.e2e.harness import TOKEN, HandledUpdates, running
from tests.fakes import FakeBotApi, FakeUser

MESSAGE_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})
ROUTINE = "gentle-start"
FIRST_USER_ID = 10_000


@dataclass
class Sent:
    """One update a simulated user pushed."""

    chat_id: int
    update_id: int
    pushed_at: float
    query_id: str | None = None


@dataclass
class Run:
    """What one mode of the benchmark measured."""

    label: str
    updates: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    unanswered: int = 0
    peak_bytes: int | None = None

    def line(self) -> str:
        ordered = sorted(self.latencies)
        p50 = percentile(ordered, 0.50) * 1000
        p99 = percentile(ordered, 0.99) * 1000
        peak = f"{self.peak_bytes / 2**20:7.1f} MiB" if self.peak_bytes is not None else "   n/a"
        return (
            f"{self.label:<18} {self.updates:>7} {self.updates / self.seconds:>10.1f} "
            f"{p50:>9.1f} {p99:>9.1f} {max(ordered) * 1000:>9.1f} {peak:>12} "
            f"{self.unanswered:>10}"
        )


def percentile(ordered: list[float], share: float) -> float:
    """The value below which `share` of the (sorted) values lie (nearest rank)."""
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def script(kb: KnowledgeBase, rng: random.Random) -> Iterator[str]:
    """What one user does, forever: a question or two, then the routine by its buttons.

    Items are texts to send, or "press:DATA" for a button of the user's latest card."""
    questions = [q for entry in kb.entries.values() for q in entry.questions]
    steps = len(kb.routines[ROUTINE].steps_for(kb.routines[ROUTINE].first_level.id))
    while True:
        for _ in range(rng.randint(1, 2)):
            yield rng.choice(questions)
        yield "/routine"
        yield f"press:rs:{ROUTINE}"
        yield "press:rt:safe"
        yield f"press:pn:{rng.randint(0, 6)}"
        for _ in range(steps):
            yield "press:rt:done"
        yield f"press:pn:{rng.randint(0, 6)}"


async def simulate_user(
    fake: FakeBotApi,
    handled: HandledUpdates,
    user: FakeUser,
    actions: Iterator[str],
    budget: list[int],
    sent: list[Sent],
) -> None:
    """Push updates one at a time until the shared budget of updates is used up."""
    card: int | None = None
    while budget[0] > 0:
        budget[0] -= 1
        action = next(actions)
        if action.startswith("press:"):
            assert card is not None, "a press before any card"
            pushed_at = time.monotonic()
            wanted = action.removeprefix("press:")
            # A routine card's buttons also name the session and step: press the card's own.
            on_card = fake.message(user.id, card).callback_data
            data = next((d for d in on_card if d == wanted or d.startswith(f"{wanted}:")), wanted)
            update_id = fake.press_button(user.id, user, card, data)
            query_id = str(fake.update(update_id)["callback_query"]["id"])
        else:
            before = max((m.message_id for m in fake.messages(user.id)), default=0)
            pushed_at = time.monotonic()
            update_id = fake.send_text(user, action)
            query_id = None
        sent.append(Sent(user.id, update_id, pushed_at, query_id))
        await handled.wait(update_id, timeout=120)
        if action == "/routine":
            new = [m for m in fake.sent_messages(user.id) if m.message_id > before]
            card = new[-1].message_id


def latencies(fake: FakeBotApi, sent: list[Sent]) -> tuple[list[float], int]:
    """Seconds from each push to its first reply on the fake's clock; how many got none."""
    replies: dict[int, list[float]] = {}
    answers: dict[str, float] = {}
    for call in fake.calls:
        if call.method in MESSAGE_METHODS and isinstance(call.chat_id, int):
            replies.setdefault(call.chat_id, []).append(call.time)
        elif call.method == "answerCallbackQuery":
            answers[str(call.params.get("callback_query_id"))] = call.time
    out: list[float] = []
    unanswered = 0
    by_chat: dict[int, list[Sent]] = {}
    for item in sent:
        by_chat.setdefault(item.chat_id, []).append(item)
    for chat_id, items in by_chat.items():
        times = sorted(replies.get(chat_id, []))
        for item, following in zip(items, [*items[1:], None], strict=True):
            end = following.pushed_at if following else float("inf")
            first = next((t for t in times if item.pushed_at <= t < end), None)
            if first is None and item.query_id is not None:
                first = answers.get(item.query_id)
            if first is None:
                unanswered += 1
            else:
                out.append(first - item.pushed_at)
    return out, unanswered


async def run_once(
    label: str,
    kb: KnowledgeBase,
    base: Settings,
    users: int,
    updates: int,
    seed: int,
    rate_limiter: bool,
    measure_memory: bool,
) -> Run:
    """One benchmark pass with a fresh fake server and a fresh database."""
    result = Run(label)
    with tempfile.TemporaryDirectory() as tmp, FakeBotApi(token=TOKEN) as fake:
        settings = dataclasses.replace(
            base, api_base_url=fake.base_url, db_path=Path(tmp) / "bench.sqlite3"
        )
        application = build_application(settings, kb, rate_limiter=rate_limiter)
        handled = HandledUpdates()
        handled.attach(application)
        rng = random.Random(seed)
        people = [fake.new_user(FIRST_USER_ID + n, f"User{n}") for n in range(users)]
        scripts = [script(kb, random.Random(rng.random())) for _ in people]
        budget = [updates]
        sent: list[Sent] = []
        async with running(application, settings):
            if measure_memory:
                tracemalloc.start()
            started = time.monotonic()
            await asyncio.gather(
                *(
                    simulate_user(fake, handled, user, actions, budget, sent)
                    for user, actions in zip(people, scripts, strict=True)
                )
            )
            result.seconds = time.monotonic() - started
            if measure_memory:
                result.peak_bytes = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
        result.updates = len(sent)
        result.latencies, result.unanswered = latencies(fake, sent)
    return result


async def main_async(args: argparse.Namespace) -> None:
    kb = load_knowledge()
    base = dataclasses.replace(
        load_settings(environ={}, cwd=Path(tempfile.gettempdir())), token=TOKEN
    )
    print(
        f"bench_bot: {args.users} users, {args.updates} updates, routine {ROUTINE!r}, "
        f"seed {args.seed}"
    )
    print(
        f"{'mode':<18} {'updates':>7} {'updates/s':>10} {'p50 ms':>9} {'p99 ms':>9} "
        f"{'max ms':>9} {'peak heap':>12} {'unanswered':>10}"
    )
    for label, limited in (("rate limiter on", True), ("rate limiter off", False)):
        timed = await run_once(
            label, kb, base, args.users, args.updates, args.seed, limited, measure_memory=False
        )
        if not args.no_memory:
            traced = await run_once(
                label, kb, base, args.users, args.updates, args.seed, limited, True
            )
            timed.peak_bytes = traced.peak_bytes
        print(timed.line(), flush=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (both modes, bot + fake server): {rss:.1f} MiB")
    print("latency: update pushed -> first message sent/edited for it, on the fake's clock")
    if not args.no_memory:
        print("peak heap: tracemalloc in a second, untimed pass of the same workload")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20, help="simulated users (default 20)")
    parser.add_argument("--updates", type=int, default=200, help="updates in all (default 200)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass")
    args = parser.parse_args()
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
