from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

# Django's Simplified Chinese catalog lacks its MinimumLengthValidator's message (the wording changed):
# named here so makemessages keeps our translation of it (the sign-up form shows it in Chinese).
DJANGO_MESSAGES_WE_TRANSLATE = (
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files from one <input multiple>."""

    def __init__(self, *args, **kwargs) -> None:
        # Laid over its drop zone, invisible (the browser's "Choose Files" is not translated): a
        # click anywhere opens the picker and files dropped anywhere land in it, without JavaScript.
        attrs = {"accept": ".docx", "multiple": True, "class": "drop-zone-input"}
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        # An empty file reaches the validator, whose empty_file message is the one the API gives.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):  # noqa: ANN001, ANN201 (Django's signature)
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(item, initial) for item in data]
        return [single(data or None, initial)]


class DocumentUploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Word documents (.docx)"),
        # format_lazy, not %: interpolating here would translate once, at import, in English.
        help_text=format_lazy(
            _("Choose one or more .docx files, up to {mb} MB each."), mb=settings.MAX_UPLOAD_MB
        ),
        error_messages={"required": _("Choose at least one .docx file to upload.")},
    )


class SignupForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username",)

    def validate_password_for_user(self, user, **kwargs) -> None:  # noqa: ANN001, ANN003
        # Under the password that breaks the rules, not under its confirmation (Django's default):
        # "This password is too short" showed beside "Password confirmation".
        super().validate_password_for_user(user, password_field_name="password1")


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What will use it, so you know which token to revoke later: “laptop script”."),
        error_messages={"required": _("Name the token: what will use it?")},
    )


class OutlinePreviewForm(forms.Form):
    markdown = forms.CharField(
        label=_("Outline (Markdown)"),
        strip=False,
        required=False,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true"}),
        help_text=_("# is the title, ## a section, ### a subsection. HTML you type shows as text."),
    )

    def clean_markdown(self) -> str:
        # Checked here, not with max_length, which would add a maxlength attribute: the browser
        # would then cut a long paste short without a word.
        # A browser sends a textarea's line breaks as CRLF: counted as typed (\n), the editor's
        # message and the live preview's gave two different lengths for one text.
        markdown = self.cleaned_data["markdown"].replace("\r\n", "\n")
        if len(markdown) > settings.MAX_OUTLINE_CHARS:
            raise forms.ValidationError(
                _("The outline is %(length)s characters long; it can be at most %(limit)s."),
                params={"length": len(markdown), "limit": settings.MAX_OUTLINE_CHARS},
                code="too_long",
            )
        return markdown


# Questions one merge may ask at most (one per section both sides changed; MAX_SECTIONS bounds them).
MAX_MERGE_QUESTIONS = 2000


class OutlineEditForm(OutlinePreviewForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["markdown"].required = True

    def theirs_keys(self) -> set[str]:
        """The sections a merge asked about for which the user chose the other version's text:
        `take-<n>` = "theirs" for question n, whose section is `key-<n>` (merge_outlines' key)."""
        try:
            questions = min(int(self.data.get("questions", 0)), MAX_MERGE_QUESTIONS)
        except (TypeError, ValueError):
            return set()
        return {
            key
            for n in range(max(questions, 0))
            if self.data.get(f"take-{n}") == "theirs" and (key := self.data.get(f"key-{n}")) is not None
        }
