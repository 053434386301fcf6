"""slow-start: takes seconds to import, like a function loading a large model.

The runtime installs its SIGTERM handler only after the handler module is loaded, so a SIGTERM
during the import is ignored (the runtime is PID 1 in its container).
"""

import time

time.sleep(8)


def handle(request):
    return {"started": True}
