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

from documents.tests import docx_factory as factory
from documents.validation import DocxRejected, ValidatedDocx, docx_validate, file_too_large

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
