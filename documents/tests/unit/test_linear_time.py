"""Every path user text takes runs in linear time: a property test over pathological Markdown.

Save (the API's PUT), render (the document page), preview, the revision diff and export are each
given a pathological text and the same text four times over. Linear work takes about four times
as long, quadratic sixteen: the ratio must stay under eight. Before this test, "[" * 80,000 took
23.7 s to save and 12 KB of "![" 11.5 s to preview (issue 20, findings 1 and 2).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents import services
from documents.models import Document, Outline
from documents.outline_markdown import diff_structures, merge_outlines, parse_sections, rebase_outline
from documents.tests.conftest import make_docx
from documents.tests.timing import growth_ratio

pytestmark = pytest.mark.django_db

# Runs that made parsers rescan: brackets, image and link openers, emphasis, backticks, tags,
# entities, list and table lines, headings.
PATHOLOGICAL = [
    "[", "![", "<", "*", "_", "`", "[a](", "**a", "_a", "<a ", "&#", "a\n- ", "> ", "| a |\n",
    "## a\n", "\\", "]("
]  # fmt: skip
MARKS = "[]()!<>*_`#-|&;: \n\\"
SMALL_CHARS, LARGE_CHARS = 4_000, 16_000


def _nested_list(chars: int) -> str:
    # Lists nested as deep as Markdown goes, over and over.
    lines, size = [], 0
    while size < chars:
        line = "  " * (len(lines) % 40) + "- x\n"
        lines.append(line)
        size += len(line)
    return "".join(lines)


def _texts(unit: str) -> tuple[str, str]:
    if unit == "nested":
        return _nested_list(SMALL_CHARS), _nested_list(LARGE_CHARS)
    return unit * (SMALL_CHARS // len(unit)), unit * (LARGE_CHARS // len(unit))


@pytest.fixture
def outline(user) -> Outline:  # noqa: ANN001
    document = services.document_create(owner=user, uploaded=SimpleUploadedFile("长.docx", make_docx()))
    return Outline.objects.create(document=document, markdown="# 长\n")


def _paths(client: Client, outline: Outline) -> dict[str, Callable[[str], object]]:
    document: Document = outline.document
    api = f"/api/v1/documents/{document.pk}/outline"

    def save(body: str) -> None:
        version = Outline.objects.values_list("version", flat=True).get(pk=outline.pk)
        response = client.put(
            api, {"version": version, "markdown": "# 长\n\n" + body}, content_type="application/json"
        )
        assert response.status_code == 200, response.content[:300]

    def page(body: str) -> None:
        Outline.objects.filter(pk=outline.pk).update(markdown="# 长\n\n## 节\n\n" + body)
        caches["markdown"].clear()  # rendered once per version: time the rendering, not the cache
        assert client.get(reverse("documents:document_detail", args=[document.pk])).status_code == 200

    def preview(body: str) -> None:
        url = reverse("documents:outline_preview", args=[document.pk])
        assert client.post(url, {"markdown": body}).status_code == 200

    def diff(body: str) -> None:
        old = parse_sections("# 长\n\n" + body)[1] or [{"title": body, "level": 1, "text": body}]
        new = [*old[: len(old) // 2], {"title": "新", "level": 1, "text": ""}, *old[len(old) // 2 + 1 :]]
        rebase_outline("# 长\n\n" + body, diff_structures(old, new))

    def export(body: str) -> None:
        Outline.objects.filter(pk=outline.pk).update(markdown="# 长\n\n## 节\n\n" + body)
        assert client.get(f"{api}.docx").status_code == 200
        assert client.get(f"{api}.md").status_code == 200

    def merge(body: str) -> None:
        # A stale save of the text, merged with a version whose every other section changed.
        base = "# 长\n\n" + body
        theirs = "\n\n".join(part + " 改" if n % 2 else part for n, part in enumerate(base.split("\n\n")))
        merge_outlines(base, base.replace("## ", "## 我的 ", 1), theirs)

    return {"save": save, "page": page, "preview": preview, "diff": diff, "export": export, "merge": merge}


@given(unit=st.one_of(st.sampled_from([*PATHOLOGICAL, "nested"]), st.text(MARKS, min_size=1, max_size=5)))
@settings(
    max_examples=len(PATHOLOGICAL) + 6,
    deadline=None,
    derandomize=True,  # the same inputs on every run: a timing test must not be a lottery
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_user_text_takes_linear_time_on_every_path(client, user, outline, unit, subtests):  # noqa: ANN001
    client.force_login(user)
    small, large = _texts(unit)
    for name, path in _paths(client, outline).items():
        with subtests.test(path=name, unit=unit):
            ratio = growth_ratio(path, small, large, floor=5e-3)
            assert ratio < 8, f"{name}: {ratio:.1f}x for 4x the text of {unit!r}"
