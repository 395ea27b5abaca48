"""One contract for every BlobStore adapter: a local directory and an S3-compatible server.

The S3 side runs against moto's S3 server on 127.0.0.1 (a real HTTP server speaking the S3
protocol), reached by the real boto3 client. While this module runs, sockets may only connect
to loopback, so neither boto3 nor moto can reach the internet (instance metadata included).
No third-party warning needed filtering here.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

from jobpilot.adapters.blob_local import LocalBlobStore
from jobpilot.adapters.blob_s3 import S3BlobStore
from jobpilot.kit.ports import BlobStore

ACCESS_KEY_ID = "testing-key-id"
SECRET = "testing-secret-do-not-show"
ESCAPING_KEYS = [
    "",
    "../outside",
    "avatars/../../outside",
    "avatars/./x",
    "/etc/passwd",
    "avatars\\..\\outside",
    "avatars//double",
    "avatars/",
    "avatars/.hidden",
    "avatars/x\x00y",
]


@pytest.fixture(scope="module")
def _loopback_only() -> Iterator[None]:
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            if host not in {"127.0.0.1", "::1", "localhost"}:
                raise AssertionError(f"test tried to reach {address!r}")
        real_connect(self, address)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", connect)
        yield


@pytest.fixture(scope="module")
def s3_endpoint(_loopback_only: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A moto S3 server on a free loopback port, with AWS configuration isolated."""
    missing = tmp_path_factory.mktemp("aws") / "absent"
    with pytest.MonkeyPatch.context() as mp:
        for name in (
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_S3",
        ):
            mp.delenv(name, raising=False)
        mp.setenv("AWS_CONFIG_FILE", str(missing))
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", str(missing))
        mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
        mp.setenv("NO_PROXY", "127.0.0.1,localhost")
        mp.setenv("no_proxy", "127.0.0.1,localhost")
        # Port 0: the OS picks a free port, without a race between choosing and binding.
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()
            if server._server is not None:  # stop() leaves the listening socket open
                server._server.server_close()


async def _s3_store(endpoint: str, bucket: str | None = None) -> S3BlobStore:
    store = S3BlobStore(
        endpoint_url=endpoint,
        bucket=bucket or f"blobs-{uuid.uuid4().hex[:12]}",
        region="us-east-1",
        access_key_id=ACCESS_KEY_ID,
        secret_access_key=SECRET,
    )
    await store.ensure_bucket()
    await store.ensure_bucket()  # idempotent
    return store


@pytest.fixture(scope="module")
def s3_admin(s3_endpoint: str) -> Any:
    """A plain boto3 client on the same server, to look behind the store's back."""
    import boto3

    return boto3.session.Session().client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET,
    )


@pytest.fixture(scope="module")
def s3_shared(s3_endpoint: str) -> Iterator[S3BlobStore]:
    # Building a boto3 client takes ~0.3 s, so the contract tests share one store and bucket.
    # (Sync, because the async `store` fixture can only pull sync fixtures on demand.)
    store = S3BlobStore(
        s3_endpoint, f"shared-{uuid.uuid4().hex[:12]}", "us-east-1", ACCESS_KEY_ID, SECRET
    )
    yield store
    asyncio.run(store.close())


