"""Decide whether uploaded bytes are a Word .docx we are willing to store and parse.

Everything is decided from the bytes themselves: the filename extension and the browser's
content type are chosen by the client and prove nothing. The cheap checks (size, magic
numbers, ZIP directory metadata) run first, and every XML part is byte-scanned before any
XML parser sees it, so a hostile file is refused before python-docx (lxml) touches it.

External relationships other than hyperlinks are removed rather than refused: Word writes
an ``attachedTemplate`` pointing at the author's local Normal.dotm all the time, and we
never fetch any relationship target anyway, so refusing those files would only hurt users.

Damage Word repairs is repaired here too rather than refused: a part the text does not need
(properties, styles, comments, notes, headers, pictures...) that is malformed XML, or that a
relationship names but the zip lacks, is dropped with the relationships pointing at it, and
each drop is reported as a warning (``warning_message`` says it in words). The main document
part itself is never dropped: without it there is nothing to read.

Public API: ``DocxRejected``, ``ValidatedDocx``, ``docx_validate``, ``file_too_large``,
``no_text``, ``too_many_sections`` and ``warning_message``.
All work happens in memory; no temporary files are created.
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import docx
from defusedxml import ElementTree as SafeET
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from docx.document import Document as DocxDocument
from lxml import etree

__all__ = [
    "DocxRejected", "ValidatedDocx", "docx_validate", "file_too_large", "no_text", "too_many_sections",
    "warning_message",
]  # fmt: skip

# ----------------------------------------------------------------------------- constants

MIB = 1024 * 1024
# A real .docx has a few dozen members; thousands only serve to exhaust memory/CPU.
MAX_MEMBERS = 5000
# Small parts legitimately compress very well (styles.xml is often 30-40x), and a small part
# cannot hurt us whatever its ratio, so the ratio check only applies from this size up.
RATIO_MIN_UNCOMPRESSED = 1 * MIB
# Decompression works in slices of this size so a lying member is stopped early.
_CHUNK = 256 * 1024
# Warnings kept per upload; a package can name thousands of missing parts, and every stored
# list needs a bound. The last entry then counts the rest (code "more_warnings").
MAX_WARNINGS = 50

CT_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
CT_DOTX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
CT_MACRO_MAINS = {
    "application/vnd.ms-word.document.macroenabled.main+xml",
    "application/vnd.ms-word.template.macroenabledtemplate.main+xml",
}
REL_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
REL_OFFICE_DOCUMENT_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
REL_ATTACHED_TEMPLATE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"

NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")

# Only used to rewrite .rels/settings parts that already passed the DOCTYPE scan; the
# options are belt and braces (no entity expansion, no network, no DTD loading).
_REWRITE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


# ----------------------------------------------------------------------------- public types


class DocxRejected(Exception):
    """An upload we refuse. ``code`` is stable and machine-readable; ``message`` is for people.

    ``message`` is a lazy translation object: it is only rendered (and only needs Django
    settings) when converted with ``str()``. ``str(exc)`` is the code, so logging the
    exception never needs the translation machinery.
    """

    def __init__(self, code: str, message: str | Promise, status_code: int) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.status_code = status_code

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return f"DocxRejected(code={self.code!r}, status_code={self.status_code})"


@dataclass(frozen=True)
class ValidatedDocx:
    """Bytes that passed validation, plus what we removed from them.

    ``document`` is python-docx's parse of exactly ``data`` (after any rewrite), made by the
    validation's own trial open, so extraction reuses it instead of parsing the upload twice.
    It takes no part in equality: two results with the same bytes are the same result.
    """

    data: bytes
    stripped_relationships: list[str] = field(default_factory=list)
    # What was dropped to open a damaged file: [{"code", "part"}] (see ``warning_message``).
    warnings: list[dict[str, str]] = field(default_factory=list)
    document: DocxDocument | None = field(default=None, compare=False, repr=False)


# ----------------------------------------------------------------------------- rejections


def _mb(num_bytes: int) -> str:
    """Human MB figure: whole numbers stay whole ("20"), others get one decimal ("0.5")."""
    value = num_bytes / MIB
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def file_too_large(max_bytes: int) -> DocxRejected:
    """The rejection for an upload over the limit (also used before reading the upload)."""
    return DocxRejected(
        "file_too_large",
        format_lazy(
            _(
                "This file is larger than the {limit} MB upload limit. Make it smaller (for example "
                "with File › Compress Pictures in Word) or split it, then upload it again."
            ),
            limit=_mb(max_bytes),
        ),
        413,
    )


def too_many_sections(count: int, limit: int) -> DocxRejected:
    """The rejection for a document with more headings than an outline can hold."""
    return DocxRejected(
        "too_many_sections",
        format_lazy(
            _(
                "This document has {count} headings; Outliner outlines documents with at most {limit}. "
                "Split it into smaller documents and upload them one by one."
            ),
            count=count,
            limit=limit,
        ),
        413,
    )


def no_text() -> DocxRejected:
    """The rejection for a well-formed document with nothing to outline (it failed at Generate)."""
    return DocxRejected(
        "no_text",
        _(
            "This document has no text to outline: no headings and no paragraphs were found in it. "
            "Check that it is the file you meant, then upload it again."
        ),
        400,
    )


def _empty_file() -> DocxRejected:
    return DocxRejected(
        "empty_file",
        _("This file is empty (0 bytes). Check that you picked the right file and upload it again."),
        400,
    )


def _encrypted() -> DocxRejected:
    return DocxRejected(
        "encrypted_document",
        _(
            "This document is password-protected, so it cannot be read. Remove the password in Word "
            "(File › Info › Protect Document › Encrypt with Password, clear the box), save, and upload "
            "it again."
        ),
        415,
    )


def _legacy_doc() -> DocxRejected:
    return DocxRejected(
        "legacy_doc",
        _(
            "This is an old-style .doc (Word 97-2003) file. Open it in Word and use File › Save As › "
            "Word Document (.docx), then upload the .docx."
        ),
        415,
    )


def _not_docx(kind: str | Promise) -> DocxRejected:
    return DocxRejected(
        "not_docx",
        format_lazy(
            _(
                "This file is {kind}, not a Word document. Only .docx files are accepted: open it in "
                "Word (or another word processor) and save it as Word Document (.docx)."
            ),
            kind=kind,
        ),
        415,
    )


def _macro_enabled() -> DocxRejected:
    return DocxRejected(
        "macro_enabled",
        _(
            "This is a macro-enabled Word file (.docm/.dotm), which we do not accept. In Word use "
            "File › Save As › Word Document (.docx) to save a copy without macros, then upload that."
        ),
        415,
    )


def _strict_ooxml() -> DocxRejected:
    return DocxRejected(
        "strict_ooxml",
        _(
            "This document is saved in the “Strict Open XML” format, which we cannot read. In Word use "
            "File › Save As and choose “Word Document (.docx)” (not “Strict Open XML Document”), "
            "then upload it again."
        ),
        415,
    )


def _corrupt(detail: str | Promise) -> DocxRejected:
    return DocxRejected(
        "corrupt_file",
        format_lazy(
            _(
                "This file is damaged or incomplete ({detail}). If it opens in Word, save it again "
                "with File › Save As › Word Document (.docx); otherwise upload it again from the original."
            ),
            detail=detail,
        ),
        400,
    )


def _zip_bomb(detail: str | Promise) -> DocxRejected:
    return DocxRejected(
        "zip_bomb",
        format_lazy(
            _(
                "This file was refused as a possible “zip bomb” ({detail}); a real Word document does not "
                "unpack like that. If it is a genuine document, remove very large embedded files, save it "
                "again and upload it."
            ),
            detail=detail,
        ),
        413,
    )


def _xml_doctype(part: str) -> DocxRejected:
    return DocxRejected(
        "xml_doctype",
        format_lazy(
            _(
                "Part {part} of this file contains a DOCTYPE/entity declaration, which Word never writes; "
                "it was refused for safety (XXE / “billion laughs”). Re-save the document from Word and "
                "upload it again."
            ),
            part=part,
        ),
        400,
    )


def _too_complex() -> DocxRejected:
    return DocxRejected(
        "too_complex",
        _(
            "This document is built in a way we cannot read safely: its content is nested more than "
            "256 levels deep (tables inside tables, content controls) or holds over 10 MB of text in "
            "one piece. Simplify it in Word (for example split the table or the paragraph), save it "
            "and upload it again."
        ),
        400,
    )


# ----------------------------------------------------------------------------- sniffing

# Ordered: first match wins. Only formats people plausibly rename to .docx by mistake.
_MAGICS: list[tuple[bytes, str | Promise]] = [
    (b"%PDF", _("a PDF document")),
    (b"\x89PNG\r\n\x1a\n", _("a PNG image")),
    (b"\xff\xd8\xff", _("a JPEG image")),
    (b"GIF87a", _("a GIF image")),
    (b"GIF89a", _("a GIF image")),
    (b"II*\x00", _("a TIFF image")),
    (b"MM\x00*", _("a TIFF image")),
    (b"\x7fELF", _("a Linux/Unix program (ELF executable)")),
    (b"{\\rtf", _("a Rich Text Format (.rtf) file")),
    (b"Rar!\x1a\x07", _("a RAR archive")),
    (b"7z\xbc\xaf\x27\x1c", _("a 7-Zip archive")),
    (b"\x1f\x8b", _("a gzip-compressed file")),
]


def _sniff_binary(data: bytes) -> str | Promise | None:
    """Name the format of well-known non-ZIP files, or None."""
    for magic, kind in _MAGICS:
        if data.startswith(magic):
            return kind
    if data.startswith(b"MZ"):
        # "MZ" alone could start a text file; a PE program also has "PE\0\0" at e_lfanew.
        if len(data) >= 0x40:
            (pe_offset,) = struct.unpack_from("<I", data, 0x3C)
            if data[pe_offset : pe_offset + 4] == b"PE\x00\x00":
                return _("a Windows program (.exe/.dll)")
        if not _looks_like_text(data[:4096]):
            return _("a DOS/Windows program (.exe)")
    return None


def _looks_like_text(head: bytes) -> bool:
    """True when the first bytes look like text in some common encoding (no binary noise)."""
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 text with a byte-order mark
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the 4 KiB window is still text.
        if exc.start >= len(head) - 3:
            return True
    # Legacy 8-bit encodings (GBK, Big5, Shift-JIS, Latin-1): accept if control bytes are rare.
    controls = sum(1 for b in head if b < 0x20 and b not in (0x09, 0x0A, 0x0C, 0x0D))
    return controls <= len(head) // 100


def _sniff_text(head: bytes) -> str | Promise:
    """Name a text-ish upload (HTML, XML, plain text)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore")
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    if 'progid="word.document"' in lowered or "<w:worddocument" in lowered or "<pkg:package" in lowered:
        return _("a Word XML document (.xml)")
    if lowered.startswith("<!doctype html") or lowered.startswith("<html") or "<html" in lowered[:2048]:
        return _("an HTML web page")
    if lowered.startswith("mime-version:") or "\nmime-version:" in lowered[:2048]:
        return _("a web archive (.mht)")
    if lowered.startswith("<?xml"):
        return _("an XML file")
    return _("a plain-text file")


