"""Storage access for the blob trigger: connection strings, and the poison queue over the Queue REST API.

azure-storage-queue is not a dependency of the app, so the one queue call the host needs
(create the queue, put a message) is made with Shared Key signing by hand.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.error
import urllib.request
from email.utils import formatdate
from urllib.parse import urlparse
from xml.sax.saxutils import escape

DEV_ACCOUNT = "devstoreaccount1"
DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
API_VERSION = "2021-12-02"


def parse_connection_string(text: str) -> dict[str, str]:
    parts = dict(p.split("=", 1) for p in text.split(";") if "=" in p)
    if parts.get("UseDevelopmentStorage", "").lower() == "true":
        parts = {"DefaultEndpointsProtocol": "http", "AccountName": DEV_ACCOUNT, "AccountKey": DEV_KEY,
                 "BlobEndpoint": f"http://127.0.0.1:10000/{DEV_ACCOUNT}",
                 "QueueEndpoint": f"http://127.0.0.1:10001/{DEV_ACCOUNT}"}
    return parts


def queue_endpoint(parts: dict[str, str]) -> str:
    if "QueueEndpoint" in parts:
        return parts["QueueEndpoint"].rstrip("/")
    protocol = parts.get("DefaultEndpointsProtocol", "https")
    suffix = parts.get("EndpointSuffix", "core.windows.net")
    return f"{protocol}://{parts['AccountName']}.queue.{suffix}"


def _sign(method: str, url: str, headers: dict[str, str], account: str, key: str) -> str:
    length = headers.get("Content-Length", "")
    canonical_headers = "".join(f"{k.lower()}:{v}\n" for k, v in sorted(headers.items())
                                if k.lower().startswith("x-ms-"))
    parsed = urlparse(url)
    resource = f"/{account}{parsed.path}"
    for pair in sorted(p for p in parsed.query.split("&") if p):
        name, _, value = pair.partition("=")
        resource += f"\n{name.lower()}:{value}"
    to_sign = "\n".join([method, "", "", "" if length == "0" else length, "", headers.get("Content-Type", ""),
                         "", "", "", "", "", ""]) + "\n" + canonical_headers + resource
    digest = hmac.new(base64.b64decode(key), to_sign.encode(), hashlib.sha256).digest()
    return f"SharedKey {account}:{base64.b64encode(digest).decode()}"


def _call(method: str, url: str, parts: dict[str, str], body: bytes = b"") -> int:
    # urllib adds a form Content-Type to any request with data; set (and sign) our own instead.
    headers = {"x-ms-date": formatdate(usegmt=True), "x-ms-version": API_VERSION,
               "Content-Length": str(len(body)), "Content-Type": "application/xml"}
    headers["Authorization"] = _sign(method, url, headers, parts["AccountName"], parts["AccountKey"])
    request = urllib.request.Request(url, data=body if method != "GET" else None, method=method,
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        if exc.code == 409:  # the queue already exists
            return exc.code
        raise


def put_queue_message(connection_string: str, queue: str, text: str) -> None:
    """Create ``queue`` if needed and add ``text`` as a base64-encoded message (the host's encoding)."""
    parts = parse_connection_string(connection_string)
    base = f"{queue_endpoint(parts)}/{queue}"
    _call("PUT", base, parts)
    encoded = base64.b64encode(text.encode()).decode()
    body = f"<QueueMessage><MessageText>{escape(encoded)}</MessageText></QueueMessage>".encode()
    _call("POST", f"{base}/messages", parts, body)


def peek_queue_messages(connection_string: str, queue: str) -> list[str]:
    """Peek up to 32 messages of ``queue`` (base64-decoded); an absent queue has none."""
    import xml.etree.ElementTree as ET

    parts = parse_connection_string(connection_string)
    url = f"{queue_endpoint(parts)}/{queue}/messages?numofmessages=32&peekonly=true"
    headers = {"x-ms-date": formatdate(usegmt=True), "x-ms-version": API_VERSION}
    headers["Authorization"] = _sign("GET", url, headers, parts["AccountName"], parts["AccountKey"])
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
            root = ET.fromstring(response.read())
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return []
        raise
    return [base64.b64decode(m.findtext("MessageText") or "").decode() for m in root.iter("QueueMessage")]
