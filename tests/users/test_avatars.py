"""Avatar processing: what comes out of an upload, and which uploads are refused."""

from __future__ import annotations

import io
import os
import struct
import time
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageCms, ImageFile

from jobpilot.kit.errors import JobPilotError
from jobpilot.users.avatars import (
    MAX_UPLOAD_BYTES,
    SIZES,
    ImageTooLarge,
    InvalidImage,
    UnsupportedImageType,
    process_avatar,
    sniff_image_type,
)

PILLOW_DEFAULT_MAX_PIXELS = Image.MAX_IMAGE_PIXELS
RED = (230, 20, 20)
BLUE = (20, 20, 230)
SRGB_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
    b"<dc:creator>Secret Person</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
)


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def halves(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """Left half red, right half blue: tells rotations and flips apart."""
    width, height = size
    image = Image.new(mode, size, BLUE)
    image.paste(Image.new(mode, (width // 2, height), RED), (0, 0))
    return image


def noisy(size: tuple[int, int]) -> Image.Image:
    """Photo-like content that does not compress to nothing."""
    return Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))


def camera_jpeg(size: tuple[int, int]) -> bytes:
    """A landscape JPEG stored sideways with Orientation=6, GPS position, XMP and ICC."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "TestCam"
    exif[ExifTags.Base.Model] = "Pocket 1"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (52.0, 31.0, 12.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (13.0, 24.0, 36.0),
    }
    data = encode(halves((600, 400)), "JPEG", quality=92, exif=exif, icc_profile=SRGB_ICC, xmp=XMP)
    # The fixture really carries what must not leak.
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif()[ExifTags.Base.Orientation] == 6
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
        assert "xmp" in check.info
        assert "icc_profile" in check.info
    return data


def assert_clean_square_webps(outputs: dict[int, bytes]) -> list[Image.Image]:
    assert sorted(outputs) == sorted(SIZES) == [64, 256, 512]
    images: list[Image.Image] = []
    for size, data in outputs.items():
        assert sniff_image_type(data) == "image/webp"
        for chunk in (b"EXIF", b"XMP ", b"ICCP"):
            assert chunk not in data
        image = Image.open(io.BytesIO(data))
        image.load()
        assert image.format == "WEBP"
        assert image.size == (size, size)
        assert not image.getexif()
        assert not {"exif", "xmp", "icc_profile"} & set(image.info)
        images.append(image)
    return images


def near(actual: tuple[int, ...] | float | None, expected: tuple[int, int, int]) -> bool:
    assert isinstance(actual, tuple)
    return all(abs(a - e) <= 40 for a, e in zip(actual[:3], expected, strict=True))


# The larger one is decoded at a reduced scale (JPEG draft mode); the result must not change.
@pytest.mark.parametrize("size", [(600, 400), (2400, 1600)])
def test_a_camera_photo_becomes_upright_square_webps_without_metadata(
    size: tuple[int, int],
) -> None:
    outputs = process_avatar(camera_jpeg(size))
    for out in assert_clean_square_webps(outputs):
        side = out.width
        image = out.convert("RGB")
        # Stored sideways (red left, blue right); Orientation=6 means "turn 90° clockwise to
        # view", so upright the red half is on top. Unrotated, top-right would be blue.
        assert near(image.getpixel((side * 7 // 8, side // 8)), RED)
        assert near(image.getpixel((side // 8, side * 7 // 8)), BLUE)
    with Image.open(io.BytesIO(outputs[512])) as out:
        assert out.mode == "RGB"


def test_a_png_with_transparency_keeps_it() -> None:
    image = Image.new("RGBA", (300, 200), (*RED, 255))
    image.paste((0, 0, 0, 0), (0, 0, 300, 40))  # transparent band at the top
    outputs = process_avatar(encode(image, "PNG"))
    for out in assert_clean_square_webps(outputs):
        assert out.mode == "RGBA"
        side = out.width
        pixel = out.getpixel((side // 2, 1))
        assert isinstance(pixel, tuple)
        assert pixel[3] == 0
        assert near(out.getpixel((side // 2, side - 2)), RED)


def test_an_opaque_png_and_a_palette_png_come_out_opaque() -> None:
    for image in (halves((120, 90)), halves((120, 90)).convert("P")):
        outputs = process_avatar(encode(image, "PNG"))
        for out in assert_clean_square_webps(outputs):
            assert out.mode == "RGB"


def test_a_webp_upload_works_and_small_images_are_scaled_up() -> None:
    data = encode(halves((90, 40)), "WEBP", quality=90)
    assert sniff_image_type(data) == "image/webp"
    for out in assert_clean_square_webps(process_avatar(data)):
        side = out.width
        # 90x40 centre-cropped to 40x40 from x=25: red until x=45 of 90, i.e. half of it.
        assert near(out.getpixel((side // 8, side // 2)), RED)
        assert near(out.getpixel((side * 7 // 8, side // 2)), BLUE)


def test_the_bytes_decide_the_type_never_the_name_or_claim(tmp_path: Path) -> None:
    png = encode(halves((64, 64)), "PNG")
    named_jpeg = tmp_path / "photo.jpg"
    named_jpeg.write_bytes(png)
    data = named_jpeg.read_bytes()
    assert sniff_image_type(data) == "image/png"
    # process_avatar takes no declared type at all: a PNG "claimed" as JPEG is a PNG.
    assert_clean_square_webps(process_avatar(data))
    assert sniff_image_type(encode(halves((8, 8)), "JPEG")) == "image/jpeg"
    assert sniff_image_type(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None
    assert sniff_image_type(b"") is None


def test_a_cmyk_jpeg_and_a_16_bit_png_convert_sensibly() -> None:
    cmyk = encode(halves((80, 80)).convert("CMYK"), "JPEG", quality=95)
    for out in assert_clean_square_webps(process_avatar(cmyk)):
        assert out.mode == "RGB"
        assert near(out.getpixel((2, out.height // 2)), RED)
    grey16 = Image.new("I;16", (50, 50), 32768)  # mid grey in 16 bits
    for out in assert_clean_square_webps(process_avatar(encode(grey16, "PNG"))):
        value = out.convert("L").getpixel((out.width // 2, out.height // 2))
        assert value is not None
        assert not isinstance(value, tuple)
        assert 100 <= value <= 156  # scaled to 8 bits, not clipped to white


def declared_png(width: int, height: int, idat: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def jpeg_declaring(width: int, height: int) -> bytes:
    data = bytearray(encode(noisy((16, 16)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def pixel_bomb_png() -> bytes:
    # A real, valid 8000x8000 (64 megapixel) PNG of ~8 KB: above our limit, below Pillow's.
    row = b"\x00" + b"\x00" * 1000
    idat = zlib.compress(row * 8000, 9)
    # Truncated on purpose: had the pixels been decoded, this would fail as InvalidImage.
    return declared_png(8000, 8000, idat[: len(idat) // 2])


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(declared_png(30000, 30000, zlib.compress(b"\x00" * 100)), id="png-30000px"),
        pytest.param(jpeg_declaring(60000, 60000), id="jpeg-60000px"),
        # Above Pillow's warning threshold: the warning (an error under pytest) is refused too.
        pytest.param(jpeg_declaring(10000, 10000), id="jpeg-100mp"),
        pytest.param(jpeg_declaring(9000, 5000), id="jpeg-45mp"),
        pytest.param(pixel_bomb_png(), id="png-64mp-compressed"),
    ],
)
def test_decompression_bombs_are_refused_before_decoding(data: bytes) -> None:
    assert len(data) < 20_000
    started = time.monotonic()
    with pytest.raises(ImageTooLarge) as caught:
        process_avatar(data)
    # ImageTooLarge (not InvalidImage from the broken pixel data) shows nothing was decoded;
    # the generous bound only catches a regression that would decode gigabytes.
    assert time.monotonic() - started < 5
    assert "megapixels" in caught.value.message
    assert Image.MAX_IMAGE_PIXELS == PILLOW_DEFAULT_MAX_PIXELS  # the global is left alone


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated_images_are_invalid(fmt: str) -> None:
    data = encode(noisy((300, 300)), fmt)
    with pytest.raises(InvalidImage) as caught:
        process_avatar(data[: len(data) // 2])
    assert caught.value.status == 400
    assert caught.value.code == "invalid_image"


def test_magic_bytes_of_one_type_on_another_type_are_invalid() -> None:
    jpeg = encode(halves((32, 32)), "JPEG")
    with pytest.raises(InvalidImage):
        process_avatar(b"\x89PNG\r\n\x1a\n" + jpeg)
    with pytest.raises(InvalidImage):
        process_avatar(b"\xff\xd8\xff" + b"\x00" * 500)
    with pytest.raises(InvalidImage, match="empty"):
        process_avatar(b"")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(os.urandom(4096), id="random"),
        pytest.param(encode(halves((32, 32)).convert("P"), "GIF"), id="gif"),
        pytest.param(
            b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b"<script>alert(1)</script></svg>",
            id="svg",
        ),
        pytest.param(encode(halves((32, 32)), "BMP"), id="bmp"),
        pytest.param(b"%PDF-1.7\n", id="pdf"),
    ],
)
def test_other_file_types_are_unsupported(data: bytes) -> None:
    if data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n":
        data = b"x" + data  # random bytes that happen to look like an image: vanishingly rare
    with pytest.raises(UnsupportedImageType) as caught:
        process_avatar(data)
    assert caught.value.status == 415
    assert caught.value.code == "unsupported_image_type"
    assert "JPEG, PNG or WebP" in caught.value.message


def test_uploads_over_10_mb_are_too_large() -> None:
    data = encode(halves((16, 16)), "PNG")
    oversized = data + b"\x00" * (MAX_UPLOAD_BYTES + 1 - len(data))
    with pytest.raises(ImageTooLarge) as caught:
        process_avatar(oversized)
    assert caught.value.status == 413
    assert caught.value.code == "image_too_large"
    assert "10 MB" in caught.value.message


def test_errors_are_domain_errors_a_client_can_read() -> None:
    for error in (InvalidImage(), ImageTooLarge(), UnsupportedImageType()):
        assert isinstance(error, JobPilotError)
        assert error.message
        assert "Pillow" not in error.message


def test_truncated_images_are_never_let_through(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        process_avatar(encode(halves((16, 16)), "PNG"))
