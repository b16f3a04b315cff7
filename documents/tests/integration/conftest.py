from documents.tests.processes import (  # noqa: F401 (fixtures)
    celery_worker_process,
    model_server,
    model_server_process,
)
