"""The prompts that ask a model for an outline's bullet points, in the document's language.

Two shapes, one content: a section's title, its key phrases and one of its most central sentences
(documents/grounding.py), and the point to write.

- **Completions** (the bundled base model, which follows a pattern far better than an
  instruction): a few solved examples, then the open one. The examples come from *other sections
  of the same document* (their key phrases and central sentence, answered with that sentence
  condensed), never from a fixed text: a fixed example's words leaked into the outlines of
  unrelated documents (a medical paper summarised with "the company wants a new e-commerce
  platform"). Labels are in the document's language, so the model answers in it.
- **Chat** (a capable model behind LLM_BASE_URL): one request per section, an instruction and
  the section's text; the answer is 1-3 lines starting with "- ".
"""

from __future__ import annotations

from dataclasses import dataclass

from documents.llm import Prompt

# (section, key phrases, text, point) in each language we have labels for; any other language
# gets English labels (its own words still come from the document).
_LABELS: dict[str, tuple[str, str, str, str]] = {
    "en": ("Section", "Key phrases", "Text", "Point"),
    "zh": ("章节", "关键词", "原文", "要点"),
    "ja": ("節", "キーワード", "本文", "要点"),
    "ko": ("절", "핵심어", "본문", "요점"),
    "de": ("Abschnitt", "Stichwörter", "Text", "Kernaussage"),
    "fr": ("Section", "Mots-clés", "Texte", "Point clé"),
    "es": ("Sección", "Palabras clave", "Texto", "Idea clave"),
    "pt": ("Seção", "Palavras-chave", "Texto", "Ponto principal"),
    "it": ("Sezione", "Parole chiave", "Testo", "Punto chiave"),
    "ru": ("Раздел", "Ключевые слова", "Текст", "Главное"),
    "ar": ("القسم", "الكلمات المفتاحية", "النص", "الفكرة"),
}
_CJK_COLON = {"zh", "ja"}
_LANGUAGE_NAMES = {
    "zh": "Simplified Chinese", "en": "English", "ko": "Korean", "ja": "Japanese", "de": "German",
    "fr": "French", "es": "Spanish", "pt": "Portuguese", "it": "Italian", "ru": "Russian", "ar": "Arabic",
}  # fmt: skip


def language_name(language: str | None) -> str:
    return _LANGUAGE_NAMES.get(language or "", "the same language as the text")


@dataclass(frozen=True)
class Brief:
    """What a prompt says about one section."""

    title: str
    phrases: list[str]
    sentence: str  # the central sentence this point is about


@dataclass(frozen=True)
class Example:
    brief: Brief
    point: str


def _labels(language: str | None) -> tuple[tuple[str, str, str, str], str, str]:
    labels = _LABELS.get(language or "", _LABELS["en"])
    colon = "：" if language in _CJK_COLON else ": "
    joiner = "；" if language in _CJK_COLON else "; "
    return labels, colon, joiner


def _block(brief: Brief, language: str | None) -> str:
    (section, phrases, text, point), colon, joiner = _labels(language)
    lines = [f"{section}{colon}{brief.title}"]
    if brief.phrases:
        lines.append(f"{phrases}{colon}{joiner.join(brief.phrases)}")
    lines.append(f"{text}{colon}{brief.sentence}")
    lines.append(f"{point}{colon}".rstrip())
    return "\n".join(lines)


def point_prompt(
    *,
    brief: Brief,
    examples: list[Example],
    language: str | None,
    max_tokens: int,
    temperature: float,
    frequency_penalty: float,
    presence_penalty: float,
    extra: dict,
) -> Prompt:
    """One bullet point about `brief`, in the completions shape (and a chat shape that asks for
    the same single point, for a chat backend given this prompt)."""
    _, colon, _ = _labels(language)
    shots = "".join(
        f"{_block(example.brief, language)}{'' if colon == '：' else ' '}{example.point}\n\n"
        for example in examples
    )
    text = shots + _block(brief, language)
    name = language_name(language)
    return Prompt(
        text=text,
        messages=[
            {
                "role": "system",
                "content": f"You write one bullet point of a document's outline, in {name}: one sentence "
                "of at most 25 words saying what the section says, in the section's own terms. "
                "Reply with the sentence only.",
            },
            {"role": "user", "content": _block(brief, language)},
        ],
        max_tokens=max_tokens,
        stop=["\n"],
        temperature=temperature,
        frequency_penalty=frequency_penalty,
        presence_penalty=presence_penalty,
        extra=extra,
    )


def section_prompt(
    *,
    title: str,
    text: str,
    phrases: list[str],
    points: int,
    language: str | None,
    max_tokens: int,
    temperature: float,
    frequency_penalty: float,
    presence_penalty: float,
) -> Prompt:
    """Up to `points` bullet points about a whole section, in the chat shape (a capable model)."""
    name = language_name(language)
    limit = "50 characters" if language in {"zh", "ja", "ko"} else "25 words"
    system = (
        f"You write the bullet points of a document's outline, in {name}. For the section you are "
        f"given, write 1 to {points} bullet points, each one complete sentence of at most {limit}, "
        "saying what the section says in its own terms. Start each line with '- '. No heading, no "
        "preamble, nothing else."
    )
    user = f"Section: {title}\n"
    if phrases:
        user += "Key phrases: " + "; ".join(phrases) + "\n"
    user += f"Text: {text}"
    return Prompt(
        text=user + "\n- ",
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        max_tokens=max_tokens,
        temperature=temperature,
        frequency_penalty=frequency_penalty,
        presence_penalty=presence_penalty,
    )
