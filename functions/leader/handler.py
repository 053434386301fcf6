"""leader: every instance of this function stands in one leader election in the state service.

The instances of a function are interchangeable replicas; a job that must run once (a cron-like
sweep, a singleton consumer) runs only in the instance that leads. Each instance volunteers with
its own session (an ephemeral-sequential node under /leader/election); the lowest node leads and,
when its instance stops (its session closes or expires), the next one leads. A request answers
who leads and whether this instance does; POST /resign makes this instance go to the back of the
queue. The leader's session is this process's: a scaled-to-zero function has no leader.
"""

import os
import socket
import threading

from stoke import state

ELECTION = "/leader/election"
IDENTITY = "%s/%d" % (socket.gethostname(), os.getpid())

_guard = threading.Lock()
_candidacy = {}


def _on_event(event):
    # The session ended (expired while the service was away): stand again on the next request.
    if event.get("type") in ("SessionExpired", "SessionClosed"):
        with _guard:
            _candidacy.clear()


def _election():
    with _guard:
        if not _candidacy:
            session = state.Session(timeout_ms=10000, on_event=_on_event)
            election = state.Election(ELECTION, session, IDENTITY)
            election.volunteer()
            _candidacy.update(session=session, election=election)
        return _candidacy["election"]


def handle(request):
    election = _election()
    if request.method == "POST" and request.path == "/resign":
        election.resign()
        election.volunteer()
    leader = election.leader()
    return {"instance": IDENTITY, "leader": leader, "leading": leader == IDENTITY}
