"""Helpers the format modules share."""

from archive.ingest.draft import ExtractionError


def decode_text(data, *, filename=""):
    """Text from bytes: UTF-8 (with or without BOM) or UTF-16 with a BOM; else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ExtractionError(f"{filename or 'The file'} is not readable UTF-16 text.") from error
    if b"\x00" in data[:8192]:
        raise ExtractionError(f"{filename or 'The file'} is binary data, not text.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # UTF-8 with a few broken bytes stays UTF-8 (a saved page with one bad character); text
    # that is not UTF-8 at all is Windows-1252.
    text = data.decode("utf-8-sig", errors="replace")
    if text.count("\ufffd") <= max(2, len(data) // 2000):
        return text
    return data.decode("cp1252", errors="replace")
