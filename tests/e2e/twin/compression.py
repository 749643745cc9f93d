"""Gateway transport compression, as requested by ``?compress=`` in the URL.

discord.py asks for ``zlib-stream`` (or ``zstd-stream`` when it can import a
zstd decoder) and decodes one continuous stream per connection, treating a
frame that ends in ``00 00 ff ff`` as the end of a payload.
"""

from __future__ import annotations

import zlib
from typing import Protocol


class UnsupportedCompression(Exception):
    """The client asked for a compression the twin cannot produce."""


class StreamCompressor(Protocol):
    def compress(self, data: bytes) -> bytes: ...


class ZlibStreamCompressor:
    """One zlib stream per connection; every payload is flushed with Z_SYNC_FLUSH."""

    def __init__(self) -> None:
        self._obj = zlib.compressobj()

    def compress(self, data: bytes) -> bytes:
        return self._obj.compress(data) + self._obj.flush(zlib.Z_SYNC_FLUSH)


class ZstdStreamCompressor:
    """One zstd stream per connection; every payload is flushed as a complete block."""

    def __init__(self) -> None:
        import zstandard  # type: ignore[import-not-found]

        self._zstd = zstandard
        self._obj = zstandard.ZstdCompressor().compressobj()

    def compress(self, data: bytes) -> bytes:
        return self._obj.compress(data) + self._obj.flush(self._zstd.COMPRESSOBJ_FLUSH_BLOCK)


def make_compressor(kind: str | None) -> StreamCompressor | None:
    if not kind:
        return None
    if kind == "zlib-stream":
        return ZlibStreamCompressor()
    if kind == "zstd-stream":
        try:
            return ZstdStreamCompressor()
        except ImportError as exc:
            raise UnsupportedCompression(
                "zstd-stream requested but the 'zstandard' package is not importable in the twin"
            ) from exc
    raise UnsupportedCompression(f"unknown compression {kind!r}")
