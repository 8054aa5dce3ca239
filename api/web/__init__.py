"""The web page for managers and installers (`/sign-in`, `/`, `/days/<date>`, `/workers/<id>`).

Server-rendered frames (Jinja) filled in the browser from the JSON API (`/api/v1/...`) by one small
script, `static/pages.js`, signed in with the API's cookie session: every number and slot on the page
comes from the API, the page computes no availability. Templates and assets ship inside this package,
so the page works offline.
"""

from api.web.views import pages

__all__ = ["pages"]
