"""A source as the crawler sees it: one feed of one outlet, with its state and health
(``models.Source``; what one crawl learnt of it: ``models.SourceUpdate``)."""

from ranknews.models import Source, SourceUpdate

__all__ = ["Source", "SourceUpdate"]
