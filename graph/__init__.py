"""The graph: its store (``graph.store``), matching (``graph.search``), resource centres' analytics
(``graph.centre``), the contest domain (``graph.contest``), network analytics (``graph.analytics``) and measuring
matching (``graph.evaluation``), each a wing whose ``__init__`` says what others may use; and the one exception tree
(``graph.errors``) they all raise from. ``docs/architecture.md`` draws the layers and which may import which."""

from graph.errors import (
    ConfigurationError,
    InputError,
    MatchError,
    RecordError,
    SharekgError,
    ShrinkRefusal,
    StoreError,
    StrictModeRejection,
)

__all__ = [
    "ConfigurationError",
    "InputError",
    "MatchError",
    "RecordError",
    "SharekgError",
    "ShrinkRefusal",
    "StoreError",
    "StrictModeRejection",
]
