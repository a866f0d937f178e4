"""Korean search: analysed terms and syllable bigrams indexed beside the original text.

- ``document``: what is indexed for an article (title terms, lead terms, bigrams);
- ``indexer``: articles → documents (Kiwi on title + lead, bigrams on the rest);
- ``query``: a reader's query → FTS5 / tsquery expression, always quoted;
- ``ranking``: relevance × recency;
- ``highlight``: safe <mark> of matches;

- ``engine``: a query → one page of ranked posts (over ``store/search.py``'s candidates).

The rows of the index are stored and matched by ``store/search.py``.
"""

from ranknews.search.indexer import Indexer
from ranknews.search.query import ParsedQuery, parse_query

__all__ = ["Indexer", "ParsedQuery", "parse_query"]
