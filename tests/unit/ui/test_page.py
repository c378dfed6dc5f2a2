"""The runs page's shell and assets as the function serves them (no server: the function itself)."""

from __future__ import annotations

import re

import azure.functions as func
import pytest

from ui import page

pytestmark = pytest.mark.unit


def get(url: str, asset: str | None = None) -> func.HttpResponse:
    params = {"asset": asset} if asset else {}
    return page.runs_page.build().get_user_function()(
        func.HttpRequest("GET", url, body=b"", route_params=params))


def test_the_shell_loads_its_assets_from_its_own_path_with_a_strict_policy():
    answer = get("http://host:7071/api/ui?code=secret-key")
    html = answer.get_body().decode()
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    assert 'src="/api/ui/app.js"' in html and 'href="/api/ui/app.css"' in html
    assert "secret-key" not in html                                 # the key stays in the address
    assert get("http://host/other/ui/").get_body().decode().count('src="/other/ui/app.js"') == 1
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "unsafe" not in policy
    assert answer.headers["Referrer-Policy"] == "no-referrer"


def test_every_asset_the_pages_reference_is_served_and_nothing_else():
    assets = page.assets()
    assert {"app.js", "app.css", "favicon.svg"} <= set(assets) and "index.html" not in assets
    imported = set()
    for name, (body, content_type) in assets.items():
        if name.endswith(".js"):
            assert content_type == "text/javascript"
            imported |= set(re.findall(r'from "\./([a-z]+\.js)"', body.decode()))
    assert imported and imported <= set(assets)                     # every module import resolves
    assert get("http://host/api/ui/x", "app.js").get_body() == assets["app.js"][0]
    missing = get("http://host/api/ui/x", "page.py")
    assert missing.status_code == 404


def test_no_script_or_style_is_inline():
    html = page.page_template()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)                     # no inline event handlers either
