"""The web UI (`grimoire serve`): pages and their JSON twins over the Python API.

The server's names are imported on first use: `export site` renders with the web's templates
and renderer (`web.render`) and never needs FastAPI, whose import was a third of its time."""

import typing as _typing

from grimoire._lazy import lazy_names as _lazy_names

if _typing.TYPE_CHECKING:
    from grimoire.web.app import create_app
    from grimoire.web.security import Guard, is_loopback
    from grimoire.web.site import Settings

_LAZY = {"create_app": "grimoire.web.app", "Guard": "grimoire.web.security",
         "is_loopback": "grimoire.web.security", "Settings": "grimoire.web.site"}

__getattr__, __dir__ = _lazy_names(__name__, _LAZY)

__all__ = ["Guard", "Settings", "create_app", "is_loopback"]
