"""Credentials in URLs: never print them.

Engine URLs may carry a password (``tcp://admin:pw@host:2376`` through a proxy doing basic
auth) or a token in the query (``https://gw/docker?token=...``).  Messages, errors and
report fields show the URL with the user kept and the secret parts masked, so a report can
still say which endpoint it means.
"""

from __future__ import annotations

import re

MASK = "***"

# scheme://user:password@  (the password part may be empty: user:@host)
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]{0,30}://)(?P<user>[^\s/@:'\"]{0,200})"
                       r":(?P<secret>[^\s/@'\"]{1,500})@")
# a value ends at the next parameter, a quote, a closing parenthesis or ": " (message text)
_QUERY_VALUE = re.compile(r"(?P<key>[?&;][A-Za-z0-9_.\-]{1,100}=)"
                          r"(?P<value>[^\s&;#'\")]{1,2000}?)(?=$|[\s&;#'\")]|:(?:\s|$))")
_URL_WITH_QUERY = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{0,30}://[^\s'\"]{0,2000}")


def redact_url(url: str) -> str:
    """``tcp://admin:pw@h:2376/?token=x`` -> ``tcp://admin:***@h:2376/?token=***``."""
    return redact_urls_in(url)


def redact_urls_in(text: str) -> str:
    """Mask the password of every ``scheme://user:password@`` and every query value of
    every URL in ``text`` (an error message, a report field)."""
    if "://" not in text:
        return text
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    if "?" not in text:
        return text
    return _URL_WITH_QUERY.sub(lambda m: _QUERY_VALUE.sub(
        lambda q: f"{q['key']}{MASK}", m.group(0)), text)
