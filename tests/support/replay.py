"""A loopback HTTP server that replays recorded responses and remembers what it was asked.

Routes are keyed by path and query parameters; each route holds a queue of replies served in
order, so a test can answer a 503 with `Retry-After` and then the recorded 200. Each request is
remembered with its query and headers, so a test can check what a client actually sent.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

RouteKey = tuple[str, frozenset[tuple[str, str]] | None]


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a stalled source)


@dataclass(frozen=True)
class SeenRequest:
    path: str
    query: dict[str, str]  # the decoded query parameters (last value wins)
    raw_query: str
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case


class ReplayServer:
    """Serve queued replies on 127.0.0.1 from a background thread; use as a context manager."""

    def __init__(self) -> None:
        self.requests: list[SeenRequest] = []
        self.unmatched: list[SeenRequest] = []
        self._routes: dict[RouteKey, deque[Reply]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the replay server is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def add(self, path: str, params: Mapping[str, str | int] | None, *replies: Reply) -> None:
        """Queue replies for GET `path` with exactly `params` (None: any query on that path)."""
        key = (path, None if params is None else _params_key(params))
        with self._lock:
            self._routes.setdefault(key, deque()).extend(replies)

    def pending(self) -> dict[RouteKey, int]:
        """Routes that still hold unserved replies, with how many."""
        with self._lock:
            return {key: len(queue) for key, queue in self._routes.items() if queue}

    def start(self) -> ReplayServer:
        handler = type("ReplayHandler", (_Handler,), {"replay": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _next_reply(self, seen: SeenRequest) -> Reply | None:
        with self._lock:
            self.requests.append(seen)
            for key in ((seen.path, _params_key(seen.query)), (seen.path, None)):
                queue = self._routes.get(key)
                if queue:
                    return queue.popleft()
            self.unmatched.append(seen)
            return None


class _Handler(BaseHTTPRequestHandler):
    replay: ReplayServer

    def do_GET(self) -> None:  # noqa: N802 (the name http.server looks for)
        parts = urlsplit(self.path)
        seen = SeenRequest(
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            raw_query=parts.query,
            headers={name.lower(): value for name, value in self.headers.items()},
        )
        reply = self.replay._next_reply(seen)
        if reply is None:
            reply = Reply(404, f"replay: nothing queued for {self.path}", {})
        if reply.delay:
            time.sleep(reply.delay)
        body = reply.body.encode() if isinstance(reply.body, str) else reply.body
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep pytest output clean; the server records requests itself


def _params_key(params: Mapping[str, str | int]) -> frozenset[tuple[str, str]]:
    return frozenset((name, str(value)) for name, value in params.items())
