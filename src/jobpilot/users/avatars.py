"""Avatar images: check an upload and turn it into small square WebP files without metadata.

Pure image processing (no web framework, no database). `process_avatar` is CPU-bound and
blocking; callers run it in a worker thread.
"""

from __future__ import annotations

import contextlib
import io

from PIL import Image, ImageCms, ImageFile, ImageOps

from jobpilot.kit.errors import BadRequest, PayloadTooLarge

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
SIZES = (64, 256, 512)
# Our own per-call limit, well below Pillow's global one (about 89 megapixels), which this
# module never changes: 40 megapixels covers any phone or camera photo.
MAX_PIXELS = 40_000_000
WEBP_QUALITY = 85
OUTPUT_CONTENT_TYPE = "image/webp"

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
# The Pillow formats each sniffed type may decode as (a JPEG with several frames is an MPO).
_PILLOW_FORMATS: dict[str, tuple[str, frozenset[str]]] = {
    "image/jpeg": ("JPEG", frozenset({"JPEG", "MPO"})),
    "image/png": ("PNG", frozenset({"PNG"})),
    "image/webp": ("WEBP", frozenset({"WEBP"})),
}
_ACCEPTED = "JPEG, PNG or WebP"


class InvalidImage(BadRequest):
    """The upload claims to be an image of an accepted type but cannot be decoded."""

    code = "invalid_image"
    default_message = (
        "The image could not be read; it may be damaged or incomplete. Try another file."
    )


class ImageTooLarge(PayloadTooLarge):
    """The upload is too big, in bytes or in pixels."""

    code = "image_too_large"
    default_message = "The image is too large; the limit is 10 MB and 40 megapixels."


class UnsupportedImageType(BadRequest):
    """The upload is not a JPEG, PNG or WebP image."""

    status = 415
    code = "unsupported_image_type"
    default_message = f"This file type is not supported; upload a {_ACCEPTED} image."


