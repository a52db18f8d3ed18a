"""Fuzzing the running API: schemathesis writes queries and mutations from the live schema.

Whatever it sends, as a customer or as staff, the service must answer as a GraphQL server that
expected it: never a 5xx, always JSON, and every error either the GraphQL layer's own (a parse
or validation error, before execution) or one the service gave a code to. An exception's name
or a traceback in a message means an error escaped the masking.

CI replays the same few dozen cases on every run; `FUZZ_EXAMPLES=2000 pytest -m fuzz` explores
further, from a fresh random seed each time.
"""

from __future__ import annotations

import builtins
import json
import os
import re
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.specs.graphql.schemas import GraphQLSchema

from tests.e2e.conftest import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.fuzz]

CI_EXAMPLES = 40
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", CI_EXAMPLES))

# What only reaches a client when an exception escaped the masking: the name of one of Python's
# exceptions or botocore's, an exception's repr, a traceback, the usual words of a TypeError or
# an AttributeError.
EXCEPTION_NAMES = [
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
] + ["ClientError", "ParamValidationError", "BotoCoreError", "botocore"]
PYTHON_WORDS = ["has no attribute", "not subscriptable", "positional argument", "keyword argument"]
UNMASKED = re.compile(
    r"Traceback|Error\(|"
    + "|".join(map(re.escape, PYTHON_WORDS))
    + r"|\b(?:"
    + "|".join(map(re.escape, EXCEPTION_NAMES))
    + r")\b"
)


@pytest.fixture(scope="session")
def graphql_schema(live_server: LiveServer) -> GraphQLSchema:
    """The schema as the local server introspects it (every request needs a token).

    Loaded here and driven by `as_strategy()` below rather than by `schemathesis.pytest.
    from_fixture`: its lazy loader sets `Function._nodeid`, which pytest 9 no longer has.
    """
    return schemathesis.graphql.from_url(
        live_server.graphql_url, headers=_bearer(live_server.token("fuzz-customer"))
    )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _unanswerable(error: Any, query: str) -> str | None:
    """Why a GraphQL error should not reach a client, or None when it is a proper answer."""
    if not isinstance(error, dict) or not isinstance(error.get("message"), str):
        return "an error without a message"
    # A validation message may quote the query ("Value 'x' does not exist in ..."): only words
    # the server did not merely echo count.
    leaked = [word for word in UNMASKED.findall(error["message"]) if word not in query]
    if leaked:
        return f"an unmasked exception ({', '.join(leaked)})"
    # Parse and validation errors come before execution and carry no path; an error raised
    # while executing must carry a code (a masked one carries INTERNAL).
    if "path" in error and not (error.get("extensions") or {}).get("code"):
        return "an execution error without extensions.code"
    return None


def test_generated_operations_never_crash_nor_leak_an_exception(
    live_server: LiveServer, graphql_schema: GraphQLSchema
) -> None:
    callers = {
        "customer": _bearer(live_server.token("fuzz-customer")),
        "staff": _bearer(live_server.token("fuzz-staff", staff=True)),
    }
    # Well-typed operations reach the resolvers; ill-typed ones the parser and validation.
    cases = st.one_of(
        graphql_schema.as_strategy(GenerationMode.POSITIVE),
        graphql_schema.as_strategy(GenerationMode.NEGATIVE),
    )
    sent: Counter[str] = Counter()

    @settings(
        max_examples=EXAMPLES,
        derandomize="FUZZ_EXAMPLES" not in os.environ,
        database=None,
        deadline=None,  # a case is two HTTP round trips; the run as a whole is what is bounded
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(case=cases)
    def answers_cleanly(case: Case) -> None:
        sent[case.operation.label] += 1
        query = str(case.body)
        for caller, headers in callers.items():
            response = case.call(headers=headers)
            text = response.content.decode(errors="replace")
            seen = f"{caller} sent:\n{query}\nand got HTTP {response.status_code}:\n{text[:2000]}"
            assert response.status_code < 500, seen
            try:
                answer = json.loads(response.content)
            except ValueError:
                pytest.fail(f"the answer is not JSON: {seen}")
            assert isinstance(answer, dict), seen
            for error in answer.get("errors") or []:
                problem = _unanswerable(error, query)
                assert problem is None, f"{problem}: {seen}"

    answers_cleanly()
    print(f"schemathesis: {sum(sent.values())} cases over {len(sent)} operations: {dict(sent)}")
    assert sum(sent.values()) == EXAMPLES
