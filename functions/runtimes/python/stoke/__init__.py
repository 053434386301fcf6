"""Stoke's Python SDK: ``from stoke import state`` reaches the function's state service."""