def sniff_image_type(data: bytes) -> str | None:
    """The MIME type of `data` from its leading bytes only: JPEG, PNG, WebP, or None."""
    head = bytes(data[:16])
    if head.startswith(_JPEG_MAGIC):
        return "image/jpeg"
    if head.startswith(_PNG_MAGIC):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _check_upload(data: bytes) -> str:
    """The sniffed type of an upload that passes the cheap checks (size, magic bytes)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageTooLarge(
            f"The image is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; "
            "upload a smaller file.",
            details={"max_bytes": MAX_UPLOAD_BYTES},
        )
    if not data:
        raise InvalidImage("The uploaded file is empty.")
    sniffed = sniff_image_type(data)
    if sniffed is None:
        raise UnsupportedImageType(details={"accepted": sorted(_PILLOW_FORMATS)})
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # A process-wide switch that would let damaged uploads through as grey areas; it is
        # a programming error elsewhere, and silently accepting truncated files is worse.
        msg = "PIL.ImageFile.LOAD_TRUNCATED_IMAGES must be False to check avatar uploads"
        raise RuntimeError(msg)

    return sniffed


def validate_upload(data: bytes) -> None:
    """Decode `data` fully (bomb guard, truncation, type) without resizing; raise if unusable.

    Run at upload time so that a bad image is refused at once and the old avatar stays.
    """
    sniffed = _check_upload(data)
    image, _icc = _decode(data, sniffed)
    image.close()


def process_avatar(data: bytes) -> dict[int, bytes]:
    """WebP encodings of `data`, centre-cropped square, for each size in SIZES.

    Any declared content type or file name is deliberately not an input: the type comes from
    the bytes. Raises ImageTooLarge, UnsupportedImageType or InvalidImage.
    """
    sniffed = _check_upload(data)
    image, icc_profile = _decode(data, sniffed)
    try:
        square = _centre_square(image)
        square = _normalise_mode(square, icc_profile)
        largest = square.resize(
            (max(SIZES), max(SIZES)), Image.Resampling.LANCZOS, reducing_gap=3.0
        )
        if icc_profile and largest.mode in {"RGB", "RGBA"}:
            largest = _to_srgb(largest, icc_profile)
        outputs: dict[int, bytes] = {}
        for size in SIZES:
            resized = (
                largest
                if size == largest.width
                else largest.resize((size, size), Image.Resampling.LANCZOS)
            )
            outputs[size] = _encode_webp(resized)
        return outputs
    finally:
        image.close()


def _decode(data: bytes, sniffed: str) -> tuple[Image.Image, bytes | None]:
    """The fully decoded, upright image and its ICC profile; the checks happen here."""
    pillow_format, accepted_formats = _PILLOW_FORMATS[sniffed]
    try:
        image = Image.open(io.BytesIO(data), formats=[pillow_format])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own limits (the warning is an exception only when warnings are errors).
        raise _too_many_pixels() from exc
    except Exception as exc:  # Pillow raises many types for malformed input.
        raise InvalidImage from exc
    try:
        width, height = image.size
        # The header is read, the pixels are not: refuse before allocating anything big.
        if width < 1 or height < 1:
            raise InvalidImage
        if width * height > MAX_PIXELS:
            raise _too_many_pixels(width, height)
        if image.format not in accepted_formats:
            raise InvalidImage(
                "The file's contents do not match its type; save it again as "
                f"{_ACCEPTED} and retry."
            )
        icc = image.info.get("icc_profile")
        icc_profile = icc if isinstance(icc, bytes) and icc else None
        if image.format in {"JPEG", "MPO"}:
            # Let libjpeg decode at a reduced scale (never below the largest avatar size).
            image.draft(None, (max(SIZES), max(SIZES)))
        try:
            image.load()
        except Exception as exc:  # truncated or corrupt pixel data
            raise InvalidImage from exc
        # Broken EXIF only loses the rotation, not the photo.
        with contextlib.suppress(Exception):
            ImageOps.exif_transpose(image, in_place=True)
    except BaseException:
        image.close()
        raise
    return image, icc_profile


def _too_many_pixels(width: int | None = None, height: int | None = None) -> ImageTooLarge:
    size = f" ({width}x{height} pixels)" if width and height else ""
    return ImageTooLarge(
        f"The image is too large{size}; the limit is {MAX_PIXELS // 1_000_000} megapixels.",
        details={"max_pixels": MAX_PIXELS},
    )


def _centre_square(image: Image.Image) -> Image.Image:
    side = min(image.size)
    left = (image.width - side) // 2
    top = (image.height - side) // 2
    return image.crop((left, top, left + side, top + side))


def _normalise_mode(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """RGBA when the image has real transparency, RGB otherwise."""
    mode = image.mode
    if mode.startswith("I;16") or mode in {"I", "F"}:
        # Convert's default clips 16-bit values at 255; scale them to 8 bits instead.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
        mode = "L"
    if mode == "CMYK":
        if icc_profile:
            converted = _cmyk_to_srgb(image, icc_profile)
            if converted is not None:
                return converted
        return image.convert("RGB")
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        alpha_min = rgba.getchannel("A").getextrema()[0]
        return rgba if alpha_min != 255 else rgba.convert("RGB")
    return image if mode == "RGB" else image.convert("RGB")


def _to_srgb(image: Image.Image, icc_profile: bytes) -> Image.Image:
    """`image` converted from its embedded profile to sRGB, since the profile is dropped."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode
        )
    except Exception:  # a broken profile: keep the colours as they are
        return image
    return converted if converted is not None else image


def _cmyk_to_srgb(image: Image.Image, icc_profile: bytes) -> Image.Image | None:
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        return ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode="RGB"
        )
    except Exception:
        return None


def _encode_webp(image: Image.Image) -> bytes:
    # No EXIF (GPS!), XMP or ICC in the output: copy the pixels into a metadata-free image.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    buffer = io.BytesIO()
    clean.save(buffer, format="WEBP", quality=WEBP_QUALITY, method=4)
    return buffer.getvalue()
