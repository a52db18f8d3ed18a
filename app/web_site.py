"""The web app's site as the stack deploys it and the local server serves it: its settings file,
its cache policies, the link to an order's page."""

from __future__ import annotations

from pathlib import Path

from app.settings import GRAPHQL_PATH

# Vite names every asset after its content: a year in any cache is safe. The page and the
# settings that point at them are asked for again every time.
# The web app's build (`npm run --prefix web build`): served locally, uploaded by the stack.
WEB_DIST = Path(__file__).resolve().parent.parent / "web" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
CONFIG_FILE = "config.json"
# The app's page for one order (web/src/routes.ts), after the site's `/`: emails link to it.
ORDER_PAGE_FRAGMENT = "#/orders/{order_id}"


def site_settings(auth: dict[str, str]) -> dict[str, object]:
    """The app's `config.json` (web/README.md): the API on the page's own origin, and how
    to sign in. The local server serves it; the stack writes it beside the deployed app."""
    return {"apiUrl": GRAPHQL_PATH, "auth": auth}


def cognito_sign_in(*, domain: str, client_id: str, site_url: str) -> dict[str, str]:
    """Sign-in through Cognito's hosted UI, back to the site's own page afterwards."""
    return {
        "mode": "cognito",
        "domain": domain,
        "clientId": client_id,
        "redirectUri": site_url,
        "logoutUri": site_url,
    }
