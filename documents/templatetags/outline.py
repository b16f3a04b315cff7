"""Template filters for outlines: Markdown to safe HTML, section indents, durations, status labels."""

from __future__ import annotations

import json

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from documents.errors import error_message
from documents.models import OutlineTask
from documents.outline_markdown import render_markdown

register = template.Library()


@register.filter
def markdown_html(text: str | None) -> SafeString:
    """Model or user Markdown as HTML: raw HTML in it shows as text (render_markdown)."""
    return mark_safe(render_markdown(text or ""))  # noqa: S308


@register.filter
def error_text(code: str) -> str:
    """A stored error code as the message for the active language."""
    return error_message(code) if code else ""


@register.filter
def seconds(milliseconds: object) -> str:
    # Not a number: a metric the task's record lacks (an older task, an admin's edit) reads as ""
    # in a template; the page showed a server error for it.
    if isinstance(milliseconds, bool) or not isinstance(milliseconds, int | float):
        return ""
    return _("%(seconds)s s") % {"seconds": f"{milliseconds / 1000:.1f}"}


# Whole class names, so Tailwind finds them here; a style="" attribute would need the Content
# Security Policy to allow inline styles.
_INDENTS = ("ml-0", "ml-4", "ml-8", "ml-12", "ml-16", "ml-20")


@register.filter
def indent_class(level: int | None) -> str:
    """The left margin of an outline section of heading level 1-6 (1 rem per level below 1)."""
    return _INDENTS[min(max((level or 1) - 1, 0), len(_INDENTS) - 1)]


@register.simple_tag
def task_status_labels() -> str:
    """Every task status with its label in the active language, as JSON for a streaming card's
    data-status-labels: outline-pane.js shows a status the stream reports the way the server
    renders it (OutlineTask.Status), without a copy of its own. An attribute, not a <script>: the
    Content Security Policy allows no inline scripts. Escaped for the attribute by autoescaping."""
    return json.dumps({value: str(label) for value, label in OutlineTask.Status.choices}, ensure_ascii=False)
