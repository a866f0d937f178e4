"""One module of routes per feature; each exposes ``routes`` for ``web.app`` to include."""
