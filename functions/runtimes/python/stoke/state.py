"""State and coordination for a Stoke function, over the Unix socket named by STOKE_STATE_SOCKET.

Standard library only (HTTP/1.1 over AF_UNIX, one keep-alive connection per thread). The socket names the function: there is no key
or address to configure. Errors raise StateError with the service's code (NoKey, BadVersion,
NodeExists, NoNode, SessionExpired, ...); see docs/STATE.md.
"""

import json
import os
import select
import socket
import threading
import time

_SOCKET_ENV = "STOKE_STATE_SOCKET"


class StateError(Exception):
    """An error answer: ``code`` (e.g. BadVersion), ``status`` and the whole JSON ``body``."""

    def __init__(self, body):
        super().__init__("%s: %s" % (body.get("error"), body.get("message", body)))
        self.code = body.get("error")
        self.status = body.get("status")
        self.body = body


class _UnixConnection:
    """A lean HTTP/1.1 client over AF_UNIX: the service always answers with Content-Length, so a
    request is one prebuilt write and an answer a status line, headers and a counted body
    (http.client's header parsing cost more than the whole round trip to the service)."""

    def __init__(self, path):
        self.path = path
        self.sock = None
        self._in = None

    def open(self, timeout):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(self.path)
        self.sock, self._in = sock, sock.makefile("rb")

    def close(self):
        if self.sock is not None:
            self._in.close()
            self.sock.close()
        self.sock = self._in = None

    def send(self, op, payload):
        self.sock.sendall(b"POST /v1/%s HTTP/1.1\r\nHost: state\r\nContent-Type: application/json"
                          b"\r\nContent-Length: %d\r\n\r\n%s" % (op.encode("ascii"), len(payload), payload))

    def receive(self):
        status_line = self._in.readline(65537)
        if not status_line:
            raise ConnectionResetError("the state service closed the connection")
        parts = status_line.split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
            raise OSError("not an HTTP answer: %r" % status_line[:100])
        status, length, close = int(parts[1]), None, False
        while True:
            line = self._in.readline(65537)
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        body = self._in.read(length) if length is not None else self._in.read()
        if length is None or close:
            self.close()
        return status, body


# One keep-alive connection per thread (and per process: a forked child must not share its
# parent's socket). A new connection per call cost a connect plus a fresh server channel each time.
_local = threading.local()


def _connection(path):
    conn = getattr(_local, "conn", None)
    if conn is None or conn.path != path or getattr(_local, "pid", None) != os.getpid():
        conn = _UnixConnection(path)
        _local.conn, _local.pid = conn, os.getpid()
    elif conn.sock is not None and select.select([conn.sock], [], [], 0)[0]:
        # An idle keep-alive connection that is readable was closed by the service (a restart):
        # open a new one rather than send into it.
        conn.close()
    return conn


def _call(op, body, timeout=70.0, socket_path=None):
    path = socket_path or os.environ.get(_SOCKET_ENV)
    if not path:
        raise StateError({"error": "NoSocket", "message": _SOCKET_ENV + " is not set"})
    payload = json.dumps(body).encode("utf-8")
    conn = _connection(path)
    try:
        if conn.sock is None:
            conn.open(timeout)
        else:
            conn.sock.settimeout(timeout)
        try:
            conn.send(op, payload)
        except (BrokenPipeError, ConnectionResetError):
            # Refused while sending (the service went away after the check above): nothing
            # reached it, so sending once more on a new connection cannot apply it twice.
            conn.close()
            conn.open(timeout)
            conn.send(op, payload)
        status, raw = conn.receive()
        answer = json.loads(raw or b"{}")
    except BaseException:
        # A failed exchange leaves the connection in an unknown state: never reuse it.
        conn.close()
        raise
    if status != 200:
        raise StateError(answer)
    return answer


# ---- key-value state ------------------------------------------------------------------------

def get(key):
    """(value, version) of key, or None when it does not exist."""
    try:
        answer = _call("kv/get", {"key": key})
    except StateError as e:
        if e.code == "NoKey":
            return None
        raise
    return answer["value"], answer["version"]


def put(key, value, ttl_ms=None):
    """Sets key to value (a string); returns the new version."""
    body = {"key": key, "value": value}
    if ttl_ms:
        body["ttlMs"] = ttl_ms
    return _call("kv/put", body)["version"]


def cas(key, value, version, ttl_ms=None):
    """Sets key only if its version is ``version`` (0 = absent): the new version, or None."""
    body = {"key": key, "value": value, "ifVersion": version}
    if ttl_ms:
        body["ttlMs"] = ttl_ms
    try:
        return _call("kv/cas", body)["version"]
    except StateError as e:
        if e.code == "BadVersion":
            return None
        raise


def incr(key, delta=1):
    """Adds delta to the integer at key (absent = 0); returns the new value."""
    return int(_call("kv/incr", {"key": key, "delta": delta})["value"])


def delete(key, version=None):
    """Deletes key (only at ``version`` when given); False when it did not exist."""
    body = {"key": key}
    if version is not None:
        body["ifVersion"] = version
    try:
        _call("kv/delete", body)
        return True
    except StateError as e:
        if e.code == "NoKey":
            return False
        raise


def list(prefix="", page=100):
    """Yields (key, value, version) of every key starting with prefix, in byte order."""
    after = ""
    while True:
        answer = _call("kv/list", {"prefix": prefix, "after": after, "limit": page})
        for item in answer["items"]:
            yield item["key"], item["value"], item["version"]
        after = answer["next"]
        if not after:
            return


# ---- coordination ---------------------------------------------------------------------------