def _ole2_verdict(data: bytes) -> DocxRejected:
    """Classify an OLE2/CFB container by the UTF-16-LE stream names in its directory."""

    def has(name: str) -> bool:
        return name.encode("utf-16-le") in data

    # Office "Agile/Standard" encryption wraps even a .docx in a CFB file with these streams.
    if has("EncryptionInfo") or has("EncryptedPackage"):
        return _encrypted()
    if has("WordDocument"):
        return _legacy_doc()
    # A .doc can embed a workbook, so these are only checked when WordDocument is absent.
    if has("Workbook") or has("Book"):
        return _not_docx(_("an old-style Excel workbook (.xls)"))
    if has("PowerPoint Document"):
        return _not_docx(_("an old-style PowerPoint presentation (.ppt)"))
    return _legacy_doc()


# ----------------------------------------------------------------------------- zip reading


class _Budget:
    """Running total of bytes actually inflated, across all members."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def take(self, amount: int) -> None:
        self.used += amount
        if self.used > self.limit:
            raise _zip_bomb(
                format_lazy(_("more than {limit} MB once unpacked"), limit=_mb(self.limit)),
            )


def _inflate_member(data: bytes, zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> bytes:
    """Decompress one member ourselves, never producing more than its declared size.

    zipfile trusts the sizes in the central directory; a bomb can declare 1 KB and inflate to
    gigabytes. We inflate the raw deflate stream in bounded slices, so output larger than the
    declared size (or than the global budget) is detected after at most one slice.
    """
    if info.flag_bits & 0x1:
        # ZIP-level (PKZIP/AES) encryption; Word never writes it.
        raise _encrypted()
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise _corrupt(format_lazy(_("missing local header for {name}"), name=info.filename))
    name_len, extra_len = struct.unpack_from("<HH", header, 26)
    start = offset + 30 + name_len + extra_len
    end = start + info.compress_size
    if end > len(data):
        raise _corrupt(format_lazy(_("{name} is cut off"), name=info.filename))
    declared = info.file_size
    lie = _zip_bomb(
        format_lazy(_("{name} expands beyond the size it declares"), name=info.filename),
    )

    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != declared:
            raise _corrupt(format_lazy(_("bad sizes for {name}"), name=info.filename))
        out = data[start:end]
        budget.take(len(out))
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        pieces: list[bytes] = []
        produced = 0
        pos = start
        pending = b""
        try:
            while True:
                if not pending:
                    if pos >= end:
                        break
                    pending = data[pos : min(pos + _CHUNK, end)]
                    pos += len(pending)
                # Ask for at most one byte more than is allowed: getting it proves the lie.
                piece = inflater.decompress(pending, declared - produced + 1)
                pending = inflater.unconsumed_tail
                if piece:
                    produced += len(piece)
                    if produced > declared:
                        raise lie
                    budget.take(len(piece))
                    pieces.append(piece)
                if inflater.eof:
                    break
                if not piece and not pending and pos >= end:
                    break
            tail = inflater.flush()
        except zlib.error as exc:
            raise _corrupt(format_lazy(_("{name} cannot be decompressed"), name=info.filename)) from exc
        if tail:
            produced += len(tail)
            if produced > declared:
                raise lie
            budget.take(len(tail))
            pieces.append(tail)
        if not inflater.eof:
            raise _corrupt(format_lazy(_("{name} is cut off"), name=info.filename))
        out = b"".join(pieces)
    else:
        # bzip2/lzma members are legal ZIP but never written by Word; zipfile still bounds them
        # by the declared size, and we read in slices against the budget.
        out = _read_via_zipfile(zf, info, budget)

    if len(out) != declared:
        raise _corrupt(format_lazy(_("{name} has the wrong size"), name=info.filename))
    if zlib.crc32(out) != info.CRC:
        raise _corrupt(format_lazy(_("checksum mismatch in {name}"), name=info.filename))
    return out


def _read_via_zipfile(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> bytes:
    pieces: list[bytes] = []
    try:
        with zf.open(info) as handle:
            while chunk := handle.read(_CHUNK):
                budget.take(len(chunk))
                pieces.append(chunk)
    except DocxRejected:
        raise
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, ValueError) as exc:
        raise _corrupt(format_lazy(_("{name} cannot be decompressed"), name=info.filename)) from exc
    return b"".join(pieces)


def _check_declared_sizes(infos: list[zipfile.ZipInfo], max_uncompressed: int, max_ratio: int) -> None:
    """Refuse bombs from the central directory alone, before inflating anything."""
    if len(infos) > MAX_MEMBERS:
        raise _zip_bomb(
            format_lazy(_("{count} files inside; the limit is {limit}"), count=len(infos), limit=MAX_MEMBERS)
        )
    total = sum(info.file_size for info in infos)
    if total > max_uncompressed:
        raise _zip_bomb(format_lazy(_("it declares {size} MB once unpacked"), size=_mb(total)))
    for info in infos:
        if info.file_size >= RATIO_MIN_UNCOMPRESSED and info.file_size > max_ratio * max(
            info.compress_size, 1
        ):
            raise _zip_bomb(
                format_lazy(
                    _("{name} is compressed more than {ratio}:1"), name=info.filename, ratio=max_ratio
                )
            )


# ----------------------------------------------------------------------------- package parts


def _has_dtd(part: bytes) -> bool:
    """Byte scan for DOCTYPE/ENTITY declarations, also in UTF-16/UTF-32 encoded parts.

    Markup characters are ASCII; in UTF-16/32 they are interleaved with NUL bytes, which we
    drop before scanning. The scan errs on the safe side (a declaration inside a comment is
    refused too), which is fine because Word never writes either.
    """
    if b"\x00" in part[:4]:
        part = part.replace(b"\x00", b"")
    return b"<!DOCTYPE" in part or b"<!ENTITY" in part


def _parse_safe(raw: bytes, name: str) -> Any:
    """Parse a small package part with defusedxml (DTDs and entities forbidden)."""
    try:
        return SafeET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except SafeET.ParseError as exc:
        raise _corrupt(format_lazy(_("{name} is not valid XML"), name=name)) from exc
    except Exception as exc:  # defusedxml's DTDForbidden etc.; the byte scan should have caught it
        raise _xml_doctype(name) from exc


@dataclass
class _ContentTypes:
    defaults: dict[str, str]
    overrides: dict[str, str]

    def lookup(self, partname: str) -> str | None:
        """Content type of a part ("/word/document.xml"); OPC part names are case-insensitive."""
        found = self.overrides.get(partname.lower())
        if found is not None:
            return found
        ext = posixpath.splitext(partname)[1].lstrip(".").lower()
        return self.defaults.get(ext)


def _content_types(raw: bytes) -> _ContentTypes:
    root = _parse_safe(raw, "[Content_Types].xml")
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    for el in root:
        if el.tag == f"{{{NS_CT}}}Default":
            defaults[(el.get("Extension") or "").lower()] = (el.get("ContentType") or "").strip()
        elif el.tag == f"{{{NS_CT}}}Override":
            overrides[(el.get("PartName") or "").lower()] = (el.get("ContentType") or "").strip()
    return _ContentTypes(defaults, overrides)


def _is_xml_member(name: str, types: _ContentTypes | None) -> bool:
    """Members that an XML parser may read: by extension, or by declared content type."""
    lowered = name.lower()
    if lowered.endswith((".xml", ".rels", ".vml")):
        return True
    if types is None or name.endswith("/"):
        return False
    content_type = types.lookup("/" + name) or ""
    return "xml" in content_type.lower()


def _source_part_of(rels_name: str) -> str:
    """'word/_rels/document.xml.rels' -> 'word/document.xml'; '_rels/.rels' -> '' (package)."""
    folder, base = posixpath.split(rels_name)
    parent = posixpath.dirname(folder)
    source = base[: -len(".rels")]
    return posixpath.join(parent, source) if source else ""


def _resolve_target(source_part: str, target: str) -> str:
    """Zip member name a relationship points at (internal targets only).

    Resolved as python-docx does (``PackURI.from_rel_ref``), so a target we find is the one it
    loads: ".." above the package root stays at the root.
    """
    base = "/" + posixpath.dirname(source_part)
    return posixpath.normpath(posixpath.join(base, target)).lstrip("/")


def _rels_name_of(part: str) -> str:
    """'word/document.xml' -> 'word/_rels/document.xml.rels'; '' (package) -> '_rels/.rels'."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _main_part_verdict(members: dict[str, bytes], names: set[str]) -> str:
    """Refuse packages whose main part is not a transitional Word document; name the main part."""
    ct_raw = members.get("[Content_Types].xml")
    if ct_raw is None:
        raise _not_docx(_zip_kind(members, names))
    types = _content_types(ct_raw)

    main_part = "word/document.xml"
    rels_raw = members.get("_rels/.rels")
    if rels_raw is not None:
        for rel in _parse_safe(rels_raw, "_rels/.rels"):
            rel_type = (rel.get("Type") or "").strip()
            if rel_type == REL_OFFICE_DOCUMENT_STRICT:
                raise _strict_ooxml()
            if rel_type == REL_OFFICE_DOCUMENT and (rel.get("TargetMode") or "Internal") == "Internal":
                main_part = _resolve_target("", (rel.get("Target") or "").strip())
                break

    content_type = (types.lookup("/" + main_part) or "").lower()
    if content_type == CT_DOCX_MAIN:
        if main_part not in names:
            raise _corrupt(format_lazy(_("the main document part {name} is missing"), name=main_part))
        return main_part
    if content_type in CT_MACRO_MAINS:
        raise _macro_enabled()
    if content_type == CT_DOTX_MAIN:
        raise _not_docx(_("a Word template (.dotx)"))
    # No recognisable main part: say what the package looks like instead.
    all_types = " ".join(types.overrides.values()).lower() + " " + content_type
    if "spreadsheetml" in all_types or "ms-excel" in all_types:
        raise _not_docx(_("an Excel workbook"))
    if "presentationml" in all_types or "ms-powerpoint" in all_types:
        raise _not_docx(_("a PowerPoint presentation"))
    if "ms-visio" in all_types:
        raise _not_docx(_("a Visio drawing"))
    raise _not_docx(_("an Office package that is not a Word document"))


