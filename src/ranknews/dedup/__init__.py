"""Duplicates: the same article under another URL, updated versions, and wire copies."""

from ranknews.dedup.fingerprint import article_keys, body_fingerprint, same_post
from ranknews.dedup.urls import normalize_url
from ranknews.dedup.wire import WIRE_OUTLETS, containment, is_wire, shingles

__all__ = ["WIRE_OUTLETS", "article_keys", "body_fingerprint", "containment", "is_wire",
           "normalize_url", "same_post", "shingles"]
