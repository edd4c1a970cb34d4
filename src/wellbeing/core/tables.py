"""Read a table of text from an uploaded file's bytes: the one reader of every text upload.

Spreadsheet programs and survey tools write "CSV" in many ways, and a reader that guesses
wrong either fails (a 500, before this module) or, worse, reads a different table. What is
read, and how each choice is made:

- **Encoding.** A byte-order mark decides: UTF-8, UTF-16 little- or big-endian (Excel's
  "Unicode Text", tab-separated) or UTF-32. Without one, UTF-16 is recognised by its zero
  bytes only when every other byte of the start is zero. Otherwise UTF-8 is tried strictly:
  text in a one-byte encoding almost never happens to be valid UTF-8, while the reverse
  guess would silently turn "é" into "Ã©". Text that is not UTF-8 is read as Mac Roman when
  its lines end with CR alone (Excel for Mac's "CSV (Macintosh)" writes Mac Roman with CR
  line ends) and as Windows-1252 otherwise (Excel's "CSV" on Windows); the few bytes
  Windows-1252 leaves undefined fall back to Latin-1. The encoding read is reported
  (``TextTable.describe``) so a person can check that accented letters look right.
- **Line ends.** CR, LF and CRLF, mixed too, and inside quoted cells.
- **Delimiter.** Comma, semicolon, tab (and ``|``), chosen by parsing the first records
  with each and keeping the one that splits the header into the most columns that the
  rows repeat; reported too.

Anything else (a binary file, damaged UTF-16, a cell beyond the csv module's size limit)
raises ``UnreadableText`` with a message for the person who uploaded the file, never an
error page. Nothing here imports pandas: callers that want a data frame build it.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

DELIMITERS = ",;\t|"
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
SNIFF_CHARS = 65536  # the start of the file the delimiter and line ends are judged on
SNIFF_RECORDS = 50
# Control characters a text table may hold (tab, line feed, carriage return, and the
# vertical tab, form feed and end-of-file marks some old exports leave); any other one
# in the first characters means the bytes are not text.
ALLOWED_CONTROLS = frozenset("\t\n\r\x0b\x0c\x1a")
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 (little-endian)"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 (big-endian)"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8 (with a byte-order mark)"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 (big-endian)"),
)


class UnreadableText(ValueError):
    """The bytes cannot be read as a table of text; the message says why, for a person."""


class NotText(UnreadableText):
    """The bytes are not text at all (a binary file, or a workbook saved under a text name)."""


class DamagedText(UnreadableText):
    """The bytes announce an encoding (a byte-order mark) that they then break."""


NOT_TEXT = "The file is not a text file: it holds bytes that no text file has."


@dataclass(frozen=True)
class TextTable:
    """Decoded text and how it was read; ``records`` parses it into rows of cells."""

    text: str
    encoding: str  # as a person knows it: "UTF-8", "Windows-1252", "UTF-16 (little-endian)"
    delimiter: str
    line_ends: str  # "CRLF", "LF", "CR", or "" for a single line

    def records(self) -> Iterator[list[str]]:
        """Every record of the text, as cells (a blank line is an empty list)."""
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
        try:
            yield from reader
        except csv.Error as error:
            raise UnreadableText(
                f"The file cannot be read as CSV (line {reader.line_num}): {error}."
            ) from error

    def rows(self) -> list[list[str]]:
        return list(self.records())

    def describe(self) -> str:
        """What was read, in a sentence for the person who uploaded the file."""
        ends = f", with {self.line_ends} line ends" if self.line_ends else ""
        return f"Read as {self.encoding} text, {DELIMITER_NAMES[self.delimiter]}-separated{ends}."


def read_text_table(content: bytes, *, delimiters: str = DELIMITERS) -> TextTable:
    """Decode ``content`` and choose its delimiter among ``delimiters``."""
    text, encoding = decode(content)
    return TextTable(text, encoding, sniff_delimiter(text, delimiters), line_ends(text))


def decode(content: bytes) -> tuple[str, str]:
    """The text of ``content`` and the name of its encoding; ``UnreadableText`` if not text."""
    codec, name, start = _announced(content)
    if codec:
        return _checked(_decode_announced(content[start:], codec, name)), name
    if b"\x00" in content:
        raise NotText(NOT_TEXT)
    text, name = _decode_unmarked(content)
    return _checked(text), name


def _announced(content: bytes) -> tuple[str, str, int]:
    """The codec a byte-order mark (or UTF-16's zero bytes) announces, its name, and where
    the text starts; ("", "", 0) when nothing does."""
    for bom, codec, name in BOMS:
        if content.startswith(bom):
            return codec, name, len(bom)
    start = content[:4096]
    if len(start) >= 4 and not len(start) % 2:
        even, odd = start[0::2], start[1::2]
        if odd.count(0) == len(odd) and not even.count(0):
            return "utf-16-le", "UTF-16 (little-endian)", 0
        if even.count(0) == len(even) and not odd.count(0):
            return "utf-16-be", "UTF-16 (big-endian)", 0
    return "", "", 0


def _decode_announced(body: bytes, codec: str, name: str) -> str:
    try:
        return body.decode(codec)
    except UnicodeDecodeError as error:
        raise DamagedText(
            f"The file's text encoding is damaged: it reads as {name}, but some of its bytes"
            " are not. Save it again from the program that made it."
        ) from error


def _decode_unmarked(content: bytes) -> tuple[str, str]:
    try:
        return content.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    if b"\r" in content and b"\n" not in content:
        return content.decode("mac_roman"), "Mac Roman (not UTF-8)"
    try:
        return content.decode("cp1252"), "Windows-1252 (not UTF-8)"
    except UnicodeDecodeError:
        return content.decode("latin-1"), "Latin-1 (not UTF-8)"  # decodes every byte


def _checked(text: str) -> str:
    if "\x00" in text or any(ord(c) < 32 and c not in ALLOWED_CONTROLS for c in text[:SNIFF_CHARS]):
        raise NotText(NOT_TEXT)
    return text


def line_ends(text: str) -> str:
    """How the first lines of ``text`` end: "CRLF", "LF", "CR" (or mixed, the most common)."""
    sample = text[:SNIFF_CHARS]
    crlf = sample.count("\r\n")
    counts = {"CRLF": crlf, "LF": sample.count("\n") - crlf, "CR": sample.count("\r") - crlf}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else ""


def sniff_delimiter(text: str, delimiters: str = DELIMITERS) -> str:
    """The delimiter that splits the header into the most columns the first rows repeat.

    Parsed, not counted: a comma inside a quoted cell of a semicolon file does not count,
    and a delimiter that leaves a cell with an odd number of quotes (a quoted cell cut in
    two) loses to one that does not. A file of one column (no candidate splits its
    header) is read with the first candidate.
    """
    sample = text[:SNIFF_CHARS]
    truncated = len(text) > len(sample)
    best, best_score = delimiters[0], (0.0, 0, 1)
    for delimiter in delimiters:
        records = _first_records(sample, delimiter, drop_last=truncated)
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        repeated = sum(len(r) == width for r in records) / len(records)
        cut = sum(cell.count('"') % 2 for r in records for cell in r)
        score = (repeated, -cut, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _first_records(sample: str, delimiter: str, *, drop_last: bool) -> list[list[str]]:
    """The sample's first non-blank records, split by ``delimiter`` ([] if it cannot)."""
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        for record in reader:
            if record:
                records.append(record)
            if len(records) > SNIFF_RECORDS:
                break
    except csv.Error:
        return []
    if drop_last and 1 < len(records) <= SNIFF_RECORDS:
        records.pop()  # the sample may end inside the last record
    return records[:SNIFF_RECORDS]
