"""Test handler that cannot be loaded."""

raise ImportError("this handler is broken on purpose")
