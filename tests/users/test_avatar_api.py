"""Avatars through the API: checked on upload, processed by a task, served with caching."""

from __future__ import annotations

import io
import zlib

from PIL import Image

from jobpilot import registry, wiring
from support import SignedIn, assert_error


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (640, 480), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90°
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (300, 200), (0, 128, 255, 128)).save(out, "PNG")
    return out.getvalue()


def _png_bomb() -> bytes:
    """A tiny PNG that claims 30000 x 30000 pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (30000).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    pixels = zlib.compress(b"\x00" * 1000)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


async def _upload(user: SignedIn, data: bytes, name: str, content_type: str) -> object:
    return await user.client.post(
        "/api/v1/users/me/avatar", files={"file": (name, data, content_type)}
    )


async def _process(user: SignedIn) -> None:
    await wiring.build_worker(user.app.state.container, registry.domains()).drain()


async def test_an_avatar_is_processed_stripped_and_served_with_caching(user: SignedIn) -> None:
    accepted = await _upload(user, _jpeg_with_gps(), "me.jpg", "image/jpeg")
    assert accepted.status_code == 202, accepted.text  # type: ignore[attr-defined]
    await _process(user)
    for size in (64, 256, 512):
        served = await user.client.get(f"/api/v1/users/me/avatar/{size}")
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/webp"
        image = Image.open(io.BytesIO(served.content))
        assert image.size == (size, size)
        assert not image.getexif()
        assert "exif" not in image.info
        etag = served.headers["etag"]
        again = await user.client.get(
            f"/api/v1/users/me/avatar/{size}", headers={"If-None-Match": etag}
        )
        assert again.status_code == 304
    assert_error(await user.client.get("/api/v1/users/me/avatar/100"), 404, "avatar_not_found")


async def test_hostile_or_broken_images_are_refused_and_the_old_avatar_stays(
    user: SignedIn,
) -> None:
    await _upload(user, _png(), "first.png", "image/png")
    await _process(user)
    before = (await user.client.get("/api/v1/users/me/avatar/256")).content

    bomb = await _upload(user, _png_bomb(), "bomb.png", "image/png")
    assert bomb.status_code in (400, 413), bomb.text  # type: ignore[attr-defined]
    truncated = _jpeg_with_gps()[: len(_jpeg_with_gps()) // 2]
    broken = await _upload(user, truncated, "cut.jpg", "image/jpeg")
    assert_error(broken, 400, "invalid_image")  # type: ignore[arg-type]
    gif = await _upload(user, b"GIF89a" + b"\x00" * 100, "anim.gif", "image/gif")
    assert_error(gif, 415, "unsupported_image_type")  # type: ignore[arg-type]
    huge = await _upload(
        user, b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024), "big.jpg", "image/jpeg"
    )
    assert huge.status_code == 413  # type: ignore[attr-defined]
    await _process(user)
    assert (await user.client.get("/api/v1/users/me/avatar/256")).content == before


async def test_the_type_comes_from_the_bytes_not_the_name(user: SignedIn) -> None:
    # A PNG called .jpg and declared image/jpeg is still a PNG, and works.
    renamed = await _upload(user, _png(), "photo.jpg", "image/jpeg")
    assert renamed.status_code == 202  # type: ignore[attr-defined]
    await _process(user)
    assert (await user.client.get("/api/v1/users/me/avatar/64")).status_code == 200
