"""gunicorn settings for production and `make bench` (gunicorn reads ./gunicorn.conf.py by default; pass -c to be sure)."""
# Access-log lines never carry an old link's one-time code (?code=...): companion.access_log redacts them.
logger_class = "companion.access_log.RedactingGunicornLogger"

# Idle keep-alive connections stay open longer than any client in front of us keeps them (a load balancer: nginx
# upstream keepalive_timeout 60 s, AWS ALB 60 s). gunicorn's default of 2 s let a client send a check-in on a
# connection the worker was closing at that moment: the POST was lost ("status 0", `make bench` on two hosts) and
# nginx does not retry a POST. gthread workers hold idle connections in their poller, not in a thread.
keepalive = 75
