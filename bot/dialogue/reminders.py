"""Daily reminders and the user's time zone."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.dialogue import messages as msg
from bot.dialogue.context import Ctx, Services, kb_buttons, menu, zone
from bot.dialogue.events import Who, private_chat
from bot.dialogue.replies import Button, Reply, Send
from bot.store.model import User

# A reminder more than this late (the bot was down) is skipped for the day.
REMINDER_GRACE = timedelta(hours=1)
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")


class Reminders:
    """/reminder, /timezone, and the nudges that are due."""

    def __init__(self, services: Services) -> None:
        self.s = services

    async def due(self) -> list[tuple[Who, list[Reply]]]:
        """Daily reminders due now in each user's time zone, each claimed so it is sent once."""
        now = self.s.clock()
        out: list[tuple[Who, list[Reply]]] = []
        for reminder in await self.s.store.all_reminders():
            local = now.astimezone(zone(reminder.timezone) or ZoneInfo("UTC"))
            hour, minute = (int(x) for x in reminder.time.split(":"))
            due = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
            if not due <= local < due + REMINDER_GRACE:
                continue
            if reminder.last_sent_on == local.date():
                continue
            if await self.s.store.claim_reminder(reminder.user_id, local.date()):
                buttons = kb_buttons([[Button(msg.START_ROUTINE_LABEL, menu("routine"))]])
                who = Who(reminder.user_id, reminder.chat_id)
                out.append((who, [Send(msg.reminder_nudge(), buttons)]))
        return out

    async def reminder(self, ctx: Ctx, args: str) -> list[Reply]:
        """/reminder HH:MM or /reminder off."""
        user = await ctx.tx.get_user()
        timezone = user.timezone if user else "UTC"
        current = await ctx.tx.get_reminder()
        word = args.strip().lower()
        if word in ("off", "stop", "none", "delete"):
            await ctx.tx.set_reminder(private_chat(ctx.who), None, timezone)
            return [Send(msg.reminder_off())]
        found = _TIME.match(word)
        if not found:
            return [Send(msg.reminder_usage(current.time if current else None))]
        time = f"{int(found.group(1)):02d}:{found.group(2)}"
        await ctx.tx.set_reminder(private_chat(ctx.who), time, timezone)
        return [Send(msg.reminder_set(time, timezone))]

    async def timezone(self, ctx: Ctx, args: str) -> list[Reply]:
        """/timezone Area/City."""
        user = await ctx.tx.get_user()
        current = user.timezone if user else "UTC"
        name = args.strip()
        if not name or zone(name) is None:
            return [Send(msg.timezone_usage(current))]
        await ctx.tx.save_user(User(ctx.who.user_id, private_chat(ctx.who), name))
        reminder = await ctx.tx.get_reminder()
        if reminder is not None:
            await ctx.tx.set_reminder(reminder.chat_id, reminder.time, name)
        return [Send(msg.timezone_set(name))]
