"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py 'campaign:create_app()'`.

Override any of them on the command line (`--bind`, `--workers`) or in GUNICORN_CMD_ARGS.
"""
import multiprocessing

bind = "127.0.0.1:8000"
workers = multiprocessing.cpu_count() * 2 + 1
# Threads, so that a long export download (a million rows is ~110 MB) streams in one thread
# while the worker keeps answering; a sync worker would be killed at `timeout` mid-download.
worker_class = "gthread"
threads = 4
timeout = 30
# Longer than nginx keeps an idle connection to us (deploy/nginx.conf, 30 s), so that nginx
# always closes first: closed here first, a request already on its way gets a reset (a 502).
keepalive = 75
graceful_timeout = 20
# Link tokens are removed from these lines by the app's log filter. No client address
# (gunicorn's default starts with %(h)s): signers' addresses are kept only as salted hashes.
# The request id, as the app sent it back, ties the line to the app's own log lines.
accesslog = "-"
access_log_format = '%(t)s [%({x-request-id}o)s] "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
errorlog = "-"


def post_worker_init(worker):
    """Build the ZIP-to-state table before the first signer arrives (about a second)."""
    from campaign.places import regions

    regions.load()