def _zip_kind(members: dict[str, bytes], names: set[str]) -> str | Promise:
    """Describe a ZIP archive without [Content_Types].xml (ODF, EPUB, JAR or plain ZIP)."""
    mimetype = members.get("mimetype", b"").strip().decode("ascii", errors="ignore")
    if mimetype == "application/vnd.oasis.opendocument.text":
        return _("an OpenDocument text file (.odt)")
    if mimetype.startswith("application/vnd.oasis.opendocument.spreadsheet"):
        return _("an OpenDocument spreadsheet (.ods)")
    if mimetype.startswith("application/vnd.oasis.opendocument.presentation"):
        return _("an OpenDocument presentation (.odp)")
    if mimetype.startswith("application/vnd.oasis.opendocument"):
        return _("an OpenDocument file")
    if mimetype == "application/epub+zip":
        return _("an e-book (.epub)")
    if "META-INF/MANIFEST.MF" in names:
        return _("a Java archive (.jar)")
    if not names:
        return _("an empty ZIP archive")
    return _("a ZIP archive")


# ----------------------------------------------------------------------------- repairs

WARNING_METADATA_UNREADABLE = "metadata_unreadable"
WARNING_PART_UNREADABLE = "part_unreadable"
WARNING_MISSING_PART = "missing_part"
WARNING_MORE = "more_warnings"


