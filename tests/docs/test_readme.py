"""The README stays true: every setting and every named query is documented in it."""
from pathlib import Path

import pytest

from graph.queries import list_queries
from graph.settings import SETTINGS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented_in_the_readme(setting):
    assert f"| `{setting.name}` | `{setting.env}` |" in README


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_every_named_query_is_listed_in_the_readme(query):
    assert f"| `{query.name}` |" in README


def test_readme_gives_the_two_commands():
    assert "make run" in README and "make test" in README
