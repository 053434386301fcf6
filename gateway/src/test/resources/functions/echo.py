"""echo: answers what it received (method, sub-path, query, headers, body) and who answered."""

import os


def handle(request):
    body = {
        "method": request.method,
        "path": request.path,
        "query": request.raw_query,
        "headers": {k.lower(): v for k, v in request.headers.items()},
        "body": request.text,
        "instance": os.environ.get("STOKE_INSTANCE", ""),
    }
    return 200, body, {"X-Echo": "1"}
