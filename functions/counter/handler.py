"""counter: a page-hit counter whose count lives in the state service, so it survives scale to zero.

The key is the request path, so /counter and /counter/about count apart. The state service is
reached through the function's own Unix socket (STOKE_STATE_SOCKET): no address, no credential.
"""

from stoke import state


def handle(request):
    page = request.path or "/"
    return {"page": page, "hits": state.incr("hits:" + page)}
