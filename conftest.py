# Fixtures that run real processes (model server, Celery worker) are registered once for the
# whole run, so integration and end-to-end tests share one worker and one model server.
pytest_plugins = ["documents.tests.processes"]
