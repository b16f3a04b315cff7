"""Every class of task error, with the message people see (English and Simplified Chinese).

The database and the stream carry the code; the message is looked up in the reader's language
when shown, so a Chinese UI shows Chinese for the same stored error.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language


@dataclass(frozen=True)
class ErrorClass:
    code: str
    category: str  # invalid_input | network | provider | timeout | resource | worker | internal
    en: str
    zh: str
    continuable: bool = True  # whether "Continue" is worth offering after it


_ERRORS = [
    ErrorClass(
        "invalid_input", "invalid_input",
        "This document has nothing to outline: no headings and no text were found in it.",
        "此文档没有可生成大纲的内容：其中既没有标题也没有正文。",
        continuable=False,
    ),
    ErrorClass(
        "section_gone", "invalid_input",
        "The section was removed or renamed while it was being regenerated, so the outline was "
        "left as it is. The new text is kept on the task page.",
        "该章节在重新生成期间被删除或重命名，因此大纲保持不变。新生成的文字保留在任务页面上。",
        continuable=False,
    ),
    ErrorClass(
        "provider_unreachable", "network",
        "The AI service could not be reached. Check that it is running, then continue.",
        "无法连接到 AI 服务。请确认服务正在运行，然后继续。",
    ),
    ErrorClass(
        "provider_error", "provider",
        "The AI service returned an error. Try again in a moment.",
        "AI 服务返回了错误。请稍后重试。",
    ),
    ErrorClass(
        "rate_limited", "provider",
        "The AI service is busy (rate limited). Wait a minute, then continue.",
        "AI 服务繁忙（请求过于频繁）。请稍等一分钟后继续。",
    ),
    ErrorClass(
        "context_too_long", "provider",
        "A section was too long for the AI model, even after shortening it.",
        "有一节内容过长，缩短后仍超出 AI 模型的处理上限。",
        continuable=False,
    ),
    ErrorClass(
        "content_filtered", "provider",
        "The AI service refused to summarize part of this document (content filter).",
        "AI 服务拒绝概括本文档的部分内容（内容过滤）。",
        continuable=False,
    ),
    ErrorClass(
        "timeout_first_token", "timeout",
        "The AI model did not start answering in time. Continue to try again.",
        "AI 模型未能及时开始回答。请点击继续重试。",
    ),
    ErrorClass(
        "timeout_between_tokens", "timeout",
        "The AI model stopped answering in the middle of a section. What it wrote so far is kept.",
        "AI 模型在生成某一节时中途停止响应。已生成的内容已保留。",
    ),
    ErrorClass(
        "timeout_task", "timeout",
        "The outline took longer than allowed and was stopped. What was written so far is kept.",
        "大纲生成超出了允许的时间，已停止。已生成的内容已保留。",
    ),
    ErrorClass(
        "resource_exhausted", "resource",
        "The server ran out of memory or disk space. What was written so far is kept.",
        "服务器内存或磁盘空间不足。已生成的内容已保留。",
    ),
    ErrorClass(
        "queue_full", "resource",
        "Outliner is busy right now. Try again in a minute.",
        "Outliner 当前繁忙，请一分钟后重试。",
    ),
    ErrorClass(
        "too_many_tasks", "resource",
        "You already have the maximum number of outlines in progress. Wait for one to finish or cancel one.",
        "您进行中的大纲任务已达上限。请等待其中一个完成，或取消一个。",
    ),
    ErrorClass(
        "worker_lost", "worker",
        "The worker generating this outline stopped unexpectedly. What was written so far is kept.",
        "生成此大纲的后台进程意外停止。已生成的内容已保留。",
    ),
    ErrorClass(
        "internal", "internal",
        "Something went wrong on our side. What was written so far is kept.",
        "我们这边出了点问题。已生成的内容已保留。",
    ),
]  # fmt: skip

ERRORS: dict[str, ErrorClass] = {error.code: error for error in _ERRORS}


def error_class(code: str) -> ErrorClass:
    return ERRORS.get(code, ERRORS["internal"])


def error_message(code: str, language: str | None = None) -> str:
    """The user-facing message for `code` in `language` (default: the active language)."""
    error = error_class(code)
    language = (language or get_language() or "en").lower()
    return error.zh if language.startswith("zh") else error.en
