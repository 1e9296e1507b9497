"""/forget: after a confirmation, delete everything stored about the user."""

from __future__ import annotations

import hmac
import secrets

from bot.dialogue import callbacks as cb
from bot.dialogue import messages as msg
from bot.dialogue.context import Ctx, edit_or_send, kb_buttons
from bot.dialogue.replies import Button, Reply, Send, Toast

NONCE = "forget_nonce"
"""The user's state key holding the nonce of the latest confirmation question."""


class Privacy:
    """Asks before deleting, then deletes in the user's own transaction. Only the yes button
    of the latest question deletes: it carries a one-time nonce kept in the store."""

    async def forget(self, ctx: Ctx, args: str) -> list[Reply]:
        """/forget: ask first."""
        return [await self._ask(ctx)]

    async def _ask(self, ctx: Ctx) -> Send:
        nonce = secrets.token_urlsafe(9)
        await ctx.tx.set_state(NONCE, nonce)
        buttons = kb_buttons(
            [
                [Button(msg.FORGET_YES_LABEL, cb.encode(cb.ForgetAnswer(True, nonce)))],
                [Button(msg.FORGET_NO_LABEL, cb.encode(cb.ForgetAnswer(False)))],
            ]
        )
        return Send(msg.forget_question(), buttons)

    async def answer(self, ctx: Ctx, confirmed: bool, nonce: str | None) -> list[Reply]:
        """The answer to the confirmation; an old or forged yes asks again."""
        if not confirmed:
            await ctx.tx.set_state(NONCE, None)
            return edit_or_send(ctx, msg.forget_cancelled(), ())
        expected = await ctx.tx.get_state(NONCE)
        if nonce is None or expected is None or not hmac.compare_digest(nonce, expected):
            return [Toast(msg.stale_button()), await self._ask(ctx)]
        await ctx.tx.forget()
        return edit_or_send(ctx, msg.forgotten(), ())
