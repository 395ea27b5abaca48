"""The blob store port on an S3-compatible bucket (AWS S3, MinIO, Ceph, R2, ...)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import threading
from typing import Any

from jobpilot.adapters.blob_local import validate_key
from jobpilot.kit.ports import Blob

_MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
_BUCKET_MISSING_CODES = frozenset({"NoSuchBucket", "404", "NotFound"})
_BUCKET_OWNED_CODES = frozenset({"BucketAlreadyOwnedByYou"})


def _error_code(exc: Exception) -> str:
    response: Any = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


class S3BlobStore:
    """Blobs as objects in one bucket; boto3's blocking calls run in worker threads.

    Empty credentials fall back to boto3's own chain (environment, instance or pod role).
    Keys follow the same rules as LocalBlobStore, so code cannot rely on keys only S3 takes.
    """

    def __init__(
        self,
        endpoint_url: str,
        bucket: str,
        region: str,
        access_key_id: str,
        secret_access_key: str,
    ) -> None:
        self._endpoint_url = endpoint_url or None
        self._bucket = bucket
        self._region = region or "us-east-1"
        self._access_key_id = access_key_id or None
        self._secret_access_key = secret_access_key or None
        self._client_obj: Any = None
        self._client_lock = threading.Lock()

    def __repr__(self) -> str:
        # Never the secret, nor the key id.
        return f"S3BlobStore(endpoint_url={self._endpoint_url!r}, bucket={self._bucket!r})"

    @property
    def bucket(self) -> str:
        """The bucket holding the blobs."""
        return self._bucket

    def _client(self) -> Any:
        # Called from worker threads; boto3 clients are thread-safe once built, sessions not.
        with self._client_lock:
            if self._client_obj is None:
                import boto3
                from botocore.config import Config

                config = Config(
                    region_name=self._region,
                    signature_version="s3v4",
                    s3={"addressing_style": "path"},
                    connect_timeout=5,
                    read_timeout=30,
                    retries={"max_attempts": 3, "mode": "standard"},
                    # Many S3-compatible servers reject the newer default checksum headers.
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required",
                )
                session = boto3.session.Session()
                self._client_obj = session.client(
                    "s3",
                    endpoint_url=self._endpoint_url,
                    region_name=self._region,
                    aws_access_key_id=self._access_key_id,
                    aws_secret_access_key=self._secret_access_key,
                    config=config,
                )
            return self._client_obj

    async def put(self, key: str, data: bytes, content_type: str) -> str:
        """Store `data` under `key` (replacing it atomically); return its etag."""
        validate_key(key)
        return await asyncio.to_thread(self._put_sync, key, bytes(data), content_type)

    def _put_sync(self, key: str, data: bytes, content_type: str) -> str:
        # Content-MD5 lets the server refuse bytes damaged on the way (every S3 clone knows it).
        digest = hashlib.md5(data, usedforsecurity=False).digest()
        response = self._client().put_object(
            Bucket=self._bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            ContentMD5=base64.b64encode(digest).decode("ascii"),
        )
        return str(response["ETag"]).strip('"')

    async def get(self, key: str) -> Blob | None:
        """The blob under `key`, or None."""
        validate_key(key)
        return await asyncio.to_thread(self._get_sync, key)

    def _get_sync(self, key: str) -> Blob | None:
        from botocore.exceptions import ClientError

        try:
            response = self._client().get_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if _error_code(exc) in _MISSING_CODES:
                return None
            raise
        body = response["Body"]
        try:
            data = body.read()
        finally:
            body.close()
        return Blob(
            data=data,
            content_type=str(response.get("ContentType") or "application/octet-stream"),
            etag=str(response.get("ETag", "")).strip('"'),
        )

    async def delete(self, key: str) -> None:
        """Remove `key` (absent keys are fine)."""
        validate_key(key)
        await asyncio.to_thread(self._delete_sync, key)

    def _delete_sync(self, key: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self._client().delete_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            # S3 answers 204 for absent keys; some compatible servers answer 404.
            if _error_code(exc) not in _MISSING_CODES:
                raise

    async def ensure_bucket(self) -> None:
        """Create the bucket when it does not exist (for development and tests)."""
        await asyncio.to_thread(self._ensure_bucket_sync)

    def _ensure_bucket_sync(self) -> None:
        from botocore.exceptions import ClientError

        client = self._client()
        try:
            client.head_bucket(Bucket=self._bucket)
        except ClientError as exc:
            if _error_code(exc) not in _BUCKET_MISSING_CODES:
                raise
        else:
            return
        kwargs: dict[str, Any] = {"Bucket": self._bucket}
        if self._region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self._region}
        try:
            client.create_bucket(**kwargs)
        except ClientError as exc:
            if _error_code(exc) not in _BUCKET_OWNED_CODES:
                raise

    async def close(self) -> None:
        """Release the client's connections."""
        await asyncio.to_thread(self._close_sync)

    def _close_sync(self) -> None:
        with self._client_lock:
            client, self._client_obj = self._client_obj, None
        if client is not None:
            client.close()
