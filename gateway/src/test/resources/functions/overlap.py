"""overlap: sleeps ?ms= milliseconds and reports how many requests ran at once on this process."""

import os
import threading
import time

_lock = threading.Lock()
_running = 0
_most = 0


def handle(request):
    global _running, _most
    with _lock:
        _running += 1
        _most = max(_most, _running)
        seen = _running
    try:
        time.sleep(int(request.query.get("ms", "100")) / 1000)
    finally:
        with _lock:
            _running -= 1
    return {"concurrent": seen, "most": _most, "instance": os.environ.get("STOKE_INSTANCE", "")}
