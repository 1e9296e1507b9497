"""/forget: after a confirmation, delete everything stored about the user."""

from __future__ import annotations

from bot.dialogue import callbacks as cb
from bot.dialogue import messages as msg
from bot.dialogue.context import Ctx, edit_or_send, kb_buttons
from bot.dialogue.replies import Button, Reply, Send


class Privacy:
    """Asks before deleting, then deletes in the user's own transaction."""

    async def forget(self, ctx: Ctx, args: str) -> list[Reply]:
        """/forget: ask first."""
        buttons = kb_buttons(
            [
                [Button(msg.FORGET_YES_LABEL, cb.encode(cb.ForgetAnswer(True)))],
                [Button(msg.FORGET_NO_LABEL, cb.encode(cb.ForgetAnswer(False)))],
            ]
        )
        return [Send(msg.forget_question(), buttons)]

    async def answer(self, ctx: Ctx, confirmed: bool) -> list[Reply]:
        """The answer to the confirmation."""
        if not confirmed:
            return edit_or_send(ctx, msg.forget_cancelled(), ())
        await ctx.tx.forget()
        return edit_or_send(ctx, msg.forgotten(), ())
