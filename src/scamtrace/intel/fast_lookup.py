"""An ASGI fast path for ``GET /v1/lookup/{kind}/{value}``, in front of the router.

Routing and dependency resolution cost a FastAPI request a few hundred microseconds,
more than the lookup itself; SMS firewalls send these by the thousand a second. This
middleware answers the successful case directly from the worker's index. Anything else
(a bad identifier, a wrong key, another path) goes to the normal route, which answers
the same way and renders errors as problem+json, so behaviour does not fork.
"""

from __future__ import annotations

import orjson

from scamtrace.errors import ScamtraceError
from scamtrace.intel.lookup import lookup_one
from scamtrace.intel.serving import serving_for
from scamtrace.orgs.service import ANONYMOUS

PREFIX = "/v1/lookup/"


class LookupFastPath:
    """ASGI middleware answering single lookups before routing.

    Args:
        app: the wrapped ASGI application (the FastAPI app's inner stack).
        fastapi_app: the FastAPI app, whose ``state`` holds settings and the index.
    """

    def __init__(self, app, fastapi_app=None) -> None:
        self.app = app
        self.fastapi_app = fastapi_app

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if scope["type"] != "http" or scope["method"] != "GET" or not path.startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        kind, _, value = path[len(PREFIX) :].partition("/")
        if not value or kind == "policy":
            await self.app(scope, receive, send)
            return
        try:
            body, generation = self._answer(scope, kind, value)  # scope path is decoded
        except ScamtraceError:
            await self.app(scope, receive, send)  # the route renders the problem+json
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"x-index-generation", str(generation).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _answer(self, scope, kind: str, value: str) -> tuple[bytes, int]:
        serving = serving_for(self.fastapi_app or scope["app"])
        key = b""
        for name, header in scope["headers"]:
            if name == b"authorization" and header[:7].lower() == b"bearer ":
                key = header[7:].strip()
            elif name == b"x-api-key" and not key:
                key = header.strip()
        principal = serving.principal_for(key.decode()) if key else ANONYMOUS
        serving.index.refresh()
        answer = lookup_one(serving.index, principal, kind, value, serving.policy_for(principal))
        serving.note_lookups(principal, 1)
        return orjson.dumps(answer), serving.index.generation
