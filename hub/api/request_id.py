"""``X-Request-ID``: the caller's (or a new) id on every response and, as ``correlation_id``,
on every event the request causes.

A plain ASGI middleware rather than ``@app.middleware("http")``: Starlette runs those
(``BaseHTTPMiddleware``) by starting a task per request and passing the response
through memory streams, which cost a storefront read about a third of its time.
"""

from __future__ import annotations

import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.outbox.envelope import correlation_id

__all__ = ["RequestId"]

_HEADER = b"x-request-id"


class RequestId:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((value for name, value in scope["headers"] if name == _HEADER), None)
        rid = (given.decode("latin-1") if given else str(uuid.uuid4()))[:128]
        raw = rid.encode("latin-1")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), (_HEADER, raw)]
            await send(message)

        token = correlation_id.set(rid)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            correlation_id.reset(token)
