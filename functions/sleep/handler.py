"""sleep: waits ?ms= milliseconds (default 100, at most 600000), then reports how long it slept."""

import time

DEFAULT_MS = 100
MAX_MS = 600_000


def handle(request):
    raw = request.query.get("ms", "")
    try:
        ms = int(raw) if raw else DEFAULT_MS
    except ValueError:
        return 400, {"error": f"ms={raw!r} is not an integer", "status": 400}
    ms = max(0, min(ms, MAX_MS))
    started = time.monotonic()
    time.sleep(ms / 1000)
    return {"slept_ms": ms, "elapsed_ms": round((time.monotonic() - started) * 1000, 1)}
