"""Stoke's Python function runtime: an HTTP server that hands every request to a user handler.

Standard library only (Python >= 3.11). Contract:
  * listens on 0.0.0.0:$PORT (default 8080);
  * GET /_/ready answers 200 {"ready": true} (the handler is loaded before the port opens);
  * every other path goes to ``handle(request)`` of $STOKE_HANDLER (a file name such as
    ``handler.py``, optionally ``handler.py:function``, relative to $STOKE_FUNCTION_DIR, which
    defaults to the ``function/`` folder next to this file);
  * at most $STOKE_CONCURRENCY requests run the handler at once (0 = unlimited), the rest wait;
  * one log line per request on stderr: function method path status duration_ms;
  * a handler exception gives a 500 JSON body {"error", "function", "status"};
  * SIGTERM stops accepting connections, lets in-flight requests finish, then exits 0.
A handler that cannot be loaded makes the process exit with status 2 and a message on stderr.
"""

import importlib.util
import json
import os
import signal
import socket
import sys
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

READY_PATH = "/_/ready"
LOAD_FAILURE_EXIT = 2


class Headers:
    """Case-insensitive, read-only view of request headers (first value wins for ``[]``/``get``)."""

    def __init__(self, pairs):
        self._pairs = list(pairs)
        self._first = {}
        for name, value in self._pairs:
            self._first.setdefault(name.lower(), value)

    def __getitem__(self, name):
        return self._first[name.lower()]

    def get(self, name, default=None):
        return self._first.get(name.lower(), default)

    def get_all(self, name):
        return [v for n, v in self._pairs if n.lower() == name.lower()]

    def __contains__(self, name):
        return name.lower() in self._first

    def __iter__(self):
        return iter(self._first)

    def __len__(self):
        return len(self._first)

    def items(self):
        return self._first.items()

    def keys(self):
        return self._first.keys()

    def to_dict(self):
        return dict(self._first)

    def __repr__(self):
        return f"Headers({self._first!r})"


class Request:
    """What a handler receives: method, path, query (first values), query_all, headers, body."""

    def __init__(self, method, target, headers, body):
        parts = urlsplit(target)
        self.method = method
        self.path = parts.path or "/"
        self.raw_query = parts.query
        self.query_all = parse_qs(parts.query, keep_blank_values=True)
        self.query = {k: v[0] for k, v in self.query_all.items()}
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body) if self.body else None

    def __repr__(self):
        return f"Request({self.method} {self.path})"


def _encode(body, headers):
    lowered = {k.lower() for k in headers}

    def default_type(value):
        if "content-type" not in lowered:
            headers["Content-Type"] = value

    if body is None:
        return headers, b""
    if isinstance(body, bytes | bytearray | memoryview):
        default_type("application/octet-stream")
        return headers, bytes(body)
    if isinstance(body, str):
        default_type("text/plain; charset=utf-8")
        return headers, body.encode("utf-8")
    default_type("application/json")
    return headers, json.dumps(body).encode("utf-8")


def normalize(result):
    """(status, headers, body) for any supported handler return value."""
    status, headers = 200, {}
    if isinstance(result, tuple):
        if len(result) not in (2, 3):
            raise TypeError("a handler tuple must be (status, body) or (status, body, headers)")
        status = int(result[0])
        headers = dict(result[2]) if len(result) == 3 and result[2] else {}
        result = result[1]
    headers, body = _encode(result, headers)
    return status, headers, body


