"""The blob store port on a local directory (the embedded mode)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

from jobpilot.kit.ports import Blob

MAX_KEY_LENGTH = 1024
MAX_SEGMENT_LENGTH = 200
DEFAULT_CONTENT_TYPE = "application/octet-stream"


def validate_key(key: str) -> tuple[str, ...]:
    """The segments of `key`; ValueError when it could name a path outside the store.

    Keys are relative, `/`-separated names such as `avatars/<uuid>/256.webp`. Refused: empty
    keys, absolute keys, backslashes, empty, `.` or `..` segments, segments starting with a
    dot (the store keeps its temporary and metadata files under such names) and control
    characters. S3BlobStore applies the same rules, so a key that works on one store works
    on the other.
    """
    if not isinstance(key, str) or not key:
        msg = "a blob key must be a non-empty string"
        raise ValueError(msg)
    if len(key) > MAX_KEY_LENGTH:
        msg = f"a blob key must be at most {MAX_KEY_LENGTH} characters"
        raise ValueError(msg)
    if "\\" in key or any(ord(ch) < 32 or ord(ch) == 127 for ch in key):
        msg = f"blob key {key!r} contains a backslash or a control character"
        raise ValueError(msg)
    if key.startswith("/"):
        msg = f"blob key {key!r} must be relative"
        raise ValueError(msg)
    segments = tuple(key.split("/"))
    for segment in segments:
        if not segment or segment.startswith(".") or len(segment) > MAX_SEGMENT_LENGTH:
            msg = f"blob key {key!r} has an empty, dot-led or overlong segment"
            raise ValueError(msg)
    return segments


def _etag(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible (nor needed) on every platform.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so readers see the old or the new bytes, never a mix."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


class LocalBlobStore:
    """Blobs as plain files under `root`, each with its content type in a hidden sidecar file.

    The bytes and the sidecar are each replaced atomically; the sidecar is written first, so a
    new key is never readable without its content type. File I/O runs in worker threads.
    """

    def __init__(self, root: Path) -> None:
        self._root = Path(root).resolve()

    @property
    def root(self) -> Path:
        """The directory holding the blobs."""
        return self._root

    def __repr__(self) -> str:
        return f"LocalBlobStore(root={str(self._root)!r})"

    def _paths(self, key: str) -> tuple[Path, Path]:
        segments = validate_key(key)
        path = self._root.joinpath(*segments)
        # Defence in depth: the checks above already rule out escaping the root.
        if os.path.commonpath([self._root, path]) != str(self._root):
            msg = f"blob key {key!r} escapes the store"
            raise ValueError(msg)
        return path, path.with_name(f".{path.name}.meta")

    async def put(self, key: str, data: bytes, content_type: str) -> str:
        """Store `data` under `key` (replacing it atomically); return its etag."""
        path, meta = self._paths(key)
        meta_bytes = json.dumps({"content_type": content_type}).encode()
        return await asyncio.to_thread(self._put_sync, path, meta, bytes(data), meta_bytes)

    def _put_sync(self, path: Path, meta: Path, data: bytes, meta_bytes: bytes) -> str:
        for attempt in range(3):
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                _write_atomically(meta, meta_bytes)
                _write_atomically(path, data)
            except FileNotFoundError:
                # A concurrent delete pruned the (then empty) directory; make it again.
                if attempt == 2:
                    raise
                continue
            _fsync_dir(path.parent)
            break
        return _etag(data)

    async def get(self, key: str) -> Blob | None:
        """The blob under `key`, or None."""
        path, meta = self._paths(key)
        return await asyncio.to_thread(self._get_sync, path, meta)

    @staticmethod
    def _get_sync(path: Path, meta: Path) -> Blob | None:
        try:
            data = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None
        content_type = DEFAULT_CONTENT_TYPE
        try:
            stored = json.loads(meta.read_bytes())
        except (OSError, ValueError):
            stored = None
        if isinstance(stored, dict) and isinstance(stored.get("content_type"), str):
            content_type = stored["content_type"]
        return Blob(data=data, content_type=content_type, etag=_etag(data))

    async def delete(self, key: str) -> None:
        """Remove `key` (absent keys are fine)."""
        path, meta = self._paths(key)
        await asyncio.to_thread(self._delete_sync, path, meta)

    def _delete_sync(self, path: Path, meta: Path) -> None:
        for target in (path, meta):
            with contextlib.suppress(FileNotFoundError, NotADirectoryError, IsADirectoryError):
                target.unlink()
        # Prune directories left empty (one per user for avatars), never the root itself.
        parent = path.parent
        while parent != self._root and self._root in parent.parents:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
