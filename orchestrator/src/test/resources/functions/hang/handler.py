"""hang: answers like any function until a request to /hang hangs the whole process.

It keeps running and keeps its port open, but nothing answers any more, not even /_/ready: the
kind of fault only a liveness check finds, since Docker sees a running container.
"""

import ctypes


def handle(request):
    if request.path == "/hang":
        # A PyDLL call keeps the interpreter lock: every thread, the accept loop too, stops here,
        # without spending CPU.
        ctypes.PyDLL(None).pause()
    return {"alive": True}
