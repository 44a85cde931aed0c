"""One order for the two test runners (tools/nbtest.py's notebooks, tests/conftest.py's test files): the slowest first.

Each runner hands out work in order to a few workers; one long piece started last keeps the run going alone long
after the rest has finished. Each keeps its own measured list of names, longest first.
"""
from typing import Callable


def slowest_first(items: list, slowest: tuple, name: Callable) -> list:
    "`items` with those whose `name(item)` is in `slowest` first, in that order; the rest as they were"
    rank = {n: i for i, n in enumerate(slowest)}
    return sorted(items, key=lambda item: rank.get(name(item), len(slowest)))
