"""Build .docx files and hostile look-alikes in memory for tests (python-docx + zipfile only).

Nothing here touches the filesystem. Text is deliberately mixed Chinese/English because
that is what our users write.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

MIB = 1024 * 1024
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
DOTX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
STRICT_OFFICE_DOCUMENT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
TRANSITIONAL_OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
# python-docx has no constant for this one.
ATTACHED_TEMPLATE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"
SUBDOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/subDocument"
FRAME = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/frame"


# ----------------------------------------------------------------------------- real documents


def save(doc: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def build_docx(build: Callable[[DocxDocument], None] | None = None) -> bytes:
    """A real .docx from python-docx's default template, shaped by `build`."""
    doc = Document()
    if build is not None:
        build(doc)
    return save(doc)


def simple_docx() -> bytes:
    """Two headings with Chinese and English body text."""

    def build(doc: DocxDocument) -> None:
        doc.add_heading("总则 Introduction", level=1)
        doc.add_paragraph("本文件说明系统的目标。This document explains the goals.")
        doc.add_heading("范围", level=2)
        doc.add_paragraph("适用于所有部门。")

    return build_docx(build)


def set_outline_level(paragraph: Paragraph, value: int) -> None:
    """Direct paragraph formatting <w:outlineLvl w:val=value/> (0-8 headings, 9 body text)."""
    ppr = paragraph._p.get_or_add_pPr()
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(value))
    ppr.append(outline)


def add_style_outline_level(doc: DocxDocument, name: str, value: int, base: str | None = None) -> str:
    """A custom paragraph style carrying w:outlineLvl (like the Korean thesis template)."""
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if base is not None:
        style.base_style = doc.styles[base]
    ppr = style.element.get_or_add_pPr()
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(value))
    ppr.append(outline)
    return name


def add_hyperlink(paragraph: Paragraph, url: str, text: str) -> str:
    """An external hyperlink run; returns its relationship id."""
    rid = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)
    return rid


def external_relationships_docx(template_url: str = "http://evil.example/t.dotm") -> bytes:
    """A document with a remote attachedTemplate, an external OLE object and image link, and
    two ordinary hyperlinks that must survive."""

    def build(doc: DocxDocument) -> None:
        doc.add_heading("外部链接 External links", level=1)
        add_hyperlink(doc.add_paragraph("参见 "), "https://example.com/报告", "example")
        add_hyperlink(doc.add_paragraph("Mail "), "mailto:someone@example.com", "someone")
        settings_part = doc.part._settings_part
        rid = settings_part.relate_to(template_url, ATTACHED_TEMPLATE, is_external=True)
        attached = OxmlElement("w:attachedTemplate")
        attached.set(qn("r:id"), rid)
        doc.settings.element.insert(0, attached)
        doc.part.relate_to("file:///C:/Users/x/object.xlsx", RT.OLE_OBJECT, is_external=True)
        doc.part.relate_to("http://tracker.example/pixel.png", RT.IMAGE, is_external=True)

    return build_docx(build)


# ----------------------------------------------------------------------------- zip surgery


