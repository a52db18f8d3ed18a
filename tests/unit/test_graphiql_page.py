"""The local GraphiQL page opens ready: a walk-through in the editor, a token in its headers."""

from __future__ import annotations

import json
import pathlib
import re

from graphql import OperationDefinitionNode, parse, validate

from app.local.graphiql_page import FIRST_QUERY_PATH, WALKTHROUGH_PATH, graphiql_html
from schema.graphql_schema import build_schema

README = pathlib.Path(__file__).parents[2] / "README.md"
HEADERS = json.dumps({"Authorization": "Bearer demo.token.value"})


def test_the_editor_opens_with_the_walkthrough_and_the_headers_tab_with_a_token() -> None:
    walkthrough = WALKTHROUGH_PATH.read_text()

    page = graphiql_html("/assets", default_query=walkthrough, default_headers=HEADERS)

    assert f"const EXAMPLE_QUERY = {json.dumps(walkthrough)};" in page
    assert f"React.useState(parameters.headers || {json.dumps(HEADERS)})" in page
    assert "Welcome to GraphiQL" not in page


def test_a_shared_link_still_wins_over_the_defaults() -> None:
    page = graphiql_html("/assets", default_query="{ a }", default_headers=HEADERS)

    assert "parameters.q || EXAMPLE_QUERY" in page
    assert "parameters.headers ||" in page


def test_nothing_in_a_default_can_close_the_script() -> None:
    page = graphiql_html("/assets", default_query='</script><script>alert("x")</script>')

    assert '</script><script>alert("x")' not in page
    assert "\\u003c/script>" in page


def test_without_defaults_the_page_is_strawberrys() -> None:
    assert "Welcome to GraphiQL" in graphiql_html("/assets")


def test_the_walkthrough_is_named_operations_the_schema_accepts() -> None:
    document = parse(WALKTHROUGH_PATH.read_text())
    operations = [
        node for node in document.definitions if isinstance(node, OperationDefinitionNode)
    ]

    assert operations
    assert all(operation.name is not None for operation in operations)
    schema = build_schema(developer_mode=False)._schema
    assert validate(schema, document) == []


def test_the_first_query_is_one_anonymous_query_the_schema_accepts() -> None:
    document = parse(FIRST_QUERY_PATH.read_text())
    operations = [
        node for node in document.definitions if isinstance(node, OperationDefinitionNode)
    ]

    assert len(operations) == 1
    assert operations[0].name is None
    assert validate(build_schema(developer_mode=False)._schema, document) == []


def test_the_readme_shows_the_walkthrough() -> None:
    blocks = re.findall(r"```graphql\n(.*?)```", README.read_text(), re.DOTALL)

    assert WALKTHROUGH_PATH.read_text() in blocks
