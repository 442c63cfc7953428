"""Fixtures for the web tests (the data itself is in webdata.py)."""
from __future__ import annotations

import pytest

from webdata import fixture_dataset, fixture_nquads


@pytest.fixture(scope="session")
def web_store():
    from graph.store import Store

    store = Store.from_nquads(fixture_nquads())
    yield store
    store.close()


@pytest.fixture(scope="session")
def dataset():
    return fixture_dataset()
