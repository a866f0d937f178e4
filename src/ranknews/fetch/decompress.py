"""Decompressing a response body without ever holding more than the limit.

httpx decodes gzip, deflate and brotli chunk by chunk, but each network chunk is inflated
whole: 64 KB of gzipped zeros become 64 MB before anyone can count them, so a 2 MB "bomb"
cost about 200 MB. ``BoundedDecoder`` asks zlib and brotli for at most the bytes still
allowed (``max_length``, ``output_buffer_limit``) and stops at the limit, so memory stays
within ``fetch_max_bytes`` plus one step, whatever the ratio.
"""

from __future__ import annotations

import zlib

import brotli


class TooLarge(Exception):
    """The decompressed body would pass the limit."""


class BoundedDecoder:
    def __init__(self, content_encoding: str, limit: int) -> None:
        self.encoding = content_encoding.strip().lower()
        self.limit = limit
        self.size = 0
        self._first = True
        if self.encoding == "gzip" or self.encoding == "x-gzip":
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.encoding == "deflate":
            self._zlib = zlib.decompressobj()
        elif self.encoding == "br":
            self._brotli = brotli.Decompressor()
        elif self.encoding not in ("", "identity"):
            raise ValueError(f"unsupported Content-Encoding: {content_encoding[:40]}")

    def feed(self, data: bytes) -> bytes:
        """The decompressed bytes of ``data``; TooLarge past the limit."""
        if self.encoding in ("", "identity"):
            return self._count(data)
        if self.encoding == "br":
            return self._brotli_feed(data)
        return self._zlib_feed(data)

    def _zlib_feed(self, data: bytes) -> bytes:
        out: list[bytes] = []
        while data:
            try:
                chunk = self._zlib.decompress(data, self._room())
            except zlib.error:
                if not (self.encoding == "deflate" and self._first):
                    raise
                # "deflate" is sometimes sent raw, without the zlib header (as httpx allows)
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                chunk = self._zlib.decompress(data, self._room())
            self._first = False
            out.append(self._count(chunk))
            data = self._zlib.unconsumed_tail
            if self._zlib.eof:
                break
        return b"".join(out)

    def _brotli_feed(self, data: bytes) -> bytes:
        out = [self._count(self._brotli.process(data, output_buffer_limit=self._room()))]
        while not self._brotli.can_accept_more_data():
            out.append(self._count(self._brotli.process(b"", output_buffer_limit=self._room())))
        return b"".join(out)

    def _room(self) -> int:
        return self.limit - self.size + 1  # one byte more than allowed tells "too large"

    def _count(self, chunk: bytes) -> bytes:
        self.size += len(chunk)
        if self.size > self.limit:
            raise TooLarge(self.size)
        return chunk