def create(path, data="", mode="persistent", session=None):
    """Creates a node; returns its path (with the suffix of a sequential node)."""
    body = {"path": path, "data": data, "mode": mode}
    if session is not None:
        body["session"] = session.id
    return _call("coord/create", body)["path"]


def get_node(path, watch=None):
    """(data, stat) of a node; ``watch`` = a Session sets a one-shot data watch on it."""
    answer = _call("coord/get", _watched({"path": path}, watch))
    return answer["data"], answer["stat"]


def set_node(path, data, version=-1):
    """Sets a node's data (only at ``version`` unless -1); returns its new stat."""
    return _call("coord/set", {"path": path, "data": data, "version": version})["stat"]


def delete_node(path, version=-1):
    _call("coord/delete", {"path": path, "version": version})


def exists(path, watch=None):
    """The node's stat, or None; ``watch`` sets a data watch (fires on creation too)."""
    answer = _call("coord/exists", _watched({"path": path}, watch))
    return answer.get("stat") if answer["exists"] else None


def children(path, watch=None):
    """The node's child names in byte order; ``watch`` sets a one-shot children watch."""
    return _call("coord/children", _watched({"path": path}, watch))["children"]


def multi(ops, session=None):
    """Applies create/set/delete/check ops (dicts) all together or not at all."""
    body = {"ops": ops}
    if session is not None:
        body["session"] = session.id
    return _call("coord/multi", body)["results"]


def _watched(body, watch):
    if watch is not None:
        body["watch"] = watch.id
    return body


class Session:
    """A coordination session: kept alive by a background poller that also delivers watch events.

    Events go to ``on_event`` (a callback, called on the poller thread) when given, else they
    queue for ``wait_event``. The poller stops when the session closes or expires; an expired
    session delivers one ``SessionExpired`` event.
    """

    def __init__(self, timeout_ms=10000, on_event=None):
        answer = _call("sessions/open", {"timeoutMs": timeout_ms})
        self.id = answer["session"]
        self.timeout_ms = answer["timeoutMs"]
        self._on_event = on_event
        self._events = []
        self._cond = threading.Condition()
        self._closed = False
        self._poller = threading.Thread(target=self._poll, name="stoke-session", daemon=True)
        self._poller.start()

    def _poll(self):
        after = 0
        wait = max(100, self.timeout_ms // 3)
        while not self._closed:
            try:
                answer = _call("sessions/events", {"session": self.id, "after": after, "waitMs": wait})
            except (StateError, OSError) as e:
                if isinstance(e, StateError) and e.code in ("NoSession", "SessionExpired"):
                    self._deliver({"type": "SessionExpired"})
                    return
                time.sleep(0.2)  # the service is restarting: retry, gently
                continue
            for event in answer["events"]:
                after = event["seq"]
                self._deliver(event)
            if answer.get("state") != "open":
                return

    def _deliver(self, event):
        if self._on_event is not None:
            self._on_event(event)
        with self._cond:
            if self._on_event is None:
                self._events.append(event)
            self._cond.notify_all()

    def wait_event(self, timeout=None):
        """The next watch event (a dict with type, path, zxid), or None after ``timeout`` s."""
        with self._cond:
            self._cond.wait_for(lambda: self._events, timeout)
            return self._events.pop(0) if self._events else None

    def close(self):
        self._closed = True
        try:
            _call("sessions/close", {"session": self.id})
        except StateError as e:
            if e.code not in ("NoSession", "SessionExpired"):
                raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _ensure_path(path):
    node = ""
    for part in path.strip("/").split("/"):
        node += "/" + part
        try:
            create(node)
        except StateError as e:
            if e.code != "NodeExists":
                raise


class Lock:
    """ZooKeeper's lock recipe: an ephemeral-sequential node; the lowest holds the lock, each
    waiter watches only its predecessor (no herd). The lock is lost if the session expires."""

    def __init__(self, path, session):
        self.path = path.rstrip("/")
        self.session = session
        self.node = None

    def acquire(self, timeout=None):
        _ensure_path(self.path)
        self.node = create(self.path + "/lock-", mode="ephemeral_sequential", session=self.session)
        if self._await_first(timeout):
            return True
        self.release()  # gave up: leave the queue so the next waiter is not stuck behind us
        return False

    def _await_first(self, timeout):
        me = self.node.rsplit("/", 1)[1]
        while True:
            names = sorted(children(self.path))
            if me not in names:
                raise StateError({"error": "SessionExpired", "message": "the lock node is gone"})
            index = names.index(me)
            if index == 0:
                return True
            predecessor = self.path + "/" + names[index - 1]
            waiter = Session(timeout_ms=self.session.timeout_ms)
            try:
                if exists(predecessor, watch=waiter) is not None:
                    if waiter.wait_event(timeout) is None:
                        return False
            finally:
                waiter.close()

    def release(self):
        if self.node is not None:
            try:
                delete_node(self.node)
            except StateError as e:
                if e.code != "NoNode":
                    raise
            self.node = None

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()


class Election:
    """Leader election: every candidate holds an ephemeral-sequential node; the lowest leads.
    ``wait_for_leadership`` blocks until this candidate leads (its predecessors are gone)."""

    def __init__(self, path, session, identity=""):
        self._lock = Lock(path, session)
        self.identity = identity

    def volunteer(self):
        _ensure_path(self._lock.path)
        self._lock.node = create(
            self._lock.path + "/lock-", data=self.identity, mode="ephemeral_sequential",
            session=self._lock.session)

    def wait_for_leadership(self, timeout=None):
        return self._lock._await_first(timeout)

    def leader(self):
        """The identity of the current leader, or None when there is no candidate."""
        names = sorted(children(self._lock.path))
        return get_node(self._lock.path + "/" + names[0])[0] if names else None

    def resign(self):
        self._lock.release()
