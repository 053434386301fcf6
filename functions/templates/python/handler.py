"""A Stoke function. Edit handle(); `request` has .method, .path, .query, .query_all,
.headers (case-insensitive), .body (bytes), .text and .json().

Return a str, bytes, a dict or list (sent as JSON), or a tuple (status, body[, headers]).
Add third-party packages to requirements.txt next to this file.
"""


def handle(request):
    name = request.query.get("name", "World")
    return {"Hello": name}
