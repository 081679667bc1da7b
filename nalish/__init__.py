"""The composition root: `create_app()`, the `nalish` CLI, the worker and its jobs.

The only package that wires the layers together: it picks the session store, the
job queue and the SMS transport from the settings and hands them to the rest.
"""
