"""The web UI (`grimoire serve`): pages and their JSON twins over the Python API."""

from grimoire.web.app import create_app
from grimoire.web.security import Guard, is_loopback
from grimoire.web.site import Settings

__all__ = ["Guard", "Settings", "create_app", "is_loopback"]
