"""The provider layer: stream text from any OpenAI-compatible endpoint, or the bundled model.

Callers see one shape whatever the backend: `get_provider().stream(prompt)` is a context manager
that yields text deltas, and every failure is an `LLMError` with a stable `code`. Each provider
also answers its own readiness probe (`probe()`, asked by /readyz and the model-up gauge).

A new backend is one module beside this one with a `Provider` subclass, and its line in
`_PROVIDERS` below; `LLM_PROVIDER` picks it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured

from documents.llm.base import (
    MESSAGES,
    ApiStyle,
    LLMConfig,
    LLMError,
    LLMErrorCode,
    Prompt,
    Provider,
    StreamUsage,
)
from documents.llm.openai_compatible import OpenAICompatibleProvider

# The registry: LLM_PROVIDER -> provider class.
_PROVIDERS: dict[str, type[Provider]] = {
    "openai": OpenAICompatibleProvider,
}

ProviderT = TypeVar("ProviderT", bound=type)


def register_provider(name: str) -> Callable[[ProviderT], ProviderT]:
    """Class decorator: make a provider available as LLM_PROVIDER=name (for a plug-in outside
    this package; ours are listed in _PROVIDERS)."""

    def decorator(cls: ProviderT) -> ProviderT:
        _PROVIDERS[name] = cls
        return cls

    return decorator


def get_provider(config: LLMConfig | None = None) -> Provider:
    config = config or LLMConfig.from_settings()
    try:
        provider_class = _PROVIDERS[config.provider]
    except KeyError:
        known = ", ".join(sorted(_PROVIDERS))
        raise ImproperlyConfigured(f"Unknown LLM_PROVIDER {config.provider!r}; known: {known}") from None
    return provider_class(config)


def probe() -> str:
    """The configured provider's readiness probe (registered as the "model" readiness check)."""
    return get_provider().probe()


__all__ = [
    "MESSAGES",
    "ApiStyle",
    "LLMConfig",
    "LLMError",
    "LLMErrorCode",
    "OpenAICompatibleProvider",
    "Prompt",
    "Provider",
    "StreamUsage",
    "get_provider",
    "probe",
    "register_provider",
]
