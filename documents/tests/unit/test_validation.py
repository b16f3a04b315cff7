"""docx_validate: real files from the shared corpus plus hostile files built in memory."""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from pathlib import Path

import docx
import pytest
from django.utils import translation
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from documents.structure import docx_extract
from documents.tests import docx_factory as factory
from documents.tests.timing import growth_ratio
from documents.validation import (
    MAX_WARNINGS,
    DocxRejected,
    ValidatedDocx,
    docx_validate,
    file_too_large,
    warning_message,
)

CORPUS = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus"
MIB = 1024 * 1024
# The production defaults (.env.example): 20 MB upload, 200 MB unpacked, 200:1 ratio.
LIMITS = {"max_bytes": 20 * MIB, "max_uncompressed_bytes": 200 * MIB, "max_ratio": 200}


def _manifest() -> list[dict[str, str]]:
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


MANIFEST = _manifest()
# What each "does not open" note in the manifest must be rejected as.
REJECTION_BY_NOTE = {
    "Strict OOXML": ("strict_ooxml", 415),
    "macro-enabled": ("macro_enabled", 415),
    "truncated zip": ("corrupt_file", 400),
    "password-encrypted": ("encrypted_document", 415),
}


def _expected_rejection(notes: str) -> tuple[str, int] | None:
    if "does not open" not in notes:
        return None
    matches = [expected for key, expected in REJECTION_BY_NOTE.items() if key in notes]
    assert len(matches) == 1, f"manifest note not mapped to a rejection code: {notes}"
    return matches[0]


def _validate(data: bytes, **overrides: int) -> ValidatedDocx:
    return docx_validate(data, **{**LIMITS, **overrides})


def _rejection(data: bytes, **overrides: int) -> DocxRejected:
    with pytest.raises(DocxRejected) as excinfo:
        _validate(data, **overrides)
    return excinfo.value


