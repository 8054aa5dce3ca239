"""Over-long URLs and header fields answered as problem+json (414 / 431), like every other error.

gunicorn refuses an over-long request line or header field itself, as HTML, before the application sees
the request. `gunicorn.conf.py` raises gunicorn's limits above the ones here, so within them the answer
comes from this WSGI middleware, at `MAX_URL_BYTES` (the request target: path and query) and
`MAX_HEADER_BYTES` (one header field: name, ": " and value, as gunicorn counts it). It wraps the whole
application, so nothing else (routing, authentication, body parsing) runs on such a request.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

from flask import Flask

from api.errors import ApiError, HeaderFieldsTooLarge, UriTooLong, problem_of

WSGIApp = Any  # (environ, start_response) -> iterable of bytes
NOT_HEADERS = {"CONTENT_TYPE": "Content-Type", "CONTENT_LENGTH": "Content-Length"}  # headers without HTTP_


def _bytes(text: str) -> int:
    return len(text.encode("latin-1", "replace"))  # WSGI gives the raw bytes as latin-1 text (PEP 3333)


def target_length(environ: dict[str, Any]) -> int:
    """Bytes of the request target as the client sent it (gunicorn's RAW_URI), else as rebuilt from the path."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw is None:
        raw = quote(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""), safe="/;=,:@!$&'()*+~")
        if environ.get("QUERY_STRING"):
            raw += "?" + environ["QUERY_STRING"]
    return _bytes(raw)


def header_fields(environ: dict[str, Any]) -> Iterator[tuple[str, int]]:
    """(name, bytes of the field line without CRLF) of every request header."""
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").title()
        elif key in NOT_HEADERS:
            name = NOT_HEADERS[key]
        else:
            continue
        yield name, len(name) + 2 + _bytes(str(value))


def check(environ: dict[str, Any], max_url: int, max_header: int) -> ApiError | None:
    """The error a request's head deserves, if any."""
    length = target_length(environ)
    if length > max_url:
        return UriTooLong(f"the URL (path and query) is {length} bytes; at most {max_url} are accepted",
                          errors=[{"field": "url", "message": f"at most {max_url} bytes"}], limit=max_url)
    for name, size in header_fields(environ):
        if size > max_header:
            return HeaderFieldsTooLarge(f"header {name} is {size} bytes; at most {max_header} per field",
                                        errors=[{"field": name, "message": f"at most {max_header} bytes"}],
                                        limit=max_header)
    return None


def init_app(app: Flask) -> None:
    inner: WSGIApp = app.wsgi_app

    def guarded(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        error = check(environ, app.config["MAX_URL_BYTES"], app.config["MAX_HEADER_BYTES"])
        if error is None:
            return inner(environ, start_response)  # type: ignore[no-any-return]
        with app.app_context():
            response = problem_of(error)
        return response(environ, start_response)

    app.wsgi_app = guarded  # type: ignore[method-assign]