@pytest.fixture(params=["local", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStore]:
    if request.param == "local":
        yield LocalBlobStore(tmp_path / "blobs")
        return
    s3: S3BlobStore = request.getfixturevalue("s3_shared")
    admin = request.getfixturevalue("s3_admin")
    await s3.ensure_bucket()
    yield s3
    listed = admin.list_objects_v2(Bucket=s3.bucket).get("Contents", [])
    for item in listed:
        admin.delete_object(Bucket=s3.bucket, Key=item["Key"])


async def test_blobs_round_trip_with_their_content_type(store: BlobStore) -> None:
    data = bytes(range(256)) * 4
    etag = await store.put("avatars/u1/256.webp", data, "image/webp")
    blob = await store.get("avatars/u1/256.webp")
    assert blob is not None
    assert blob.data == data
    assert blob.content_type == "image/webp"
    assert blob.etag == etag
    assert etag
    assert not etag.startswith('"')


async def test_empty_blobs_are_blobs(store: BlobStore) -> None:
    await store.put("exports/empty.txt", b"", "text/plain")
    blob = await store.get("exports/empty.txt")
    assert blob is not None
    assert (blob.data, blob.content_type) == (b"", "text/plain")


async def test_put_replaces_bytes_content_type_and_etag(store: BlobStore) -> None:
    first = await store.put("avatars/u2/64.webp", b"first version", "image/webp")
    second = await store.put("avatars/u2/64.webp", b"second", "image/png")
    assert first != second
    blob = await store.get("avatars/u2/64.webp")
    assert blob is not None
    assert (blob.data, blob.content_type, blob.etag) == (b"second", "image/png", second)


async def test_same_bytes_same_etag(store: BlobStore) -> None:
    assert await store.put("a/one", b"same", "text/plain") == await store.put(
        "b/two", b"same", "text/plain"
    )


async def test_missing_and_deleted_keys_read_as_none(store: BlobStore) -> None:
    assert await store.get("avatars/nobody/64.webp") is None
    await store.put("avatars/u3/64.webp", b"x", "image/webp")
    await store.put("avatars/u3/256.webp", b"y", "image/webp")
    await store.delete("avatars/u3/64.webp")
    assert await store.get("avatars/u3/64.webp") is None
    kept = await store.get("avatars/u3/256.webp")
    assert kept is not None
    assert kept.data == b"y"
    await store.delete("avatars/u3/64.webp")  # deleting twice is fine
    await store.delete("never/existed")


async def test_a_prefix_is_not_a_blob(store: BlobStore) -> None:
    await store.put("avatars/u4/64.webp", b"x", "image/webp")
    assert await store.get("avatars/u4") is None
    assert await store.get("avatars/u4/64") is None


@pytest.mark.parametrize("key", ESCAPING_KEYS)
async def test_keys_that_could_escape_are_refused(store: BlobStore, key: str) -> None:
    with pytest.raises(ValueError, match="key"):
        await store.put(key, b"x", "text/plain")
    with pytest.raises(ValueError, match="key"):
        await store.get(key)
    with pytest.raises(ValueError, match="key"):
        await store.delete(key)


async def test_concurrent_puts_leave_one_whole_version(store: BlobStore) -> None:
    versions = [bytes([i]) * 50_000 for i in range(8)]
    await asyncio.gather(
        *(store.put("race/key.bin", v, "application/octet-stream") for v in versions)
    )
    blob = await store.get("race/key.bin")
    assert blob is not None
    assert blob.data in versions


# Local directory specifics


async def test_local_etag_is_the_sha256_of_the_bytes(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    data = b"avatar bytes"
    assert (
        await store.put("avatars/u/64.webp", data, "image/webp") == hashlib.sha256(data).hexdigest()
    )


async def test_local_blobs_are_plain_files_that_outlive_the_store(tmp_path: Path) -> None:
    await LocalBlobStore(tmp_path / "blobs").put("avatars/u/512.webp", b"pixels", "image/webp")
    assert (tmp_path / "blobs" / "avatars" / "u" / "512.webp").read_bytes() == b"pixels"
    blob = await LocalBlobStore(tmp_path / "blobs").get("avatars/u/512.webp")
    assert blob is not None
    assert blob.content_type == "image/webp"


async def test_local_replace_leaves_no_temporary_files(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    for i in range(3):
        await store.put("avatars/u/64.webp", b"v%d" % i, "image/webp")
    names = sorted(p.name for p in (tmp_path / "avatars" / "u").iterdir())
    assert names == [".64.webp.meta", "64.webp"]


async def test_local_refused_keys_touch_nothing_outside(tmp_path: Path) -> None:
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    outside.write_bytes(b"precious")
    store = LocalBlobStore(root)
    for key in ("../outside", str(outside), "x/../../outside"):
        with pytest.raises(ValueError, match="key"):
            await store.put(key, b"overwritten", "text/plain")
        with pytest.raises(ValueError, match="key"):
            await store.delete(key)
    assert outside.read_bytes() == b"precious"


async def test_local_delete_prunes_empty_directories_but_not_the_root(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    store = LocalBlobStore(root)
    await store.put("avatars/u/64.webp", b"x", "image/webp")
    await store.put("avatars/v/64.webp", b"x", "image/webp")
    await store.delete("avatars/u/64.webp")
    assert not (root / "avatars" / "u").exists()
    assert (root / "avatars" / "v" / "64.webp").exists()
    await store.delete("avatars/v/64.webp")
    assert root.is_dir()
    assert list(root.iterdir()) == []
    await store.put("avatars/u/64.webp", b"again", "image/webp")
    assert (await store.get("avatars/u/64.webp")) is not None


# S3 specifics


async def test_s3_objects_carry_etag_and_content_type(
    s3_shared: S3BlobStore, s3_admin: Any
) -> None:
    data = b"avatar bytes"
    etag = await s3_shared.put("s3-only/u/64.webp", data, "image/webp")
    # For a single-part upload S3 (and moto) use the MD5 of the bytes, unquoted here.
    assert etag == hashlib.md5(data, usedforsecurity=False).hexdigest()
    blob = await s3_shared.get("s3-only/u/64.webp")
    assert blob is not None
    assert blob.etag == etag
    head = s3_admin.head_object(Bucket=s3_shared.bucket, Key="s3-only/u/64.webp")
    assert head["ContentType"] == "image/webp"
    assert head["ETag"] == f'"{etag}"'
    await s3_shared.delete("s3-only/u/64.webp")


async def test_s3_store_in_another_region_creates_its_bucket(s3_endpoint: str) -> None:
    store = S3BlobStore(
        s3_endpoint, f"eu-{uuid.uuid4().hex[:12]}", "eu-west-1", ACCESS_KEY_ID, SECRET
    )
    await store.ensure_bucket()
    await store.put("k", b"v", "text/plain")
    blob = await store.get("k")
    assert blob is not None
    assert blob.data == b"v"
    await store.close()


async def test_s3_store_never_shows_its_secret(s3_endpoint: str) -> None:
    store = S3BlobStore(s3_endpoint, "no-such-bucket", "us-east-1", ACCESS_KEY_ID, SECRET)
    await store.ensure_bucket()  # then remove it again, so the put below fails
    await asyncio.to_thread(store._client().delete_bucket, Bucket="no-such-bucket")
    assert SECRET not in repr(store)
    with pytest.raises(Exception) as caught:  # noqa: PT011 - any botocore error will do
        await store.put("avatars/u/64.webp", b"x", "image/webp")
    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value)
    await store.close()
