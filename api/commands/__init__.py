"""The ``sharekg`` commands, one module per area; ``api.cli`` puts them in one group."""
