"""Reads, always scoped to the requesting user: another user's object is a 404 here,
so no view can forget the check."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from documents.models import ApiToken, Document


def document_list(*, user: AbstractBaseUser) -> QuerySet[Document]:
    return Document.objects.filter(owner=user).order_by("-created_at", "-id")


def document_get(*, user: AbstractBaseUser, document_id: int) -> Document:
    return get_object_or_404(Document, owner=user, pk=document_id)


def api_token_user(*, token: str) -> ApiToken | None:
    key_hash = hashlib.sha256(token.encode()).hexdigest()
    return ApiToken.objects.select_related("user").filter(key_hash=key_hash, user__is_active=True).first()


def document_section_tree(*, document: Document) -> list[dict]:
    """Nest the flat section list by level: [{"section": {...}, "children": [...]}, ...].

    A section whose level jumps more than one step deeper still nests under the nearest
    shallower section, so no heading is ever dropped.
    """
    root: list[dict] = []
    stack: list[tuple[int, list[dict]]] = [(0, root)]
    for section in document.sections:
        level = max(int(section.get("level", 1)), 1)
        while stack[-1][0] >= level:
            stack.pop()
        node = {"section": section, "children": []}
        stack[-1][1].append(node)
        stack.append((level, node["children"]))
    return root
