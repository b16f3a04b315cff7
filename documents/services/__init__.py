"""Actions that change state, by sub-domain; each docstring says what the action guarantees.

- `documents`: upload, revise, delete, re-extract a document.
- `outline_tasks`: start, continue, cancel, reap and generate outline tasks (the worker's run).
- `outline_versions`: adopt a result, save an edit, restore, undo (VersionConflict).
- `tokens`: API tokens.

Callers use `from documents import services` and `services.<entity>_<action>(...)`.
"""

from documents.services.documents import (
    display_filename,
    document_create,
    document_delete,
    document_reextract,
    document_revise,
)
from documents.services.outline_tasks import (
    TaskDeferred,
    TaskRejected,
    outline_cancel,
    outline_continue,
    outline_generate,
    outline_reap,
    outline_section_regenerate,
    outline_start,
    section_discard,
    section_keep,
)
from documents.services.outline_versions import (
    VersionConflict,
    outline_adopt,
    outline_restore,
    outline_save,
    outline_undo,
)
from documents.services.tokens import (
    TOKEN_TOUCH_SECONDS,
    TokenRejected,
    api_token_create,
    api_token_mark_used,
    api_token_revoke,
    api_token_touch,
    api_token_touched_since,
)
from documents.validation import DocxRejected

__all__ = [
    "TOKEN_TOUCH_SECONDS",
    "DocxRejected",
    "TaskDeferred",
    "TaskRejected",
    "TokenRejected",
    "VersionConflict",
    "api_token_create",
    "api_token_mark_used",
    "api_token_revoke",
    "api_token_touch",
    "api_token_touched_since",
    "display_filename",
    "document_create",
    "document_delete",
    "document_reextract",
    "document_revise",
    "outline_adopt",
    "outline_cancel",
    "outline_continue",
    "outline_generate",
    "outline_reap",
    "outline_restore",
    "outline_save",
    "outline_section_regenerate",
    "section_discard",
    "section_keep",
    "outline_start",
    "outline_undo",
]
