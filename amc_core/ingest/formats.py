"""Recognising photos by their first bytes, not by their names."""

from __future__ import annotations

# Extensions of files we always consider (so a broken one is reported, not ignored).
RAW_EXTENSIONS = frozenset(
    {
        ".dng", ".cr2", ".cr3", ".nef", ".nrw", ".arw", ".srf", ".sr2",
        ".orf", ".rw2", ".raf", ".pef", ".srw", ".x3f", ".raw",
    }
)  # fmt: skip
PHOTO_EXTENSIONS = RAW_EXTENSIONS | {
    ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif",
    ".heic", ".heif", ".hif", ".avif",
}  # fmt: skip
SNIFF_BYTES = 32

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}


def sniff(head: bytes) -> str | None:
    """The photo format of a file from its first SNIFF_BYTES bytes, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"  # also most RAW formats (DNG, CR2, NEF, ARW, ...)
    if head[:4] in (b"IIRO", b"IIRS", b"IIU\x00"):
        return "RAW"  # Olympus ORF, Panasonic RW2
    if head.startswith(b"FUJIFILMCCD-RAW"):
        return "RAW"
    if head[:2] == b"BM" and len(head) >= 14:
        return "BMP"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _AVIF_BRANDS:
            return "AVIF"
        if brand in _HEIF_BRANDS:
            return "HEIF"
        if brand == b"crx ":
            return "RAW"  # Canon CR3
    return None
