"""Platform code that any app of the project may use: structured logs and request ids, Prometheus
metrics, rate limits, health checks, worker heartbeats and the Redis connection pool.

It imports nothing from `documents/`: an app plugs in what only it knows (the model server's
readiness check) through `ops.health.register_check`. Its alerting rules sit beside it in
`ops/prometheus/`.
"""