def warning_message(code: str, part: str) -> str:
    """The sentence people read for a stored warning ``{"code", "part"}``, in the active language."""
    # Without its styles python-docx uses built-in defaults that have no "Heading N": worth saying,
    # because the outline then rests on outline levels and formatting alone.
    styles = posixpath.basename(part).lower() == "styles.xml"
    if code == WARNING_MORE:
        count = int(part) if part.isdigit() else 0
        more = ngettext("%(count)s more part was skipped.", "%(count)s more parts were skipped.", count)
        return more % {"count": count}
    if code == WARNING_METADATA_UNREADABLE:
        message = _("The document's properties ({part}) could not be read and were skipped.")
    elif code == WARNING_PART_UNREADABLE and styles:
        message = _(
            "The document's styles ({part}) could not be read and were skipped, so headings could not "
            "be recognised by their style."
        )
    elif code == WARNING_PART_UNREADABLE:
        message = _("A part of the document ({part}) could not be read and was skipped.")
    elif code == WARNING_MISSING_PART and styles:
        message = _(
            "The document's styles ({part}) are missing, so headings could not be recognised by their style."
        )
    elif code == WARNING_MISSING_PART:
        message = _("A picture or other part the document refers to ({part}) is missing and was skipped.")
    else:
        message = _("A part of the document ({part}) was repaired.")
    return str(format_lazy(message, part=part))