def zip_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def make_zip(members: Iterable[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, payload in members:
            zf.writestr(name, payload)
    return buffer.getvalue()


def with_members(data: bytes, changes: dict[str, bytes | None]) -> bytes:
    """Copy a zip, replacing (bytes), removing (None) or appending members."""
    members = zip_members(data)
    for name, payload in changes.items():
        if payload is None:
            members.pop(name, None)
        else:
            members[name] = payload
    return make_zip(members.items())


def with_main_content_type(data: bytes, content_type: str) -> bytes:
    types = zip_members(data)["[Content_Types].xml"].decode()
    return with_members(data, {"[Content_Types].xml": types.replace(DOCX_MAIN, content_type).encode()})


def macro_enabled_docx() -> bytes:
    """A .docm: macro-enabled main content type plus a (fake) VBA project part."""
    data = with_main_content_type(simple_docx(), DOCM_MAIN)
    return with_members(data, {"word/vbaProject.bin": OLE2_MAGIC + b"\x00" * 504})


def template_dotx() -> bytes:
    return with_main_content_type(simple_docx(), DOTX_MAIN)


def strict_ooxml_docx() -> bytes:
    """Package relationship of the Strict flavour, as Word writes for "Strict Open XML"."""
    data = simple_docx()
    rels = zip_members(data)["_rels/.rels"].decode()
    return with_members(
        data, {"_rels/.rels": rels.replace(TRANSITIONAL_OFFICE_DOCUMENT, STRICT_OFFICE_DOCUMENT).encode()}
    )


def xlsx_like() -> bytes:
    """Minimal spreadsheet package (enough for content sniffing)."""
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{XLSX_MAIN}"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{TRANSITIONAL_OFFICE_DOCUMENT}" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    workbook = '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    return make_zip(
        [
            ("[Content_Types].xml", types.encode()),
            ("_rels/.rels", rels.encode()),
            ("xl/workbook.xml", workbook.encode()),
        ]
    )


def odt_like() -> bytes:
    """OpenDocument text: a 'mimetype' member first, no [Content_Types].xml."""
    return make_zip(
        [
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            (
                "content.xml",
                b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>',
            ),
        ],
        compression=zipfile.ZIP_STORED,
    )


def plain_zip() -> bytes:
    return make_zip([("notes.txt", "会议纪要".encode())])


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
XXE = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def doctype_docx(
    declaration: str = BILLION_LAUGHS, part: str = "word/document.xml", encoding: str = "utf-8"
) -> bytes:
    """Insert a DOCTYPE right after the XML declaration of `part` (re-encoded if asked)."""
    data = simple_docx()
    xml = zip_members(data)[part].decode("utf-8")
    end = xml.index("?>") + 2 if xml.startswith("<?xml") else 0
    body = xml[end:]
    if encoding == "utf-8":
        new = xml[:end] + declaration + body
        payload = new.encode("utf-8")
    else:
        head = f'<?xml version="1.0" encoding="{encoding.upper()}" standalone="yes"?>'
        payload = (head + declaration + body).encode(encoding)
    return with_members(data, {part: payload})


def compressible_bomb(size: int = 16 * MIB) -> bytes:
    """A valid document plus one huge, extremely compressible member (ratio ~1000:1)."""
    return with_members(simple_docx(), {"word/media/zeros.bin": b"\x00" * size})


def lying_size_bomb(actual: int = 20 * MIB, declared: int = 1000) -> bytes:
    """A member whose central-directory and local-header sizes claim `declared` bytes while
    its deflate stream really inflates to `actual` bytes. The CRC matches the real content."""
    name = "word/media/payload.bin"
    data = with_members(simple_docx(), {name: b"\x00" * actual})
    buffer = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
    struct.pack_into("<I", buffer, info.header_offset + 22, declared)  # local header: uncompressed size
    encoded = name.encode()
    pos = buffer.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", buffer, pos + 28)[0]
        if bytes(buffer[pos + 46 : pos + 46 + name_len]) == encoded:
            struct.pack_into("<I", buffer, pos + 24, declared)  # central directory: uncompressed size
            break
        pos = buffer.find(b"PK\x01\x02", pos + 4)
    return bytes(buffer)


def many_members(count: int = 5001) -> bytes:
    members = list(zip_members(simple_docx()).items())
    members += [(f"customXml/item{i}.bin", b"x") for i in range(count)]
    return make_zip(members)


def truncated(data: bytes, keep: float = 0.6) -> bytes:
    """Cut the file: the central directory at the end is lost."""
    return data[: int(len(data) * keep)]


def bad_crc(data: bytes, member: str = "word/document.xml") -> bytes:
    """Store `member` uncompressed and flip one byte of it, so only the CRC can notice."""
    members = zip_members(data)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, payload in members.items():
            zf.writestr(
                name, payload, compress_type=zipfile.ZIP_STORED if name == member else zipfile.ZIP_DEFLATED
            )
    raw = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as zf:
        info = zf.getinfo(member)
    name_len, extra_len = struct.unpack_from("<HH", raw, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    target = start + info.compress_size - 20  # inside the XML, away from the declaration
    raw[target] = ord("X") if raw[target] != ord("X") else ord("Y")
    return bytes(raw)


def tiny_png() -> bytes:
    """A valid 1x1 PNG, for python-docx add_picture."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


# ----------------------------------------------------------------------------- damage Word repairs

FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
# Cut off mid-element, as a crashed save or a bad copy leaves a part.
BROKEN_XML = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="x"><w:footnote'


def _member_text(data: bytes, name: str) -> str:
    return zip_members(data)[name].decode("utf-8")


def with_related_part(
    data: bytes, name: str, reltype: str, content_type: str, payload: bytes, rel_id: str = "rId900"
) -> bytes:
    """Add member `name` (e.g. "word/footnotes.xml") related from the main document part, with
    its content-type override, as Word writes a part python-docx cannot make."""
    target = name.removeprefix("word/")
    rels = _member_text(data, "word/_rels/document.xml.rels").replace(
        "</Relationships>",
        f'<Relationship Id="{rel_id}" Type="{reltype}" Target="{target}"/></Relationships>',
    )
    types = _member_text(data, "[Content_Types].xml").replace(
        "</Types>", f'<Override PartName="/{name}" ContentType="{content_type}"/></Types>'
    )
    return with_members(
        data,
        {name: payload, "word/_rels/document.xml.rels": rels.encode(), "[Content_Types].xml": types.encode()},
    )


def malformed_core_docx(base: bytes | None = None) -> bytes:
    """simple_docx (or `base`) whose docProps/core.xml is cut off: metadata only, text intact."""
    data = base if base is not None else simple_docx()
    core = zip_members(data)["docProps/core.xml"]
    return with_members(data, {"docProps/core.xml": core[: len(core) // 2]})


def picture_docx() -> bytes:
    """Headings, text and one picture (word/media/image1.png)."""

    def build(doc: DocxDocument) -> None:
        doc.add_heading("图片 Pictures", level=1)
        doc.add_paragraph("图片之前的正文。Text before the picture.")
        doc.add_picture(io.BytesIO(tiny_png()))
        doc.add_heading("说明 Notes", level=2)
        doc.add_paragraph("图片之后的正文。Text after the picture.")

    return build_docx(build)


def missing_image_docx(base: bytes | None = None) -> bytes:
    """picture_docx (or `base`) with its image members deleted; the relationships remain."""
    data = base if base is not None else picture_docx()
    return with_members(data, {name: None for name in zip_members(data) if name.startswith("word/media/")})


def malformed_core_and_missing_image_docx() -> bytes:
    """Both kinds of damage in one file (what the e2e journey uploads)."""
    return malformed_core_docx(missing_image_docx())


def comments_docx() -> bytes:
    """A document with one comment (python-docx writes word/comments.xml)."""

    def build(doc: DocxDocument) -> None:
        doc.add_heading("批注 Comments", level=1)
        paragraph = doc.add_paragraph("有批注的段落。A paragraph with a comment.")
        doc.add_comment(paragraph.runs, text="请核对 Please check", author="审阅者")

    return build_docx(build)


def malformed_comments_docx() -> bytes:
    data = comments_docx()
    comments = zip_members(data)["word/comments.xml"]
    return with_members(data, {"word/comments.xml": comments[: len(comments) // 2]})


def malformed_footnotes_docx() -> bytes:
    """simple_docx with a word/footnotes.xml part that is cut off."""
    return with_related_part(simple_docx(), "word/footnotes.xml", RT.FOOTNOTES, FOOTNOTES_TYPE, BROKEN_XML)


def malformed_styles_docx() -> bytes:
    """simple_docx whose word/styles.xml is cut off: the headings lose their style."""
    data = simple_docx()
    styles = zip_members(data)["word/styles.xml"]
    return with_members(data, {"word/styles.xml": styles[: len(styles) // 2]})


def many_missing_images_docx(count: int) -> bytes:
    """simple_docx whose document part relates `count` images the zip does not have."""
    data = simple_docx()
    extra = "".join(
        f'<Relationship Id="rIdMissing{i}" Type="{RT.IMAGE}" Target="media/missing{i}.png"/>'
        for i in range(count)
    )
    rels = _member_text(data, "word/_rels/document.xml.rels").replace(
        "</Relationships>", f"{extra}</Relationships>"
    )
    return with_members(data, {"word/_rels/document.xml.rels": rels.encode()})


# ----------------------------------------------------------------------------- renamed files


def ole2(*stream_names: str) -> bytes:
    """A CFB-looking container: the magic plus directory entry names in UTF-16-LE."""
    body = b"".join(name.encode("utf-16-le").ljust(64, b"\x00") for name in stream_names)
    return OLE2_MAGIC + b"\x00" * 504 + body + b"\x00" * 512


def encrypted_docx_container() -> bytes:
    return ole2("Root Entry", "EncryptionInfo", "EncryptedPackage", "\x06DataSpaces")


def legacy_doc() -> bytes:
    return ole2("Root Entry", "WordDocument", "1Table", "\x05SummaryInformation")


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
RTF = b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} \\f0 Hello}"
HTML = "<!DOCTYPE html><html><head><title>报告</title></head><body>Hi</body></html>".encode()
TEXT = "这是一个纯文本文件。\nThis is plain text.\n".encode()


def exe() -> bytes:
    """Minimal PE layout: 'MZ' header whose e_lfanew points at 'PE\\0\\0'."""
    header = bytearray(b"MZ" + b"\x90\x00" + b"\x00" * 0x3C)
    struct.pack_into("<I", header, 0x3C, 0x80)
    return bytes(header.ljust(0x80, b"\x00")) + b"PE\x00\x00" + b"\x00" * 64


# ----------------------------------------------------------------------------- hostile shapes


def with_body(inner_xml: str, base: bytes | None = None) -> bytes:
    """A package (simple_docx's unless `base`) with its body replaced by `inner_xml`
    (WordprocessingML, w: prefix); the section properties and every other part stay. Written
    as text, so 10,000 paragraphs take milliseconds."""
    data = base if base is not None else simple_docx()
    xml = zip_members(data)["word/document.xml"].decode("utf-8")
    start = xml.index("<w:body>") + len("<w:body>")
    end = xml.index("<w:sectPr")
    return with_members(data, {"word/document.xml": (xml[:start] + inner_xml + xml[end:]).encode("utf-8")})


def para_xml(text: str, style: str | None = None) -> str:
    """A paragraph as WordprocessingML text (for `with_body`), in style id `style` if given."""
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def many_headings_docx(count: int = 10_000, base: bytes | None = None) -> bytes:
    """`count` headings cycling through levels 1-3 and no body text (so an outline of it needs
    no model call), in `base`'s package if given."""
    parts = [para_xml(f"第{i + 1}节 Heading {i + 1}", f"Heading{i % 3 + 1}") for i in range(count)]
    return with_body("".join(parts), base)


def nested_tables_docx(depth: int = 60) -> bytes:
    """One table nested `depth` levels deep, each cell saying its level."""
    xml = para_xml(f"最内层 innermost {depth}")
    for level in range(depth, 0, -1):
        xml = f"<w:tbl><w:tr><w:tc>{para_xml(f'层 level {level}')}{xml}<w:p/></w:tc></w:tr></w:tbl>"
    return with_body(para_xml("嵌套表格 Nested tables", "Heading1") + xml + para_xml("表后 After the table."))


def nested_content_controls_docx(depth: int = 120) -> bytes:
    """A paragraph inside `depth` nested content controls (w:sdt), which our walker descends."""
    xml = para_xml("深处 Deep inside")
    for _ in range(depth):
        xml = f"<w:sdt><w:sdtContent>{xml}</w:sdtContent></w:sdt>"
    return with_body(para_xml("内容控件 Content controls", "Heading1") + xml)


def huge_paragraph_docx(chars: int = 3_000_000, seed: int = 7) -> bytes:
    """One heading and one paragraph of `chars` pseudo-random CJK and Latin words: several MB
    of text that compresses only about 3:1, so it is neither a zip bomb nor over the limit."""
    rng = random.Random(seed)
    words = [
        "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(rng.randrange(1, 4))) for _ in range(5000)
    ] + [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randrange(2, 9)))
        for _ in range(5000)
    ]
    pieces: list[str] = []
    size = 0
    while size < chars:
        word = rng.choice(words)
        pieces.append(word)
        size += len(word) + 1
    text = " ".join(pieces)[:chars]
    return with_body(para_xml("超长段落 One huge paragraph", "Heading1") + para_xml(text))


def remote_references_docx(base_url: str) -> bytes:
    """Every kind of remote reference a .docx can carry, all pointing at `base_url`: a remote
    attachedTemplate, linked image, OLE object, sub-document and frame relationships, a field
    that includes a remote picture, and hyperlinks (kept, never fetched)."""

    def build(doc: DocxDocument) -> None:
        doc.add_heading("远程引用 Remote references", level=1)
        doc.add_paragraph("正文 Body text that stays.")
        add_hyperlink(doc.add_paragraph("链接 "), f"{base_url}/hyperlink", "link")
        add_hyperlink(doc.add_paragraph("File "), "file:///etc/passwd", "passwd")
        settings_part = doc.part._settings_part
        rid = settings_part.relate_to(f"{base_url}/template.dotm", ATTACHED_TEMPLATE, is_external=True)
        attached = OxmlElement("w:attachedTemplate")
        attached.set(qn("r:id"), rid)
        doc.settings.element.insert(0, attached)
        doc.part.relate_to(f"{base_url}/object.xlsx", RT.OLE_OBJECT, is_external=True)
        doc.part.relate_to(f"{base_url}/pixel.png", RT.IMAGE, is_external=True)
        doc.part.relate_to(f"{base_url}/sub.docx", SUBDOCUMENT, is_external=True)
        doc.part.relate_to(f"{base_url}/frame.html", FRAME, is_external=True)
        doc.part.relate_to("file:///C:/Windows/win.ini", RT.OLE_OBJECT, is_external=True)
        field = doc.add_paragraph()._p
        instr = OxmlElement("w:instrText")
        instr.text = f' INCLUDEPICTURE "{base_url}/field.png" \\d '
        run = OxmlElement("w:r")
        run.append(instr)
        field.append(run)

    return build_docx(build)


def sized_docx(total: int, seed: int = 3) -> bytes:
    """A real .docx of exactly `total` bytes: simple_docx plus a stored member of random bytes
    (incompressible, so neither the ratio nor the unpacked-size guard has anything to say)."""
    base = with_members(simple_docx(), {"word/media/filler.bin": b""})
    filler = max(0, total - len(base))
    for _ in range(3):  # the stored member's bytes add linearly; the second build is exact
        payload = random.Random(seed).randbytes(filler)
        members = zip_members(base)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members.items():
                if name == "word/media/filler.bin":
                    zf.writestr(name, payload, compress_type=zipfile.ZIP_STORED)
                else:
                    zf.writestr(name, data)
        result = buffer.getvalue()
        if len(result) == total:
            return result
        filler += total - len(result)
    raise AssertionError(f"could not build a .docx of exactly {total} bytes")
