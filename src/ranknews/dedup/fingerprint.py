"""Keys under which a post is found again when its article comes back changed.

- ``u:`` the normalized URL and canonical URL (tracking, mobile, AMP removed);
- ``c:`` outlet + hash of the body's characters (spacing and punctuation ignored), for the
  same article under an address normalisation does not catch; only for bodies long enough
  to be an article (a caption or an empty body would join unrelated posts);
- ``t:`` outlet + headline without its labels: the key of updated versions ((종합), 2보,
  수정, 업데이트). A headline is not unique (outlets reuse "[포토] 오늘의 날씨"), so this key
  only proposes a match; ``same_post`` decides.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

from ranknews.dedup.urls import normalize_url
from ranknews.dedup.wire import containment, shingles
from ranknews.models import Article

MIN_BODY_CHARS = 200  # below this a body hash would match unrelated short posts
UPDATE_GAP = timedelta(days=3)  # an update comes out within days of the first version
UPDATE_CONTAINMENT = 0.5  # without an update label, half the body must be the same
UPDATE_LABELLED_CONTAINMENT = 0.2
_UPDATE_TAG = re.compile(r"^(종합|\d*보|종합\d*보|상보|수정|업데이트|갱신)$")
_FLAT = re.compile(r"[\W_]+")  # everything but letters and digits, whitespace included


def _outlet(article: Article) -> str:
    return (article.outlet_domain or article.outlet).lower().removeprefix("www.")


def flatten(text: str) -> str:
    """Letters and digits only: the text as a copy keeps it through re-spacing and
    re-punctuation. Every whitespace character is ``\\W`` (checked over all code points in
    tests/test_dedup.py), so removing the plain spaces first (in C, a fifth of a body's
    characters) changes nothing but the regex's work."""
    return _FLAT.sub("", text.replace(" ", ""))


def body_fingerprint(text: str) -> str | None:
    flat = flatten(text)
    if len(flat) < MIN_BODY_CHARS:
        return None
    return hashlib.sha1(flat.encode("utf-8")).hexdigest()


def title_key(article: Article) -> str | None:
    flat = flatten(article.title).lower()
    return f"t:{_outlet(article)}:{flat}" if len(flat) >= 4 else None


def article_keys(article: Article) -> list[str]:
    """Every key of this article, strongest first."""
    keys = [f"u:{normalize_url(u)}" for u in (article.url, article.canonical_url) if u]
    body = body_fingerprint(article.text)
    if body:
        keys.append(f"c:{_outlet(article)}:{body}")
    title = title_key(article)
    if title:
        keys.append(title)
    return list(dict.fromkeys(keys))


def within_update_gap(new: datetime | None, old: datetime | None) -> bool:
    """Whether two versions published at these times may be one post updated: within
    ``UPDATE_GAP``, or a time is unknown."""
    return new is None or old is None or abs(new - old) <= UPDATE_GAP


def is_update(article: Article) -> bool:
    return any(_UPDATE_TAG.match(tag) for tag in article.tags)


def same_post(new: Article, old: Article) -> bool:
    """Whether ``new`` (found by its headline key) is an updated version of ``old``.

    Same outlet and headline, within ``UPDATE_GAP``, and either labelled as an update or
    sharing half its body. Two different stories with one headline (the conflict traps)
    differ in body, so they stay two posts.
    """
    if _outlet(new) != _outlet(old) or title_key(new) != title_key(old):
        return False
    if not within_update_gap(new.published_at, old.published_at):
        return False
    if not new.text or not old.text:
        return is_update(new)  # headline-only: only an explicit update label decides
    overlap = containment(shingles(new.text), shingles(old.text))
    # a labelled update may rewrite most of the text; it still keeps some of it
    return overlap >= (UPDATE_LABELLED_CONTAINMENT if is_update(new) else UPDATE_CONTAINMENT)
