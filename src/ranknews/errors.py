"""Every exception ranknews raises on purpose lives here (as httpx keeps its own in one module).

Messages are in Korean: operators see them in the CLI and on the sources page.
"""


class RanknewsError(Exception):
    """Base class of all ranknews errors."""


class ConfigError(RanknewsError):
    """A setting has a value that cannot be used."""


class DatabaseError(RanknewsError):
    """The database cannot be opened or is not a ranknews database."""


class ForeignDatabaseError(DatabaseError):
    """The file is a database, but not one ranknews created."""


class InvalidArticle(RanknewsError):
    """An article record is missing required fields or has malformed values."""


class NotFound(RanknewsError):
    """A requested post does not exist or is hidden."""


class FetchError(RanknewsError):
    """A remote resource could not be fetched; ``kind`` names the failure for metrics."""

    def __init__(self, message: str, *, url: str = "", kind: str = "fetch") -> None:
        super().__init__(message)
        self.url = url
        self.kind = kind


class ExtractionError(RanknewsError):
    """A page could not be turned into an article."""
