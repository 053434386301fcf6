"""Test handler for the runtime contract: fails on /boom, sleeps ?ms= and reports when it ran."""

import sys
import time


def handle(request):
    if request.path == "/boom":
        raise ValueError("boom")
    started = time.time()
    print(f"contract: started {request.path}", file=sys.stderr, flush=True)
    time.sleep(int(request.query.get("ms", "0")) / 1000)
    return {"path": request.path, "started": int(started * 1000), "ended": int(time.time() * 1000)}
