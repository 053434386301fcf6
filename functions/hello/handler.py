"""hello: the smallest Stoke function."""


def handle(request):
    return {"Hello": "World"}
