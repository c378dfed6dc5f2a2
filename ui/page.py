"""GET /api/ui and its assets: the runs page, served by the function app itself.

The page is a static shell: the same bytes for every visitor, no data and no secret in it.
Everything it shows comes from the function-level JSON API, called with the key the user
brought (``?code=`` on the first load, kept in the tab's sessionStorage, sent as
``x-functions-key``). So the shell and its assets are anonymous routes, and only they are:

- a function-level page answers a missing or wrong key with the host's empty 401, before the
  app runs, so the browser would show its own blank error page instead of saying what to do;
- the page removes ``code`` from the address bar, so a reload would have no key to send;
- a ``<script src>`` or stylesheet cannot send a header: protected assets would need the key in
  their URLs (history, logs, Referer).

No inline script or style: the Content-Security-Policy allows scripts, styles and connections
to this origin only, and the page loads its JavaScript as ES modules (no build step, no CDN).
docs/pipeline.md ("The runs page") documents the choice; docs/deploy.md puts Entra sign-in in
front of the whole app in Azure.
"""

from __future__ import annotations

import functools
import html
from pathlib import Path
from urllib.parse import urlsplit

import azure.durable_functions as df
import azure.functions as func

bp = df.Blueprint()
STATIC = Path(__file__).resolve().parent / "static"
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml"}
# The shell's policy: nothing but this origin, no inline code, no framing, no form posts elsewhere.
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
               "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": PAGE_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # the first load may carry ?code=: never hand the address to another site
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@functools.cache
def assets() -> dict[str, tuple[bytes, str]]:
    """Every file the page loads besides itself: name -> (bytes, content type)."""
    found = {}
    for path in sorted(STATIC.iterdir()):
        if path.is_file() and path.suffix in CONTENT_TYPES and path.name != "index.html":
            found[path.name] = (path.read_bytes(), CONTENT_TYPES[path.suffix])
    return found


@functools.cache
def page_template() -> str:
    return (STATIC / "index.html").read_text(encoding="utf-8")


def page_base(url: str) -> str:
    """The page's own path without a trailing slash (``/api/ui``): its assets live under it."""
    return urlsplit(url).path.rstrip("/") or "/api/ui"


def render_page(url: str) -> str:
    return page_template().replace("{{base}}", html.escape(page_base(url), quote=True))


@bp.route(route="ui/{asset?}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def runs_page(req: func.HttpRequest) -> func.HttpResponse:
    name = req.route_params.get("asset") or ""
    if not name:
        return func.HttpResponse(render_page(req.url), status_code=200, mimetype="text/html",
                                 charset="utf-8", headers=dict(SECURITY_HEADERS))
    found = assets().get(name)
    if found is None:
        return func.HttpResponse(f"No asset {name!r} here; open the runs page at its address instead.",
                                 status_code=404, mimetype="text/plain", charset="utf-8",
                                 headers=dict(SECURITY_HEADERS))
    body, content_type = found
    return func.HttpResponse(body, status_code=200, mimetype=content_type, charset="utf-8",
                             headers=dict(SECURITY_HEADERS))
