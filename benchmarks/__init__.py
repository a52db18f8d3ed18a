"""Benchmarks: each a module run from the checkout (`uv run python -m benchmarks.<name>`)."""
