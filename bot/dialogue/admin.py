"""/stats and /reload, for ADMIN_IDS only."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.core.answering import Answerer
from bot.core.knowledge import KnowledgeBase, KnowledgeError
from bot.dialogue import messages as msg
from bot.dialogue.context import Services
from bot.dialogue.replies import Reply, Send
from bot.dialogue.stats import Stats

# Anyone else gets exactly the unknown-command reply: no hint that these exist.
ADMIN_COMMANDS = frozenset({"stats", "reload"})


class Admin:
    """The admin commands; they run outside any user's transaction."""

    def __init__(
        self, services: Services, reload: Callable[[], KnowledgeBase] | None = None
    ) -> None:
        self.s = services
        self.reload = reload

    async def command(self, name: str) -> list[Reply]:
        """Run /stats or /reload."""
        if name == "stats":
            return await self.stats()
        return await self.reload_knowledge()

    async def stats(self) -> list[Reply]:
        """Usage figures, never about one user."""
        store = self.s.store
        stats = Stats(
            users=await store.user_count(),
            questions=await store.question_counts(),
            feedback=await store.feedback_counts(),
            sessions=await store.all_finished_sessions(),
            active=await store.active_session_count(),
        )
        return [Send("\n".join(stats.lines()))]

    async def reload_knowledge(self) -> list[Reply]:
        """Load the knowledge base again; keep the old one when the new one has problems."""
        if self.reload is None:
            return [Send(msg.reload_unavailable())]
        try:
            kb = await asyncio.to_thread(self.reload)
        except KnowledgeError as error:
            return [Send(msg.reload_failed([str(p) for p in error.problems]))]
        self.s.answerer = await asyncio.to_thread(Answerer, kb)
        self.s.kb = kb
        return [Send(msg.reloaded(len(kb.entries), len(kb.routines)))]
