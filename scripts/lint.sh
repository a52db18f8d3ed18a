#!/usr/bin/env bash
# The one lint script: run by `make lint`, by CI and by a pre-commit hook alike.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== ruff check";         ruff check .
echo "== ruff format";        ruff format --check .
echo "== mypy (strict)";      mypy
echo "== import layers";      lint-imports
echo "== schema.graphql is current"; python -m schema.graphql_schema --check
checker=../shared/tools/check_contract.py
if [ -f "$checker" ]; then
  echo "== the public contract"; python "$checker" schema/schema.graphql
elif [ -n "${CI:-}" ]; then
  echo "contract checker missing at $checker" >&2; exit 1
else
  echo "== the public contract: $checker not found beside this clone; skipped"
fi