def load_handler(function_dir, spec):
    """Imports ``file.py[:function]`` from function_dir and returns the callable."""
    file_name, _, attr = spec.partition(":")
    attr = attr or "handle"
    path = file_name if os.path.isabs(file_name) else os.path.join(function_dir, file_name)
    if not os.path.isfile(path):
        raise RuntimeError(f"handler file {path} does not exist")
    # Let the handler import its sibling modules and vendored dependencies.
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    deps = os.path.join(os.path.dirname(os.path.abspath(__file__)), "deps")
    if os.path.isdir(deps):
        sys.path.insert(0, deps)
    module_spec = importlib.util.spec_from_file_location("stoke_function_handler", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    handler = getattr(module, attr, None)
    if not callable(handler):
        raise RuntimeError(f"{path} has no callable '{attr}(request)'")
    return handler


class Runtime:
    """Shared state of one runtime process: the handler, the concurrency limit and drain state."""

    def __init__(self, name, handler, concurrency):
        self.name = name
        self.handler = handler
        self.limit = threading.BoundedSemaphore(concurrency) if concurrency > 0 else None
        self.draining = threading.Event()
        self._lock = threading.Lock()
        self._idle = {}  # connection socket -> True while waiting for its next request

    def mark(self, sock, idle):
        with self._lock:
            self._idle[sock] = idle

    def forget(self, sock):
        with self._lock:
            self._idle.pop(sock, None)

    def close_idle_connections(self):
        """Wakes keep-alive connections that wait for a request, so their threads end."""
        with self._lock:
            idle = [s for s, waiting in self._idle.items() if waiting]
        for sock in idle:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # Already closed by the peer: nothing left to wake.


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "stoke-python"
    # Buffered writes: status line, headers and body leave in one write when the response is
    # flushed at its end (one syscall, one segment), instead of one write per part.
    wbufsize = 64 * 1024
    # A response larger than the buffer still goes out in several writes; without TCP_NODELAY a
    # later one would wait for the peer's delayed ACK (~40 ms on keep-alive connections).
    disable_nagle_algorithm = True
    runtime: Runtime = None  # set on the subclass built by serve()

    def setup(self):
        super().setup()
        self.runtime.mark(self.connection, True)

    def finish(self):
        self.runtime.forget(self.connection)
        super().finish()

    def log_message(self, format, *args):
        pass  # One access line per request is written by _dispatch instead.

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self):
        self.runtime.mark(self.connection, False)
        started = time.monotonic()
        status, error = 500, None
        try:
            body = self._read_body()
            if urlsplit(self.path).path == READY_PATH:
                status, headers, payload = 200, {"Content-Type": "application/json"}, b'{"ready":true}'
            else:
                status, headers, payload = self._call_handler(body)
        except Exception as exc:  # noqa: BLE001 - any handler failure becomes a 500 response
            error = f"{type(exc).__name__}: {exc}"
            status, headers, payload = self._error(error)
            if os.environ.get("STOKE_TRACEBACK") == "1":
                traceback.print_exc(file=sys.stderr)
        self._send(status, headers, payload)
        elapsed = (time.monotonic() - started) * 1000
        suffix = f" error={error!r}" if error else ""
        print(f"{self.runtime.name} {self.command} {self.path} {status} {elapsed:.1f}ms{suffix}",
              file=sys.stderr, flush=True)
        self.runtime.mark(self.connection, True)

    def _call_handler(self, body):
        request = Request(self.command, self.path, Headers(self.headers.items()), body)
        if self.runtime.limit is None:
            return normalize(self.runtime.handler(request))
        with self.runtime.limit:
            return normalize(self.runtime.handler(request))

    def _error(self, message):
        payload = {"error": message, "function": self.runtime.name, "status": 500}
        return 500, {"Content-Type": "application/json"}, json.dumps(payload).encode("utf-8")

    def _send(self, status, headers, payload):
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
        self.send_response(status, reason)
        for name, value in headers.items():
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, str(value))
        self.send_header("Content-Length", str(len(payload)))
        if self.runtime.draining.is_set():
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _dispatch


class Server(ThreadingHTTPServer):
    # Non-daemon threads are joined by server_close(): that is how in-flight requests finish.
    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True
    request_queue_size = 128


def env_int(name, default):
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw.strip() else default
    except ValueError:
        sys.exit(f"stoke: {name}={raw!r} is not an integer")


def main():
    name = os.environ.get("STOKE_FUNCTION") or "function"
    spec = os.environ.get("STOKE_HANDLER") or "handler.py"
    here = os.path.dirname(os.path.abspath(__file__))
    function_dir = os.environ.get("STOKE_FUNCTION_DIR") or os.path.join(here, "function")
    port = env_int("PORT", 8080)
    concurrency = env_int("STOKE_CONCURRENCY", 0)
    if concurrency < 0:
        sys.exit(f"stoke: STOKE_CONCURRENCY={concurrency} must be >= 0 (0 = unlimited)")

    try:
        handler = load_handler(function_dir, spec)
    except BaseException as exc:  # noqa: BLE001 - report any import-time failure, then exit
        traceback.print_exc(file=sys.stderr)
        print(f"stoke: cannot load handler '{spec}' of function '{name}' from {function_dir}: "
              f"{type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        sys.exit(LOAD_FAILURE_EXIT)

    runtime = Runtime(name, handler, concurrency)
    server = Server(("0.0.0.0", port), type("BoundHandler", (RequestHandler,), {"runtime": runtime}))

    def drain(signum, _frame):
        if runtime.draining.is_set():
            return
        runtime.draining.set()
        print(f"stoke: {signal.Signals(signum).name} received, draining", file=sys.stderr, flush=True)
        # shutdown() waits for serve_forever() to return, so it must run on another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, drain)
    signal.signal(signal.SIGINT, drain)
    print(f"stoke: function '{name}' ({spec}) listening on 0.0.0.0:{port}, "
          f"concurrency {concurrency or 'unlimited'}", file=sys.stderr, flush=True)
    server.serve_forever(poll_interval=0.1)
    server.socket.close()  # Stop accepting before waiting for in-flight requests.
    runtime.close_idle_connections()
    server.server_close()
    print("stoke: drained, exiting", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
