"""The HTTP routes, one module per area; ``api.app`` includes them."""