@dataclass
class _Repairs:
    replaced: dict[str, bytes]  # rewritten .rels parts and [Content_Types].xml
    removed: set[str]  # members left out of the stored copy
    warnings: list[dict[str, str]]


def _internal_relationships(root: Any) -> list[Any]:
    # External ones are _strip_external's (case-insensitively, as there), never loaded as parts.
    return [
        rel
        for rel in root
        if rel.tag == f"{{{NS_RELS}}}Relationship"
        and (rel.get("TargetMode") or "").strip().lower() != "external"
    ]


def _well_formed(raw: bytes) -> bool:
    """Whether python-docx's parser (lxml, same limits: no huge_tree) reads the part."""
    try:
        etree.fromstring(raw, _REWRITE_PARSER)  # the tree is dropped at once
    except etree.XMLSyntaxError:
        return False
    return True


def _is_xml_type(content_type: str) -> bool:
    """Content types whose parts are XML to any reader. Stricter than _is_xml_member, which
    byte-scans anything that merely mentions xml (an embedded .docx is "...openxmlformats...")."""
    essence = content_type.split(";")[0].strip().lower()
    return essence.endswith("+xml") or essence in ("application/xml", "text/xml")


def _unreadable_code(part: str) -> str:
    return WARNING_METADATA_UNREADABLE if part.lower().startswith("docprops/") else WARNING_PART_UNREADABLE


