"""The dashboards run against both backends (SQLite + memory, PostgreSQL + Redis): each
test module gets the app, its lifespan run once, on a freshly seeded backend."""

import pytest
from fastapi.testclient import TestClient

from nalish.app import create_app
from tests.nalish.conftest import backend  # noqa: F401  (a fixture shared across folders)


@pytest.fixture(scope="module")
def app(backend):  # noqa: F811  (the imported fixture, asked for by name)
    application = create_app()
    with TestClient(application):  # runs the lifespan once for the module
        yield application
