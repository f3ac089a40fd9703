"""The edge of sharekg: settings and the command line (the HTTP service comes with the API issue)."""

from api.settings import Settings

__all__ = ["Settings"]