def _bounded(warnings: list[dict[str, str]]) -> list[dict[str, str]]:
    if len(warnings) <= MAX_WARNINGS:
        return warnings
    kept = warnings[: MAX_WARNINGS - 1]
    return [*kept, {"code": WARNING_MORE, "part": str(len(warnings) - len(kept))}]


def _repair_parts(
    members: dict[str, bytes], names: set[str], types: _ContentTypes, main_part: str
) -> _Repairs:
    """Drop what python-docx would fail to load and the text does not need.

    The relationship graph is walked from the package as python-docx walks it (each part once,
    targets resolved alike), so exactly the parts it would load are judged. A relationship whose
    internal target the zip lacks is removed (``missing_part``). A part other than the main one
    that is malformed XML, has malformed relationships or no content type is removed with every
    relationship to it and its content-type override (``metadata_unreadable`` for docProps/,
    else ``part_unreadable``); what only it pointed at is no longer loaded and stays as it is.
    The main part is left to python-docx: if it is damaged the upload is refused. Each part is
    parsed at most once, so this stays linear in the size of the upload.
    """
    kept_rels: dict[str, tuple[str, Any]] = {}  # .rels member -> (its source part, parsed)
    gone: dict[str, str] = {}  # member -> warning code, in the order found

    def rels_of(part: str) -> Any | None:
        """The part's parsed relationships, None without any; ValueError if python-docx cannot
        read them (malformed, or another root element: it has no Relationship list then)."""
        raw = members.get(_rels_name_of(part))
        if raw is None:
            return None
        try:
            root = etree.fromstring(raw, _REWRITE_PARSER)
        except etree.XMLSyntaxError as exc:
            raise ValueError(part) from exc
        if root.tag != f"{{{NS_RELS}}}Relationships":
            raise ValueError(part)
        return root

    def essential_rels_of(part: str) -> Any | None:
        try:
            return rels_of(part)
        except ValueError as exc:
            raise _corrupt(format_lazy(_("{name} is not valid XML"), name=_rels_name_of(part))) from exc

    pending: deque[tuple[str, Any | None]] = deque([("", essential_rels_of(""))])
    seen: set[str] = set()
    while pending:
        source, rels = pending.popleft()
        if rels is None:
            continue
        kept_rels[_rels_name_of(source)] = (source, rels)
        for rel in _internal_relationships(rels):
            member = _resolve_target(source, rel.get("Target") or "")
            if member in seen:
                continue
            seen.add(member)
            if member not in names:
                gone[member] = WARNING_MISSING_PART
                continue
            if member == main_part:
                pending.append((member, essential_rels_of(member)))
                continue
            code = _unreadable_code(member)
            # python-docx needs a content type for every part it loads (KeyError otherwise).
            content_type = types.lookup("/" + member)
            if content_type is None or (
                _is_xml_type(content_type) and member in members and not _well_formed(members[member])
            ):
                gone[member] = code
                continue
            try:
                pending.append((member, rels_of(member)))
            except ValueError:
                gone[member] = code

    if not gone:
        return _Repairs({}, set(), [])
    replaced: dict[str, bytes] = {}
    for rels_name, (source, root) in kept_rels.items():
        doomed = [
            rel
            for rel in _internal_relationships(root)
            if _resolve_target(source, rel.get("Target") or "") in gone
        ]
        if doomed:
            for rel in doomed:
                root.remove(rel)
            replaced[rels_name] = etree.tostring(
                root, xml_declaration=True, encoding="UTF-8", standalone=True
            )
    partnames = {"/" + member.lower() for member in gone}
    types_root = etree.fromstring(members["[Content_Types].xml"], _REWRITE_PARSER)
    overrides = [
        el
        for el in types_root
        if el.tag == f"{{{NS_CT}}}Override" and (el.get("PartName") or "").lower() in partnames
    ]
    if overrides:
        for el in overrides:
            types_root.remove(el)
        replaced["[Content_Types].xml"] = etree.tostring(
            types_root, xml_declaration=True, encoding="UTF-8", standalone=True
        )
    removed: set[str] = set()
    for member, code in gone.items():
        if code != WARNING_MISSING_PART:
            removed |= {member, _rels_name_of(member)} & names
    warnings = [{"code": code, "part": _shown_part(member)} for member, code in gone.items()]
    return _Repairs(replaced, removed, _bounded(warnings))


