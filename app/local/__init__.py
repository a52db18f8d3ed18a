"""The local harness: emulator, local server and worker, outbox, demo data, load test, dev tokens.

Never in the Lambda bundle (infra/bundle.py leaves it out) and never imported by what ships
(an import-linter contract in pyproject.toml): its packages (moto, uvicorn, PyJWT) are in the
`local` dependency group, which the bundle does not install.
"""
