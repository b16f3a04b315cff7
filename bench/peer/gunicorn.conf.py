"""gunicorn settings of the peer: Outliner's (project/gunicorn.conf.py) minus what imports Django.

project/gunicorn.conf.py reads .env with django-environ, which imports Django and with it
asgiref.sync in the master, before a gevent worker monkey-patches the standard library. asgiref
creates its one-thread executor (SyncToAsync.single_thread_executor) at import, with the C
SimpleQueue, so under gevent django-eventstream's first ``sync_to_async(get_events)`` blocks the
whole worker in an unpatched queue.get and the master kills it (WORKER TIMEOUT). Outliner's
sync views never go through sync_to_async, so this does not touch it. What matters for the
comparison is kept the same: the keep-alive, and no access log.
"""

keepalive = 75
accesslog = None