def _shown_part(member: str) -> str:
    # A missing target is whatever the Target attribute said, of any length: bounded like the
    # stripped relationships' targets, since every warning is stored and shown.
    if len(member) > 300:
        return member[:300] + "…"
    return member or "/"


# ----------------------------------------------------------------------------- external relationships


def _strip_external(members: dict[str, bytes]) -> tuple[dict[str, bytes], list[str]]:
    """Remove non-hyperlink external relationships; return rewritten parts and descriptions."""
    replaced: dict[str, bytes] = {}
    stripped: list[str] = []
    for name in sorted(members):
        if not name.lower().endswith(".rels"):
            continue
        raw = members[name]
        # Cheap pre-filter (most .rels parts have nothing external); NULs dropped for UTF-16.
        probe = raw.replace(b"\x00", b"") if b"\x00" in raw[:4] else raw
        if b"External" not in probe and b"external" not in probe:
            continue
        try:
            root = etree.fromstring(raw, _REWRITE_PARSER)
        except etree.XMLSyntaxError as exc:
            raise _corrupt(format_lazy(_("{name} is not valid XML"), name=name)) from exc
        removed_ids: dict[str, str] = {}
        for rel in list(root):
            if rel.tag != f"{{{NS_RELS}}}Relationship":
                continue
            if (rel.get("TargetMode") or "").strip().lower() != "external":
                continue
            rel_type = (rel.get("Type") or "").strip()
            short_type = rel_type.rsplit("/", 1)[-1] or "relationship"
            if short_type == "hyperlink":
                continue  # ordinary links in the text; never fetched by us
            target = (rel.get("Target") or "").strip()
            if len(target) > 300:
                target = target[:300] + "…"
            stripped.append(f"{short_type} → {target}")
            removed_ids[rel.get("Id") or ""] = rel_type
            root.remove(rel)
        if not removed_ids:
            continue
        replaced[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        # w:attachedTemplate in settings.xml is optional; dropping it with its relationship keeps
        # Word from complaining about a dangling r:id. Other references (linked images, OLE
        # links) are left dangling: python-docx ignores them and Word shows a placeholder.
        template_ids = {rid for rid, rtype in removed_ids.items() if rtype == REL_ATTACHED_TEMPLATE}
        source = _source_part_of(name)
        if template_ids and source in members:
            rewritten = _drop_attached_template(members[source], template_ids)
            if rewritten is not None:
                replaced[source] = rewritten
    return replaced, stripped


def _drop_attached_template(raw: bytes, rel_ids: set[str]) -> bytes | None:
    try:
        root = etree.fromstring(raw, _REWRITE_PARSER)
    except etree.XMLSyntaxError:
        return None  # python-docx will judge this part later
    changed = False
    for el in root.findall(f"{{{NS_W}}}attachedTemplate"):
        if el.get(f"{{{NS_R}}}id") in rel_ids:
            root.remove(el)
            changed = True
    if not changed:
        return None
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _rebuild_zip(zf: zipfile.ZipFile, replaced: dict[str, bytes], removed: set[str] | None = None) -> bytes:
    """Copy every member in order, substituting rewritten parts and leaving out removed ones."""
    out = io.BytesIO()
    # strict_timestamps=False: odd DOS dates in the source must not make the copy fail.
    with zipfile.ZipFile(out, "w", strict_timestamps=False) as new:
        for info in zf.infolist():
            if removed and info.filename in removed:
                continue
            payload = replaced.get(info.filename)
            if payload is None:
                payload = zf.read(info)  # already verified (size + CRC) by _inflate_member
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.compress_type = (
                zipfile.ZIP_STORED if info.compress_type == zipfile.ZIP_STORED else zipfile.ZIP_DEFLATED
            )
            copy.external_attr = info.external_attr
            new.writestr(copy, payload)
    return out.getvalue()


# ----------------------------------------------------------------------------- entry point


def docx_validate(
    data: bytes, *, max_bytes: int, max_uncompressed_bytes: int, max_ratio: int
) -> ValidatedDocx:
    """Validate an upload; return the bytes to store (and their parse) or raise ``DocxRejected``.

    Order matters: each step only runs once the cheaper steps before it have passed, and no
    XML parser runs before every XML part has been inflated under a budget and byte-scanned.
    Repairs (``warnings``) and stripped relationships are made to the bytes before python-docx's
    trial open, so what is stored is what was opened.
    """
    if not data:
        raise _empty_file()
    if len(data) > max_bytes:
        raise file_too_large(max_bytes)

    if data.startswith(OLE2_MAGIC):
        raise _ole2_verdict(data)
    if not data.startswith(ZIP_MAGICS):
        kind = _sniff_binary(data)
        if kind is None:
            kind = (
                _sniff_text(data[:4096])
                if _looks_like_text(data[:4096])
                else _("in a format we do not recognise")
            )
        raise _not_docx(kind)

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, struct.error) as exc:
        raise _corrupt(_("the ZIP structure is truncated or broken")) from exc

    with zf:
        seen: set[str] = set()
        for info in infos:
            # OPC part names are case-insensitive; two entries for one part is an ambiguity an
            # attacker could use to show us one part and Word another.
            key = info.filename.lower()
            if key in seen:
                raise _corrupt(format_lazy(_("duplicate entry {name}"), name=info.filename))
            seen.add(key)
        names = {info.filename for info in infos}

        _check_declared_sizes(infos, max_uncompressed_bytes, max_ratio)

        # Inflate everything (verifying size and CRC), keep only the XML parts in memory.
        budget = _Budget(max_uncompressed_bytes)
        xml_parts: dict[str, bytes] = {}
        types: _ContentTypes | None = None
        ordered = sorted(infos, key=lambda i: i.filename != "[Content_Types].xml")  # types first
        for info in ordered:
            if info.is_dir():
                continue
            payload = _inflate_member(data, zf, info, budget)
            if info.filename == "[Content_Types].xml":
                if _has_dtd(payload):
                    raise _xml_doctype(info.filename)
                types = _content_types(payload)
            if info.filename == "mimetype" or _is_xml_member(info.filename, types):
                if _has_dtd(payload):
                    raise _xml_doctype(info.filename)
                xml_parts[info.filename] = payload

        main_part = _main_part_verdict(xml_parts, names)
        assert types is not None  # _main_part_verdict refused a package without content types

        # Repairs first, so _strip_external only sees relationships parts that are kept.
        repairs = _repair_parts(xml_parts, names, types, main_part)
        kept = {
            name: repairs.replaced.get(name, raw)
            for name, raw in xml_parts.items()
            if name not in repairs.removed
        }
        replaced, stripped = _strip_external(kept)
        replaced = {**repairs.replaced, **replaced}
        result = _rebuild_zip(zf, replaced, repairs.removed) if replaced or repairs.removed else data

    try:
        parsed = docx.Document(io.BytesIO(result))
    except etree.XMLSyntaxError as exc:
        # libxml2's limits without XML_PARSE_HUGE (python-docx never sets it): depth 256 and
        # 10 MB per text node. Hitting one says "too complex", not "damaged".
        if exc.code == etree.ErrorTypes.ERR_RESOURCE_LIMIT or "XML_PARSE_HUGE" in str(exc):
            raise _too_complex() from exc
        raise _corrupt(_("Word document parts could not be read")) from exc
    except Exception as exc:  # python-docx raises many types (KeyError, ValueError, lxml errors...)
        raise _corrupt(_("Word document parts could not be read")) from exc
    return ValidatedDocx(
        data=result, stripped_relationships=stripped, warnings=repairs.warnings, document=parsed
    )
