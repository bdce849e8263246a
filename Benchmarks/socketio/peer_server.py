#!/usr/bin/env python3
"""The peer of `scripts/bench socketio`: python-socketio's own AsyncServer on aiohttp, the
stack a team would replace with modeld, serving the same two things the benchmark uses:

- Socket.IO at /socket.io/ (Engine.IO v4, websocket transport), every socket in one room;
- POST /v1/rooms/{room}/messages: emits the body as a `message` event to every socket and
  answers {"recipients":N}, as modeld's room publish does.

The body is spliced into the packet verbatim (`42["message",BODY]`, what modeld sends), so
ws-load can check every delivery byte for byte: python-socketio would otherwise re-encode it.

usage: peer_server.py PORT
"""

from __future__ import annotations

import json
import sys

import socketio
from aiohttp import web


class Raw:
    """A JSON text to put into a packet as it is."""

    def __init__(self, text: str) -> None:
        self.text = text


class VerbatimJSON:
    """The `json` module python-socketio encodes packets with, splicing `Raw` values."""

    @staticmethod
    def dumps(obj, **kwargs):
        if isinstance(obj, list) and any(isinstance(item, Raw) for item in obj):
            parts = [item.text if isinstance(item, Raw) else json.dumps(item, separators=(",", ":")) for item in obj]
            return "[" + ",".join(parts) + "]"
        return json.dumps(obj, **kwargs)

    loads = staticmethod(json.loads)


def main() -> None:
    port = int(sys.argv[1])
    sio = socketio.AsyncServer(async_mode="aiohttp", json=VerbatimJSON, cors_allowed_origins="*",
                               ping_interval=25, ping_timeout=20)
    app = web.Application()
    sio.attach(app)
    connected = set()

    @sio.event
    async def connect(sid, environ, auth=None):
        connected.add(sid)

    @sio.event
    async def disconnect(sid, *args):
        connected.discard(sid)

    async def publish(request: web.Request) -> web.Response:
        body = await request.text()
        recipients = len(connected)
        await sio.emit("message", Raw(body))
        return web.json_response({"recipients": recipients}, dumps=lambda o: json.dumps(o, separators=(",", ":")))

    async def livez(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app.router.add_post("/v1/rooms/{room}/messages", publish)
    app.router.add_get("/livez", livez)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    main()
