"""Test handler: fails on /boom, sleeps on ?ms=, echoes the path otherwise."""

import time


def handle(request):
    if request.path == "/boom":
        raise ValueError("boom")
    if "ms" in request.query:
        time.sleep(int(request.query["ms"]) / 1000)
    return {"path": request.path, "query": request.query, "body": request.text,
            "method": request.method, "header": request.headers.get("x-test")}