def _external_non_hyperlinks(data: bytes) -> list[str]:
    """Count the relationships the validator should strip, independently of its code."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if name.endswith(".rels"):
                text = zf.read(name).decode("utf-8")
                for rel in re.findall(r"<Relationship\b[^>]*>", text):
                    if 'TargetMode="External"' in rel and "/hyperlink" not in rel:
                        found.append(rel)
    return found


# ----------------------------------------------------------------------------- corpus


def test_manifest_lists_every_corpus_file():
    assert {row["file"] for row in MANIFEST} == {p.name for p in CORPUS.iterdir() if p.name != "MANIFEST.tsv"}


@pytest.mark.parametrize("row", MANIFEST, ids=[row["file"] for row in MANIFEST])
def test_corpus_file_is_accepted_or_rejected_as_manifest_says(row):
    data = (CORPUS / row["file"]).read_bytes()
    expected = _expected_rejection(row["notes"])

    if expected is None:
        result = _validate(data)
        paragraphs = int(re.search(r"opens: (\d+) paras", row["notes"]).group(1))
        assert len(docx.Document(io.BytesIO(result.data)).paragraphs) == paragraphs
        assert len(result.stripped_relationships) == len(_external_non_hyperlinks(data))
        assert (result.data == data) == (not result.stripped_relationships)
        # Sound files need no repair (an embedded .docx, "...openxmlformats...", is not XML).
        assert result.warnings == []
    else:
        rejected = _rejection(data)
        assert (rejected.code, rejected.status_code) == expected


@pytest.mark.parametrize("name", ["pandoc__0_level_headers.docx", "poi__60316.docx"])
def test_local_attached_template_in_corpus_is_stripped_and_file_still_opens(name):
    data = (CORPUS / name).read_bytes()

    result = _validate(data)

    assert [s.split(" → ")[0] for s in result.stripped_relationships] == ["attachedTemplate"]
    assert "file:///C:" in result.stripped_relationships[0]
    assert _external_non_hyperlinks(result.data) == []
    settings = factory.zip_members(result.data)["word/settings.xml"]
    assert b"attachedTemplate" not in settings
    docx.Document(io.BytesIO(result.data))


def test_corpus_hyperlinks_are_kept():
    data = (CORPUS / "poi__stress008.docx").read_bytes()

    result = _validate(data)

    assert result.data == data
    assert b"mailto:comger@gmx.at" in factory.zip_members(result.data)["word/_rels/document.xml.rels"]


def test_large_template_validates_unchanged():
    data = (CORPUS / "cdocx__template.docx").read_bytes()
    assert len(data) > 3_000_000

    result = _validate(data)

    assert result.data == data


# ----------------------------------------------------------------------------- size


def test_valid_generated_docx_is_returned_unchanged():
    data = factory.simple_docx()

    result = _validate(data)

    assert result == ValidatedDocx(data=data, stripped_relationships=[])


def test_empty_upload_is_empty_file():
    rejected = _rejection(b"")

    assert (rejected.code, rejected.status_code) == ("empty_file", 400)


def test_upload_over_max_bytes_is_file_too_large_and_names_the_limit():
    data = factory.simple_docx()

    rejected = _rejection(data, max_bytes=len(data) - 1)

    assert (rejected.code, rejected.status_code) == ("file_too_large", 413)
    assert "MB" in str(rejected.message)


def test_file_too_large_message_names_limit_in_megabytes():
    assert "20 MB" in str(file_too_large(20 * MIB).message)
    assert "0.5 MB" in str(file_too_large(MIB // 2).message)


def test_upload_exactly_at_max_bytes_is_accepted():
    data = factory.simple_docx()

    assert _validate(data, max_bytes=len(data)).data == data


# ----------------------------------------------------------------------------- not a docx at all


def test_password_protected_docx_is_encrypted_document():
    rejected = _rejection(factory.encrypted_docx_container())

    assert (rejected.code, rejected.status_code) == ("encrypted_document", 415)
    assert "password" in str(rejected.message)


def test_word_97_doc_is_legacy_doc():
    rejected = _rejection(factory.legacy_doc())

    assert (rejected.code, rejected.status_code) == ("legacy_doc", 415)
    assert ".docx" in str(rejected.message)


def test_unknown_ole2_container_is_treated_as_legacy_doc():
    assert _rejection(factory.ole2("Root Entry", "Contents")).code == "legacy_doc"


def test_old_excel_workbook_is_not_docx():
    rejected = _rejection(factory.ole2("Root Entry", "Workbook"))

    assert rejected.code == "not_docx"
    assert "Excel" in str(rejected.message)


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        (factory.PDF, "PDF"),
        (factory.PNG, "PNG"),
        (factory.JPEG, "JPEG"),
        (factory.GIF, "GIF"),
        (factory.exe(), "Windows program"),
        (factory.ELF, "ELF"),
        (factory.RTF, "Rich Text Format"),
        (factory.HTML, "HTML"),
        (factory.TEXT, "plain-text"),
    ],
    ids=["pdf", "png", "jpeg", "gif", "exe", "elf", "rtf", "html", "text"],
)
def test_renamed_file_is_not_docx_and_message_names_detected_kind(payload, kind):
    rejected = _rejection(payload)

    assert (rejected.code, rejected.status_code) == ("not_docx", 415)
    assert kind in str(rejected.message)


def test_random_binary_is_not_docx():
    assert _rejection(bytes(range(256)) * 8).code == "not_docx"


# ----------------------------------------------------------------------------- broken zips


def test_truncated_zip_is_corrupt_file():
    rejected = _rejection(factory.truncated(factory.simple_docx()))

    assert (rejected.code, rejected.status_code) == ("corrupt_file", 400)


def test_member_with_bad_crc_is_corrupt_file():
    rejected = _rejection(factory.bad_crc(factory.simple_docx()))

    assert (rejected.code, rejected.status_code) == ("corrupt_file", 400)


def test_zip_with_only_a_local_header_is_corrupt_file():
    assert _rejection(b"PK\x03\x04" + b"\x00" * 100).code == "corrupt_file"


def test_missing_main_document_part_is_corrupt_file():
    data = factory.with_members(factory.simple_docx(), {"word/document.xml": None})

    assert _rejection(data).code == "corrupt_file"


def test_duplicate_member_names_are_corrupt_file():
    members = list(factory.zip_members(factory.simple_docx()).items())
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = factory.make_zip([*members, ("word/document.xml", members[0][1])])

    assert _rejection(data).code == "corrupt_file"


# ----------------------------------------------------------------------------- other packages


def test_macro_enabled_docm_is_macro_enabled():
    rejected = _rejection(factory.macro_enabled_docx())

    assert (rejected.code, rejected.status_code) == ("macro_enabled", 415)


def test_word_template_dotx_is_not_docx():
    rejected = _rejection(factory.template_dotx())

    assert rejected.code == "not_docx"
    assert ".dotx" in str(rejected.message)


def test_strict_ooxml_is_strict_ooxml():
    rejected = _rejection(factory.strict_ooxml_docx())

    assert (rejected.code, rejected.status_code) == ("strict_ooxml", 415)


def test_excel_workbook_renamed_to_docx_is_not_docx():
    rejected = _rejection(factory.xlsx_like())

    assert rejected.code == "not_docx"
    assert "Excel" in str(rejected.message)


def test_opendocument_text_is_not_docx_and_says_odt():
    rejected = _rejection(factory.odt_like())

    assert rejected.code == "not_docx"
    assert ".odt" in str(rejected.message)


def test_zip_without_content_types_is_not_docx():
    rejected = _rejection(factory.plain_zip())

    assert rejected.code == "not_docx"
    assert "ZIP" in str(rejected.message)


# ----------------------------------------------------------------------------- zip bombs


def test_highly_compressible_huge_member_is_zip_bomb():
    rejected = _rejection(factory.compressible_bomb())

    assert (rejected.code, rejected.status_code) == ("zip_bomb", 413)


def test_member_whose_declared_size_lies_is_zip_bomb():
    data = factory.lying_size_bomb()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.getinfo("word/media/payload.bin").file_size == 1000  # the lie passes metadata checks

    rejected = _rejection(data)

    assert (rejected.code, rejected.status_code) == ("zip_bomb", 413)


def test_total_declared_size_over_limit_is_zip_bomb():
    data = factory.simple_docx()

    rejected = _rejection(data, max_uncompressed_bytes=10_000)

    assert rejected.code == "zip_bomb"


def test_too_many_members_is_zip_bomb():
    assert _rejection(factory.many_members(5001)).code == "zip_bomb"


def test_small_member_with_high_ratio_is_not_a_bomb():
    # 512 KiB of zeros compresses ~1000:1 but is below the 1 MiB threshold for the ratio check.
    data = factory.with_members(factory.simple_docx(), {"word/media/small.bin": b"\x00" * (512 * 1024)})

    assert _validate(data).data == data


# ----------------------------------------------------------------------------- XML safety


def test_billion_laughs_in_document_xml_is_xml_doctype():
    rejected = _rejection(factory.doctype_docx(factory.BILLION_LAUGHS))

    assert (rejected.code, rejected.status_code) == ("xml_doctype", 400)
    assert "word/document.xml" in str(rejected.message)


def test_external_entity_in_rels_is_xml_doctype():
    data = factory.doctype_docx(factory.XXE, part="word/_rels/document.xml.rels")

    assert _rejection(data).code == "xml_doctype"


def test_doctype_in_content_types_is_xml_doctype():
    assert _rejection(factory.doctype_docx(factory.XXE, part="[Content_Types].xml")).code == "xml_doctype"


def test_doctype_hidden_in_utf16_part_is_xml_doctype():
    data = factory.doctype_docx(factory.BILLION_LAUGHS, part="word/styles.xml", encoding="utf-16")

    assert _rejection(data).code == "xml_doctype"


# ----------------------------------------------------------------------------- parser limits


def test_tables_nested_past_the_xml_depth_limit_are_too_complex_not_corrupt():
    rejected = _rejection(factory.nested_tables_docx(100))

    assert (rejected.code, rejected.status_code) == ("too_complex", 400)
    assert "nested more than 256 levels deep" in str(rejected.message)


def test_text_node_over_ten_megabytes_is_too_complex():
    # Hex of random bytes: 10 MB of text in one w:t that compresses only 2:1.
    text = random.Random(5).randbytes(5_000_001).hex()
    data = factory.with_body(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")

    assert _rejection(data).code == "too_complex"


def test_tables_nested_sixty_deep_are_accepted():
    validated = _validate(factory.nested_tables_docx(60))

    assert len(docx.Document(io.BytesIO(validated.data)).tables) == 1


# ----------------------------------------------------------------------------- external relationships


def test_external_template_ole_and_image_links_are_stripped_and_hyperlinks_kept():
    data = factory.external_relationships_docx("http://evil.example/t.dotm")

    result = _validate(data)

    assert sorted(result.stripped_relationships) == [
        "attachedTemplate → http://evil.example/t.dotm",
        "image → http://tracker.example/pixel.png",
        "oleObject → file:///C:/Users/x/object.xlsx",
    ]
    members = factory.zip_members(result.data)
    assert b"evil.example" not in members["word/_rels/settings.xml.rels"]
    assert b"attachedTemplate" not in members["word/settings.xml"]
    document_rels = members["word/_rels/document.xml.rels"].decode()
    assert "https://example.com/报告" in document_rels and "mailto:someone@example.com" in document_rels
    assert "object.xlsx" not in document_rels and "pixel.png" not in document_rels


def test_stripped_document_still_opens_with_python_docx_and_keeps_its_text():
    result = _validate(factory.external_relationships_docx())

    document = docx.Document(io.BytesIO(result.data))

    assert document.paragraphs[0].text == "外部链接 External links"
    hyperlinks = [h.address for p in document.paragraphs for h in p.hyperlinks]
    assert hyperlinks == ["https://example.com/报告", "mailto:someone@example.com"]


def test_validated_document_is_the_parse_of_the_stored_bytes_not_of_the_upload():
    result = _validate(factory.external_relationships_docx())

    # Extraction uses this parse, so it must not see the relationships that were stripped.
    package = result.document.part.package
    targets = [rel.target_ref for part in package.iter_parts() for rel in part.rels.values()]
    assert "http://evil.example/t.dotm" not in targets and "https://example.com/报告" in targets
    assert result.document.paragraphs[0].text == "外部链接 External links"


def test_stripping_copies_all_other_members_unchanged():
    data = factory.external_relationships_docx()

    result = _validate(data)

    before, after = factory.zip_members(data), factory.zip_members(result.data)
    assert list(before) == list(after)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"word/_rels/settings.xml.rels", "word/_rels/document.xml.rels", "word/settings.xml"}


# ----------------------------------------------------------------------------- repairs (what Word opens)


def _opened(result: ValidatedDocx) -> tuple[dict, list[str]]:
    """The structure extracted from the stored bytes, opened afresh, and their body text."""
    document = docx.Document(io.BytesIO(result.data))
    structure, _sources = docx_extract(document)
    return structure, [p.text for p in document.paragraphs]


def _relationship_targets(data: bytes, rels: str) -> list[str]:
    return re.findall(r'Target="([^"]*)"', factory.zip_members(data)[rels].decode())


def test_malformed_core_properties_are_skipped_with_a_warning_and_the_text_is_read():
    data = factory.malformed_core_docx()
    with pytest.raises(etree.XMLSyntaxError):
        docx.Document(io.BytesIO(data))  # what python-docx alone does with it

    result = _validate(data)

    assert result.warnings == [{"code": "metadata_unreadable", "part": "docProps/core.xml"}]
    assert result.stripped_relationships == []
    structure, texts = _opened(result)
    assert [s["title"] for s in structure["sections"]] == ["总则 Introduction", "范围"]
    assert "本文件说明系统的目标。This document explains the goals." in texts
    members = factory.zip_members(result.data)
    assert "docProps/core.xml" not in members
    assert "docProps/core.xml" not in _relationship_targets(result.data, "_rels/.rels")
    assert b"/docProps/core.xml" not in members["[Content_Types].xml"]


def test_an_image_whose_part_is_missing_is_skipped_with_a_warning_and_the_text_is_read():
    data = factory.missing_image_docx()
    with pytest.raises(KeyError):
        docx.Document(io.BytesIO(data))

    result = _validate(data)

    assert result.warnings == [{"code": "missing_part", "part": "word/media/image1.png"}]
    assert "media/image1.png" not in _relationship_targets(result.data, "word/_rels/document.xml.rels")
    structure, texts = _opened(result)
    assert [s["title"] for s in structure["sections"]] == ["图片 Pictures", "说明 Notes"]
    assert "图片之后的正文。Text after the picture." in texts
    assert structure["counts"]["images"] == 1  # the picture is still in the text, only its bytes are gone


@pytest.mark.parametrize(
    ("build", "part", "heading"),
    [
        (factory.malformed_comments_docx, "word/comments.xml", "批注 Comments"),
        (factory.malformed_footnotes_docx, "word/footnotes.xml", "总则 Introduction"),
    ],
    ids=["comments", "footnotes"],
)
def test_a_malformed_part_the_text_does_not_need_is_dropped_as_part_unreadable(build, part, heading):
    data = build()

    result = _validate(data)

    assert result.warnings == [{"code": "part_unreadable", "part": part}]
    members = factory.zip_members(result.data)
    assert part not in members
    assert part.removeprefix("word/") not in _relationship_targets(
        result.data, "word/_rels/document.xml.rels"
    )
    assert f"/{part}".encode() not in members["[Content_Types].xml"]
    structure, _texts = _opened(result)
    assert structure["sections"][0]["title"] == heading
    # Everything else is carried over byte for byte.
    before = factory.zip_members(data)
    changed = {name for name in members if members[name] != before[name]}
    assert changed == {"word/_rels/document.xml.rels", "[Content_Types].xml"}


def test_without_readable_styles_the_text_is_read_and_the_warning_says_headings_lost_their_style():
    result = _validate(factory.malformed_styles_docx())

    assert result.warnings == [{"code": "part_unreadable", "part": "word/styles.xml"}]
    structure, texts = _opened(result)
    # python-docx falls back to its default styles, which have no "Heading N": the headings
    # are body text now, and all of it is there to outline.
    assert texts == [
        "总则 Introduction",
        "本文件说明系统的目标。This document explains the goals.",
        "范围",
        "适用于所有部门。",
    ]
    assert structure["counts"]["words"] > 0
    assert "headings could not be recognised by their style" in warning_message(
        "part_unreadable", "word/styles.xml"
    )


def test_a_styles_part_that_is_missing_says_the_same_about_headings():
    data = factory.with_members(factory.simple_docx(), {"word/styles.xml": None})

    result = _validate(data)

    assert result.warnings == [{"code": "missing_part", "part": "word/styles.xml"}]
    assert "headings could not be recognised" in warning_message(**result.warnings[0])
    assert _opened(result)[1][0] == "总则 Introduction"


def test_both_kinds_of_damage_in_one_file_give_one_warning_each_in_package_order():
    result = _validate(factory.malformed_core_and_missing_image_docx())

    assert result.warnings == [
        {"code": "metadata_unreadable", "part": "docProps/core.xml"},
        {"code": "missing_part", "part": "word/media/image1.png"},
    ]
    assert _opened(result)[0]["sections"][0]["title"] == "图片 Pictures"


@pytest.mark.parametrize(
    "build",
    [
        factory.malformed_core_docx,
        factory.missing_image_docx,
        factory.malformed_comments_docx,
        factory.malformed_footnotes_docx,
        factory.malformed_styles_docx,
        factory.malformed_core_and_missing_image_docx,
    ],
)
def test_repaired_bytes_are_what_is_stored_and_open_again_without_repairs(build):
    result = _validate(build())

    assert result.warnings
    assert result.document is not None  # the trial open of exactly these bytes
    again = _validate(result.data)
    assert again.warnings == [] and again.data == result.data  # nothing left to repair
    stored = [p.text for p in docx.Document(io.BytesIO(result.data)).paragraphs]
    assert stored == [p.text for p in result.document.paragraphs]
    assert any(text.strip() for text in stored)


def test_a_missing_part_named_by_two_relationships_is_one_warning_and_both_are_removed():
    data = factory.missing_image_docx()
    rels = factory.zip_members(data)["word/_rels/document.xml.rels"].decode()
    twice = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rId901" Type="{RT.IMAGE}" Target="/word/media/image1.png"/></Relationships>',
    )

    result = _validate(factory.with_members(data, {"word/_rels/document.xml.rels": twice.encode()}))

    assert result.warnings == [{"code": "missing_part", "part": "word/media/image1.png"}]
    assert not any(
        "image1.png" in t for t in _relationship_targets(result.data, "word/_rels/document.xml.rels")
    )


def test_a_part_whose_own_relationships_are_malformed_is_dropped_with_them():
    # customXml/item1.xml is related from the document; its .rels is cut off.
    data = factory.simple_docx()
    rels = factory.zip_members(data)["customXml/_rels/item1.xml.rels"]
    broken = factory.with_members(data, {"customXml/_rels/item1.xml.rels": rels[: len(rels) // 2]})

    result = _validate(broken)

    assert result.warnings == [{"code": "part_unreadable", "part": "customXml/item1.xml"}]
    members = factory.zip_members(result.data)
    assert "customXml/item1.xml" not in members and "customXml/_rels/item1.xml.rels" not in members
    # customXml/itemProps1.xml was only reachable through it: no longer loaded, left as it is.
    assert "customXml/itemProps1.xml" in members
    docx.Document(io.BytesIO(result.data))


def test_relationships_python_docx_cannot_list_count_as_malformed():
    # Well-formed, but not a <Relationships> element: python-docx finds no relationship list in it.
    data = factory.with_members(
        factory.simple_docx(), {"customXml/_rels/item1.xml.rels": b"<Relationships/>"}
    )

    result = _validate(data)

    assert result.warnings == [{"code": "part_unreadable", "part": "customXml/item1.xml"}]


def test_a_missing_targets_name_is_bounded_in_its_warning():
    data = factory.simple_docx()
    rels = factory.zip_members(data)["word/_rels/document.xml.rels"].decode()
    target = "media/" + "很长的名字" * 200 + ".png"
    rels = rels.replace(
        "</Relationships>", f'<Relationship Id="rId901" Type="{RT.IMAGE}" Target="{target}"/></Relationships>'
    )

    result = _validate(factory.with_members(data, {"word/_rels/document.xml.rels": rels.encode()}))

    [warning] = result.warnings
    assert warning["code"] == "missing_part"
    assert (
        len(warning["part"]) == 301
        and warning["part"].startswith("word/media/很长")
        and warning["part"].endswith("…")
    )


def test_a_part_without_a_content_type_is_dropped_as_part_unreadable():
    # python-docx raises KeyError for a part [Content_Types].xml gives no type.
    data = factory.with_related_part(
        factory.simple_docx(), "word/media/picture.qqq", RT.IMAGE, "image/x-unused", b"\x00" * 16
    )
    types = factory.zip_members(data)["[Content_Types].xml"].decode()
    data = factory.with_members(
        data,
        {
            "[Content_Types].xml": re.sub(
                r'<Override PartName="/word/media/picture.qqq"[^>]*/>', "", types
            ).encode()
        },
    )

    result = _validate(data)

    assert result.warnings == [{"code": "part_unreadable", "part": "word/media/picture.qqq"}]
    assert "word/media/picture.qqq" not in factory.zip_members(result.data)


def test_repairs_and_stripped_external_relationships_are_reported_together():
    data = factory.malformed_core_docx(factory.external_relationships_docx())

    result = _validate(data)

    assert result.warnings == [{"code": "metadata_unreadable", "part": "docProps/core.xml"}]
    assert len(result.stripped_relationships) == 3
    assert _external_non_hyperlinks(result.data) == []
    assert _opened(result)[1][0] == "外部链接 External links"


def test_warnings_are_bounded_and_the_last_entry_counts_the_rest():
    result = _validate(factory.many_missing_images_docx(120))

    assert len(result.warnings) == MAX_WARNINGS == 50
    assert result.warnings[:2] == [
        {"code": "missing_part", "part": "word/media/missing0.png"},
        {"code": "missing_part", "part": "word/media/missing1.png"},
    ]
    assert result.warnings[-1] == {"code": "more_warnings", "part": "71"}  # 49 listed + 71 = 120
    assert warning_message(**result.warnings[-1]) == "71 more parts were skipped."
    # Every one of them was removed, listed or not.
    assert not any("missing" in t for t in _relationship_targets(result.data, "word/_rels/document.xml.rels"))


def test_exactly_max_warnings_are_all_listed():
    result = _validate(factory.many_missing_images_docx(MAX_WARNINGS))

    assert len(result.warnings) == MAX_WARNINGS
    assert {w["code"] for w in result.warnings} == {"missing_part"}


def test_the_repair_walk_takes_linear_time_in_the_number_of_relationships():
    small, large = factory.many_missing_images_docx(1_000), factory.many_missing_images_docx(4_000)

    assert growth_ratio(_validate, small, large, floor=5e-3) < 8


@pytest.mark.parametrize(
    ("code", "part", "english", "chinese"),
    [
        (
            "metadata_unreadable", "docProps/core.xml",
            "The document's properties (docProps/core.xml) could not be read and were skipped.",
            "无法读取文档属性（docProps/core.xml），已跳过。",
        ),
        (
            "part_unreadable", "word/comments.xml",
            "A part of the document (word/comments.xml) could not be read and was skipped.",
            "无法读取文档的一个部分（word/comments.xml），已跳过。",
        ),
        (
            "missing_part", "word/media/image1.png",
            "A picture or other part the document refers to (word/media/image1.png) is missing and was "
            "skipped.",
            "文档引用的图片或其他部分（word/media/image1.png）缺失，已跳过。",
        ),
        ("more_warnings", "3", "3 more parts were skipped.", "另有 3 个部分被跳过。"),
        ("more_warnings", "1", "1 more part was skipped.", "另有 1 个部分被跳过。"),
    ],
)  # fmt: skip
def test_every_warning_code_has_a_sentence_in_english_and_chinese(code, part, english, chinese):
    with translation.override("en"):
        assert warning_message(code, part) == english
    with translation.override("zh-hans"):
        assert warning_message(code, part) == chinese


# ----------------------------------------------------------------------------- still refused


def test_malformed_main_document_part_is_still_corrupt_file():
    xml = factory.zip_members(factory.simple_docx())["word/document.xml"]
    data = factory.with_members(factory.simple_docx(), {"word/document.xml": xml[: len(xml) // 2]})

    rejected = _rejection(data)

    assert (rejected.code, rejected.status_code) == ("corrupt_file", 400)


def test_malformed_relationships_of_the_main_part_are_still_corrupt_file():
    rels = factory.zip_members(factory.simple_docx())["word/_rels/document.xml.rels"]
    data = factory.with_members(factory.simple_docx(), {"word/_rels/document.xml.rels": rels[:-40]})

    rejected = _rejection(data)

    assert rejected.code == "corrupt_file"
    assert "word/_rels/document.xml.rels" in str(rejected.message)


def test_a_doctype_in_a_part_that_could_be_dropped_is_still_refused():
    data = factory.doctype_docx(factory.XXE, part="docProps/core.xml")

    assert _rejection(data).code == "xml_doctype"


# ----------------------------------------------------------------------------- exception shape


def test_rejection_str_is_its_code_so_logging_needs_no_translation():
    rejected = DocxRejected("not_docx", "message", 415)

    assert str(rejected) == "not_docx"
    assert rejected.status_code == 415


# ----------------------------------------------------------------------------- upload entry points


def test_upload_form_passes_an_empty_file_to_the_validator(logged_in):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from documents.models import Document

    response = logged_in.post(
        reverse("documents:document_upload"), {"files": [SimpleUploadedFile("空.docx", b"")]}
    )

    assert response.status_code == 400
    assert 'data-error-code="empty_file"' in response.content.decode()
    assert not Document.objects.exists()


def test_api_upload_with_an_unreadable_multipart_body_is_a_json_400(api_client):
    # A part's headers over Django's 1 KB limit: a 400-character CJK filename is 1,200 bytes.
    boundary = "b0undary"
    name = "文" * 400 + ".docx"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\nPK\r\n--{boundary}--\r\n"
    ).encode()

    response = api_client.post(
        "/api/v1/documents", body, content_type=f"multipart/form-data; boundary={boundary}"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
    assert "header size" in response.json()["error"]["message"]
