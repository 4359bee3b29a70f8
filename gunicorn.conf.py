"""gunicorn settings for production and `make bench` (gunicorn reads ./gunicorn.conf.py by default; pass -c to be sure)."""
# Access-log lines never carry an old link's one-time code (?code=...): companion.access_log redacts them.
logger_class = "companion.access_log.RedactingGunicornLogger"
