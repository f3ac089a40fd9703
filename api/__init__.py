"""The edge of sharekg: settings, the HTTP service (``create_app``) and the command line (``api.cli``)."""

from api.settings import Settings

__all__ = ["Settings"]
