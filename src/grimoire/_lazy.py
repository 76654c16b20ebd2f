"""Names a package exposes but imports on first use (cold start, issue 14).

A package's `__init__` lists each name with the module that defines it and sets
`__getattr__, __dir__ = lazy_names(__name__, table)`; type checkers read the same names from
an `if TYPE_CHECKING:` import beside the table.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(
    package: str, table: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module `__getattr__` and `__dir__` that import `table[name]` on first use and keep
    the value in the package's namespace."""
    namespace = sys.modules[package].__dict__

    def getattr_(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return sorted({*namespace, *table})

    return getattr_, dir_
