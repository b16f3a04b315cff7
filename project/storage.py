"""Static files storage for production: whitenoise's compressed, hashed files, with the module
imports inside our own JavaScript rewritten to the hashed names too.

Without the rewrite, `import ... from "./i18n.js"` would fetch the unhashed file, which can be
stale after a deploy; the usual fix, an inline import map, is an inline script, which the
Content Security Policy forbids.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from whitenoise.storage import CompressedManifestStaticFilesStorage

# Our modules (static/js/). Other apps' bundled scripts (django-htmx's extensions) import bare
# names that only their own build resolves; rewriting those would fail collectstatic.
OWN_MODULES = "js/"


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True

    def url_converter(
        self, name: str, hashed_files: dict, template: str | None = None
    ) -> Callable[[re.Match], str]:
        converter = super().url_converter(name, hashed_files, template)
        if name.startswith(OWN_MODULES) or not name.endswith((".js", ".mjs")):
            return converter

        def imports_unchanged(matchobj: re.Match) -> str:
            if matchobj["matched"].startswith(("import", "export")):
                return matchobj["matched"]
            return converter(matchobj)  # e.g. a sourceMappingURL comment, hashed as before

        return imports_unchanged
