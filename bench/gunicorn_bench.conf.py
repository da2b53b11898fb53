"""gunicorn settings of the benchmarks: none, so that the command line says everything.

sign_load.py passes this file as --config for Campaign and for the ceiling alike; without it
gunicorn would read the project's gunicorn.conf.py for the one started in the project root.
"""
