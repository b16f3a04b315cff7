# The documents app's fixtures (users, clients, uploads) serve these tests too: the platform code is
# exercised through the project's real requests and tasks.
from documents.tests.conftest import (  # noqa: F401
    _quiet_database_before_flush,
    api_client,
    docx_bytes,
    logged_in,
    other_user,
    user,
)
