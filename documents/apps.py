from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"

    def ready(self) -> None:
        from documents import llm, signals  # noqa: F401 (signals connects the worker_ready hook)
        from ops import health

        # The model server's readiness is the provider's own probe (documents/llm/).
        health.register_check("model", llm.probe)
