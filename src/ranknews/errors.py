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
    """A remote resource could not be fetched; ``kind`` names the failure for metrics.

    Kinds: timeout, connect, protocol, not_found, http_error, rate_limited, deferred,
    robots, too_large, redirect_loop, too_many_redirects, bad_url, blocked (an address
    that is not public), not_a_feed, extract, save, invalid.
    ``retry_after`` (seconds) is set when the server asked us to come back later.
    """

    def __init__(self, message: str, *, url: str = "", kind: str = "fetch",
                 status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.kind = kind
        self.status = status
        self.retry_after = retry_after


class SourceConfigError(ConfigError):
    """The sources file (sources.toml) cannot be read or has an invalid entry."""


class ExtractionError(RanknewsError):
    """A page could not be turned into an article."""


class NoArticleFound(ExtractionError):
    """The page holds no article: a list page, an error page, an empty shell."""
