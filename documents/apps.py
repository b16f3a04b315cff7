from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"

    def ready(self) -> None:
        # signals connects the worker_ready hook; tasks registers the Celery tasks in every
        # process (the web's too: services send them by name, see services/outline_tasks.py).
        from documents import llm, signals, tasks  # noqa: F401
        from ops import health

        # The model server's readiness is the provider's own probe (documents/llm/).
        health.register_check("model", llm.probe)
