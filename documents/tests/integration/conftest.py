from documents.tests.processes import celery_worker_process, model_server  # noqa: F401 (fixtures)
