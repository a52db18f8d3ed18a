"""Strawberry's GraphiQL page, with every script and stylesheet served by the local server."""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from app.asgi import IdePage

MANIFEST_PATH = Path(__file__).with_name("graphiql_assets.json")
# What the editor opens with locally: one anonymous query (GraphiQL keeps a selected operation
# name across edits, so a document of named operations would break the next anonymous one).
FIRST_QUERY_PATH = Path(__file__).with_name("graphiql_first_query.graphql")
# The README's walk-through, as named operations: pasted whole into GraphiQL, it runs.
WALKTHROUGH_PATH = Path(__file__).with_name("graphiql_walkthrough.graphql")
GRAPHIQL_ASSETS_DIR: Path = Path(__file__).with_name("graphiql_assets")
GRAPHIQL_ASSETS_PATH = "/graphiql-assets"

# A <script ...> or <link ...> start tag; quoted values may hold ">" (the favicon does).
_TAG = re.compile(r"""<(?:script|link)\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.IGNORECASE)
_URL_ATTR = r"""(?<![\w-])(?P<attr>src|href)\s*=\s*(?P<q>["'])(?P<url>{})(?P=q)"""
_EXTERNAL_ATTR = re.compile(_URL_ATTR.format(r"(?:https?:)?//[^\"']*"), re.IGNORECASE)
_INTEGRITY_ATTR = re.compile(
    r"""\s+integrity\s*=\s*(?P<q>["'])(?P<value>[^"']*)(?P=q)""", re.IGNORECASE
)
_CROSSORIGIN_ATTR = re.compile(
    r"""\s+crossorigin(?:\s*=\s*(["'])[^"']*\1)?(?=[\s/>])""", re.IGNORECASE
)
# "<scheme>://<host>/<name>@<version>/<path>": how the template names an npm file.
_PACKAGE_URL = re.compile(
    r"^(?:https?:)?//[^/]+/(?P<name>(?:@[^/@]+/)?[^/@]+)@(?P<version>[^/]+)"
    r"/(?P<path>[^?#]+)$"
)
# Anything that would still make the browser load from another host.
_REMOTE_LOAD = re.compile(
    r"""(?<![\w-])(?:src|href|srcset|action)\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|url\(\s*["']?\s*(?:https?:)?//|@import""",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Asset:
    target: str  # path under the assets URL / GRAPHIQL_ASSETS_DIR
    sha384: str  # "sha384-<base64>", the subresource-integrity value


@functools.cache
def _manifest() -> dict[tuple[str, str, str], _Asset]:
    """(package name, version, path inside the package) -> served asset."""
    doc = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    assets: dict[tuple[str, str, str], _Asset] = {}
    for package in doc["packages"]:
        for entry in package["files"]:
            inner = str(entry["from"]).removeprefix("package/")
            key = (str(package["name"]), str(package["version"]), inner)
            assets[key] = _Asset(target=str(entry["to"]), sha384=str(entry["sha384"]))
    return assets


@functools.cache
def _template() -> str:
    from strawberry.http.ides import get_graphql_ide_html

    return get_graphql_ide_html("graphiql")


def _localize_tag(tag: str, base: str) -> str:
    found = _EXTERNAL_ATTR.search(tag)
    if found is None:
        return tag
    url = found["url"]
    parts = _PACKAGE_URL.match(url)
    asset = _manifest().get((parts["name"], parts["version"], parts["path"])) if parts else None
    if asset is None:
        raise RuntimeError(
            f"strawberry's GraphiQL template loads {url!r}, which "
            "app/local/graphiql_assets.json does not provide: update the manifest "
            "for the installed strawberry-graphql"
        )
    pinned = _INTEGRITY_ATTR.search(tag)
    if pinned is not None and pinned["value"] != asset.sha384:
        raise RuntimeError(
            f"strawberry's GraphiQL template pins {url!r} to {pinned['value']}, "
            f"but app/local/graphiql_assets.json has {asset.sha384}"
        )
    local = html.escape(f"{base}/{asset.target}", quote=True)
    tag = _EXTERNAL_ATTR.sub(lambda m: f'{m["attr"]}="{local}"', tag, count=1)
    tag = _CROSSORIGIN_ATTR.sub("", _INTEGRITY_ATTR.sub("", tag))
    # Keep subresource integrity: the browser re-checks the bytes we serve.
    return re.sub(r"\s*(/?>)$", lambda m: f' integrity="{asset.sha384}"{m.group(1)}', tag)


# Where strawberry's template sets the editor's first query and its headers.
_EXAMPLE_QUERY = re.compile(r"const EXAMPLE_QUERY = `.*?`;", re.DOTALL)
_INITIAL_HEADERS = "React.useState(parameters.headers)"


def _script_literal(value: str) -> str:
    """A JavaScript string literal that cannot close the <script> it stands in."""
    return json.dumps(value).replace("<", "\\u003c")


def _with_defaults(page: str, query: str | None, headers: str | None) -> str:
    if query is not None:
        if not _EXAMPLE_QUERY.search(page):
            raise RuntimeError("strawberry's GraphiQL template no longer sets EXAMPLE_QUERY")
        literal = _script_literal(query)
        page = _EXAMPLE_QUERY.sub(lambda _: f"const EXAMPLE_QUERY = {literal};", page, count=1)
    if headers is not None:
        if _INITIAL_HEADERS not in page:
            raise RuntimeError("strawberry's GraphiQL template no longer reads ?headers=")
        page = page.replace(
            _INITIAL_HEADERS,
            f"React.useState(parameters.headers || {_script_literal(headers)})",
            1,
        )
    return page


@functools.lru_cache(maxsize=8)
def graphiql_html(
    assets_url: str, *, default_query: str | None = None, default_headers: str | None = None
) -> str:
    """The GraphiQL page, loading its scripts and stylesheets from under `assets_url`.

    `assets_url` is where GRAPHIQL_ASSETS_DIR is served, e.g. "/graphiql-assets". The editor
    opens with `default_query` and the Headers tab with `default_headers` (JSON text) unless
    the page's URL gives its own (`?q=`, `?headers=`), so a shared link still wins.
    Raises RuntimeError if strawberry's template loads anything the manifest lacks.
    """
    base = assets_url.rstrip("/")
    page = _TAG.sub(lambda m: _localize_tag(m.group(0), base), _template())
    page = _with_defaults(page, default_query, default_headers)
    leftover = _REMOTE_LOAD.search(page)
    if leftover is not None:
        context = page[max(leftover.start() - 80, 0) : leftover.end() + 80]
        raise RuntimeError(f"GraphiQL page still loads from another host: ...{context}...")
    return page


def graphiql_ide(default_headers: Mapping[str, str] | None = None) -> IdePage:
    """GraphiQL as the local server offers it, opening ready: a first query in the editor and
    these headers (a demo token) in its Headers tab, so the schema loads without pasting."""
    headers = json.dumps(dict(default_headers), indent=2) if default_headers else None
    return IdePage(
        graphiql_html(
            GRAPHIQL_ASSETS_PATH,
            default_query=FIRST_QUERY_PATH.read_text(encoding="utf-8"),
            default_headers=headers,
        ),
        asset_routes=[
            Mount(GRAPHIQL_ASSETS_PATH, StaticFiles(directory=GRAPHIQL_ASSETS_DIR, check_dir=False))
        ],
    )


def missing_graphiql_assets() -> list[str]:
    """Asset paths (relative to GRAPHIQL_ASSETS_DIR) not there yet; empty when ready."""
    return sorted(
        asset.target
        for asset in _manifest().values()
        if not (GRAPHIQL_ASSETS_DIR / asset.target).is_file()
    )
