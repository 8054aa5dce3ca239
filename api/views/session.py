"""Sign-in of the web pages: a signed session cookie with CSRF protection (see `api.auth`)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from api.auth import CSRF_HEADER, MAX_TOKEN_LENGTH, session_info, sign_in, sign_out


class SignInSchema(Schema):
    class Meta:
        unknown = RAISE

    token = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TOKEN_LENGTH))


class SessionSchema(Schema):
    role = fields.String()
    worker_id = fields.String(allow_none=True)
    csrf_token = fields.String(metadata={"description": f"send it back in {CSRF_HEADER} on every change"})


blp = Blueprint("session", __name__, url_prefix="/api/v1/session",
                description="Sign-in of the web pages: a signed session cookie with CSRF protection")


@blp.route("")
class Session(MethodView):
    @blp.response(200, SessionSchema)
    @blp.alt_response(401, description="Not signed in")
    def get(self) -> Any:
        """The current session: role, worker and the CSRF token (how a page that was reloaded finds it)"""
        return session_info()

    @blp.arguments(SignInSchema)
    @blp.response(200, SessionSchema)
    @blp.alt_response(401, description="Unknown or revoked token")
    def post(self, data: dict[str, Any]) -> Any:
        """Sign in with an API token: sets the session cookie, returns the CSRF token"""
        return sign_in(data["token"])

    @blp.response(204)
    def delete(self) -> None:
        """Sign out (clears the session cookie)"""
        sign_out()
