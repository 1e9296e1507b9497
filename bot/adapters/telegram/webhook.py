"""The webhook: an HTTP endpoint that takes Telegram's updates into the Application's queue.

Its own, rather than PTB's, so that a body that is not a valid update gets 400 and one log
line with its size (PTB answers 500 to a body that is not JSON and logs a broken update with
its content, at CRITICAL), and the secret is compared in constant time and never logged."""

from __future__ import annotations

import hmac
import json
import logging
import re
from typing import Any

import tornado.web
from telegram import Bot, Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer

log = logging.getLogger("hipbot.telegram.webhook")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1 << 20
"""Far above any update Telegram sends; a larger body is refused before it is read."""


def parse_update(body: bytes, bot: Bot) -> Update | None:
    """The update in a webhook body, or None when the body is not a valid update."""
    try:
        data = json.loads(body)
    except ValueError:  # also bytes that are not UTF-8
        return None
    update_id = data.get("update_id") if isinstance(data, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    try:
        return Update.de_json(data, bot)
    except Exception:  # PTB raises anything from KeyError to AttributeError on a bad shape
        return None


class _UpdateHandler(tornado.web.RequestHandler):
    """POST of one update; the answer comes before the update is handled, as Telegram wants."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, ptb: Application[Any, Any, Any, Any, Any, Any], secret: str) -> None:
        """Tornado's per-request set-up."""
        self.ptb = ptb
        self.secret = secret.encode()

    async def post(self) -> None:
        """Check the secret, parse the body, queue the update."""
        given = (self.request.headers.get(SECRET_HEADER) or "").encode()
        if not hmac.compare_digest(given, self.secret):
            log.debug("webhook: refused a request without the right secret")
            self.set_status(403)
            return
        body = self.request.body or b""
        update = parse_update(body, self.ptb.bot)
        if update is None:
            log.warning("webhook: refused a body of %d bytes that is not a valid update", len(body))
            self.set_status(400)
            return
        await self.ptb.update_queue.put(update)
        self.set_status(200)

    def log_exception(self, *args: Any) -> None:
        """Never log a request (its headers hold the secret)."""


class _App(tornado.web.Application):
    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """No access log: one line per update is noise, and the path is all it would say."""


class WebhookServer:
    """Listens on `listen`:`port` for POSTs to `path`."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        path: str,
        secret: str,
        listen: str,
        port: int,
    ) -> None:
        route = re.escape("/" + path.strip("/"))
        target = {"ptb": application, "secret": secret}
        app = _App([(rf"{route}/?", _UpdateHandler, target)])
        self._server = HTTPServer(app, max_body_size=MAX_BODY_BYTES)
        self._listen = listen
        self._port = port

    async def start(self) -> None:
        """Start listening."""
        self._server.listen(self._port, address=self._listen)

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        self._server.stop()
        await self._server.close_all_connections()
