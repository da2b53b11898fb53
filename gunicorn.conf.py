"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py 'campaign:create_app()'`.

Override any of them on the command line (`--bind`, `--workers`) or in GUNICORN_CMD_ARGS.
"""
import multiprocessing

bind = "127.0.0.1:8000"
# Sync workers: a sign request is a short burst of CPU and one database round trip.
workers = multiprocessing.cpu_count() * 2 + 1
timeout = 30
graceful_timeout = 20
# Confirmation tokens are removed from these lines by the app's log filter.
accesslog = "-"
errorlog = "-"
