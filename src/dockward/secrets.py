"""The one secret detector every rule shares: names, values, placeholders, redaction.

Rules must agree on what a secret is, or one surface would flag what another lets
through; so the decision lives here and nowhere else.  Three questions are kept apart:

* :func:`classify_name` - does a variable's *name* say it holds a secret
  (``DB_PASSWORD``, ``npmToken``) rather than a pointer to one (``PASSWORD_FILE``)?
* :func:`classify_value` - does the *value* itself look like a credential (a known token
  format, a PEM private key, a JWT, a password inside a URL, a long random string)?
* :func:`is_placeholder` - is the value an indirection (``$TOKEN``, ``${{ secrets.X }}``)?
  A placeholder passed as a build arg still lands in ``docker history``, but it is not a
  *hard-coded* secret in the file.

:func:`redact` and :func:`scrub` make sure evidence never shows a secret whole: at most
four of its characters survive, and short values are masked completely.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

# --- names -------------------------------------------------------------------------------

# A segment equal to one of these marks a secret.
_SECRET_WORDS = frozenset({
    "PASSWORD", "PASSWORDS", "PASSWD", "PASSPHRASE", "PASS", "PW", "PWD",
    "SECRET", "SECRETS", "TOKEN", "TOKENS", "CREDENTIAL", "CREDENTIALS", "CREDS",
    "AUTH", "APIKEY", "APIKEYS", "PRIVATEKEY", "ACCESSKEY", "SECRETKEY", "AUTHTOKEN",
    "ACCESSTOKEN", "CLIENTSECRET", "PAT", "HTPASSWD", "PGPASSWORD",
})
# Two adjacent segments that together mark a secret (``API_KEY``, ``LICENSE_KEY``).
_SECRET_KEY_QUALIFIERS = frozenset({
    "API", "PRIVATE", "ACCESS", "SECRET", "ENCRYPTION", "SIGNING", "MASTER", "AUTH",
    "LICENSE", "SSH", "DEPLOY", "ACCOUNT", "SESSION", "APP", "CLIENT", "SERVICE", "STORAGE",
    "JWT", "HMAC", "CRYPT", "CIPHER", "ADMIN", "ROOT", "SHARED", "WEBHOOK",
})
# Within one segment: ``ROOTPASSWORD``, ``GITHUBTOKEN``, ``MYSECRET``.
_SECRET_SUFFIXES = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "PASSPHRASE")
# ``ROOTPASS`` and friends: PASS as a suffix only after a known owner (not BYPASS, COMPASS).
_PASS_OWNERS = frozenset({
    "ROOT", "DB", "ADMIN", "USER", "MYSQL", "PG", "SQL", "LDAP", "SMTP", "MAIL", "FTP",
    "REDIS", "SA", "MONGO", "RABBIT", "AMQP", "PROXY",
})
# Indirection and configuration: the variable points at or describes a secret.
_EXEMPT_LAST = frozenset({
    "STDIN", "FILE", "FILES", "PATH", "PATHS", "DIR", "DIRS", "URL", "URLS", "URI", "ENDPOINT",
    "NAME", "NAMES", "ID", "IDS", "HOST", "HOSTS", "PORT", "USER", "USERNAME", "TYPE",
    "METHOD", "MODE", "ENABLED", "ENABLE", "DISABLED", "DISABLE", "REQUIRED", "PROVIDER",
    "LENGTH", "LEN", "SIZE", "TTL", "TIMEOUT", "EXPIRY", "EXPIRES", "EXPIRATION", "VERSION",
    "HEADER", "FORMAT", "ALGORITHM", "ALG", "BACKEND", "LOCATION", "REF", "SOURCE", "SRC",
    "KEYRING", "SERVER", "REALM", "SCOPE", "SCOPES", "ISSUER", "AUDIENCE", "PREFIX",
    "FINGERPRINT", "SHA", "SHA1", "SHA256", "SHA512", "CHECKSUM", "MOUNT", "TARGET",
    "POLICY", "STORE", "VAR", "ENV",
})
_EXEMPT_FIRST = frozenset({"NO", "SKIP", "DISABLE", "ENABLE", "USE", "REQUIRE", "WITH",
                           "WITHOUT", "ALLOW"})
_EXEMPT_WHOLE = frozenset({"PWD", "OLDPWD", "AUTH"})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SPLIT = re.compile(r"[_\-.\s]+")


@dataclass(frozen=True, slots=True)
class NameVerdict:
    """Whether a name marks a secret, and why (for messages); truthy when it does."""

    secret: bool
    reason: str

    def __bool__(self) -> bool:
        return self.secret


def name_segments(name: str) -> list[str]:
    """``dbPassword`` / ``DB-PASSWORD`` / ``db.password`` -> ``['DB', 'PASSWORD']``."""
    spaced = _CAMEL.sub("_", name.strip())
    return [s for s in _SPLIT.split(spaced.upper()) if s]


@lru_cache(maxsize=4096)
def classify_name(name: str) -> NameVerdict:
    """Does ``name`` say its value is a secret?  Word-boundary matching on segments.

    ``GPG_KEYS``, ``TARGETARCH``, ``PASSWORD_FILE``, ``TOKEN_URL`` and ``AUTH_ENABLED`` are
    not secrets: a bare KEY is usually a public-key fingerprint, and the exempt last
    segments describe where a secret is, not the secret.
    """
    segs = name_segments(name)
    if not segs:
        return NameVerdict(False, "empty name")
    whole = "_".join(segs)
    if whole in _EXEMPT_WHOLE:
        return NameVerdict(False, f"{name} is a well-known non-secret variable")
    if segs[-1] in _EXEMPT_LAST or whole.endswith("_KEY_ID"):
        return NameVerdict(False, f"{name} names a pointer or setting (*_{segs[-1]})")
    if segs[0] in _EXEMPT_FIRST and len(segs) > 1:
        return NameVerdict(False, f"{name} is a switch ({segs[0]}_*)")
    for i, seg in enumerate(segs):
        if seg in _SECRET_WORDS:
            return NameVerdict(True, f"{name} contains {seg}")
        if seg in ("KEY", "KEYS") and i > 0 and segs[i - 1] in _SECRET_KEY_QUALIFIERS:
            return NameVerdict(True, f"{name} contains {segs[i - 1]}_{seg}")
        for suffix in _SECRET_SUFFIXES:
            if seg.endswith(suffix) and len(seg) > len(suffix):
                return NameVerdict(True, f"{name} contains {suffix}")
        if seg.endswith("PASS") and seg[:-4] in _PASS_OWNERS:
            return NameVerdict(True, f"{name} contains PASS")
    return NameVerdict(False, f"{name} does not name a secret")


# --- values ------------------------------------------------------------------------------

_KNOWN_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rx)) for kind, rx in (
        ("private-key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
        ("aws-access-key-id",
         r"(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}(?![A-Z0-9])"),
        ("github-token", r"(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,}"),
        ("github-token", r"(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{60,}"),
        ("gitlab-token", r"(?<![A-Za-z0-9_])gl(?:pat|dt|rt|ptt|cbt)-[A-Za-z0-9_\-]{20,}"),
        ("npm-token", r"(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])"),
        ("slack-token", r"(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9\-]{10,}"),
        ("slack-webhook", r"https://hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/"
                          r"[A-Za-z0-9_]{16,}"),
        ("stripe-key", r"(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"),
        ("google-api-key", r"(?<![A-Za-z0-9_\-])AIza[0-9A-Za-z_\-]{35}(?![0-9A-Za-z_\-])"),
        ("google-oauth-secret", r"GOCSPX-[A-Za-z0-9_\-]{28}"),
        ("pypi-token", r"(?<![A-Za-z0-9])pypi-AgE[A-Za-z0-9_\-]{50,}"),
        ("dockerhub-token", r"(?<![A-Za-z0-9])dckr_pat_[A-Za-z0-9_\-]{20,}"),
        ("jwt", r"(?<![A-Za-z0-9_\-])eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\."
                r"[A-Za-z0-9_\-]{8,}"),
    )
)
# scheme://user:password@host -- the password part (group 1); placeholders are excluded
# later.  The scheme starts at a boundary, so a long run of letters is tried once rather
# than once per letter (which was quadratic: 12 s for a 100 KB line).
_URL_CREDENTIAL = re.compile(
    r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@'\"]+:([^\s@/'\"]+)@")
# Values longer than this are judged by their head: a credential is short, and a hostile
# file can alias one huge string thousands of times (the YAML alias budget counts nodes).
MAX_SCAN = 16 * 1024
# redis://:password@host (no user name): a literal prefix, so the search stays linear
_URL_PASSWORD_ONLY = re.compile(r"://:([^\s@/'\"]{1,256})@")
# Password=...; in connection strings (ADO.NET, ODBC, JDBC query strings, libpq keywords):
# the key word is a literal, the value bounded, so the search stays linear in the text
_CONNECTION_PASSWORD = re.compile(
    r"(?i)(?<![A-Za-z0-9_])(?:password|passwd|pwd)[ \t]{0,8}="
    r"(?P<q>['\"]?)([^;&\s'\"]{1,256})")
_RANDOM_CHARSET = re.compile(r"^[A-Za-z0-9+/=_\-]+$")
_HEX_LIKE = re.compile(r"^(?:0x)?[0-9a-fA-F\-]+$")


def shannon_entropy(text: str) -> float:
    """Bits per character; random base64 tends to 5-6, English words and versions stay low."""
    if not text:
        return 0.0
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def _looks_random(token: str) -> bool:
    """A long, mixed-case, digit-bearing string with high entropy (not a checksum).

    Hex strings (checksums, GPG fingerprints, commit ids, UUIDs) are deliberately left out:
    they are published for verification far more often than they are secrets.
    """
    if len(token) < 24 or len(token) > 512 or not _RANDOM_CHARSET.match(token):
        return False
    if _HEX_LIKE.match(token):
        return False
    if token.startswith(("sha256-", "sha384-", "sha512-", "sha1-")):  # SRI hashes
        return False
    classes = sum((any(c.islower() for c in token), any(c.isupper() for c in token),
                   any(c.isdigit() for c in token)))
    if classes < 3:
        return False
    threshold = min(4.3, 0.8 * math.log2(len(token)))
    return shannon_entropy(token) >= threshold


def classify_value(value: str | None) -> str | None:
    """See :func:`_classify_value`; judged on the first :data:`MAX_SCAN` characters, and
    remembered, so an alias of one long string costs once."""
    if not value:
        return None
    return _classify_value(value[:MAX_SCAN])


@lru_cache(maxsize=1024)
def _classify_value(value: str) -> str | None:
    """The kind of credential ``value`` contains, or None.

    Kinds: ``private-key``, ``aws-access-key-id``, ``github-token``, ``gitlab-token``,
    ``npm-token``, ``slack-token``, ``slack-webhook``, ``stripe-key``, ``google-api-key``,
    ``google-oauth-secret``, ``pypi-token``, ``dockerhub-token``, ``jwt``,
    ``url-credentials`` (``postgres://user:pass@``, ``redis://:pass@``),
    ``connection-string-password`` (``Server=db;Password=...;``) and ``high-entropy``.
    Placeholders are never credentials.
    """
    if not value:
        return None
    text = value.strip()
    if len(text) < 8:
        return None
    for kind, rx in _KNOWN_FORMATS:
        if rx.search(text):
            return kind
    for rx in (_URL_CREDENTIAL, _URL_PASSWORD_ONLY):
        for m in rx.finditer(text):
            password = m.group(1)
            if not _PLACEHOLDER_ANY.search(password) and not _is_dummy(password):
                return "url-credentials"
    for m in _CONNECTION_PASSWORD.finditer(text):
        password = m.group(2)
        if not is_placeholder(password) and not is_trivial(password):
            return "connection-string-password"
    if not _PLACEHOLDER_ANY.search(text):
        for token in re.split(r"[\s\"',;:&?]+", text):
            if _looks_random(token):
                return "high-entropy"
    return None


# --- placeholders ------------------------------------------------------------------------

# The bodies exclude their own opener, so thousands of unclosed ``${`` are tried once each
# (a nested ``${A:-$B}`` still matches through its inner ``$B``).
_CI_EXPR = r"\$\{\{[^{}$]*\}\}"  # GitHub Actions / Gitea / Forgejo
_SHELL_VAR = r"\$\{[^{}$]*\}|\$[A-Za-z_][A-Za-z0-9_]*"
_CMD_SUBST = r"\$\([^()$]*\)|`[^`]*`"
_OTHER = (r"\{\{[^{}]*\}\}"  # helm / jinja / go templates
          r"|%[A-Za-z_][A-Za-z0-9_]*%"  # cmd.exe
          r"|\$env:[A-Za-z_][A-Za-z0-9_]*"  # PowerShell
          r"|\$\(\([^()$]*\)\)")  # Azure Pipelines $(var) is covered by _CMD_SUBST
_PLACEHOLDER_ANY = re.compile("|".join((_CI_EXPR, _SHELL_VAR, _CMD_SUBST, _OTHER)))
_TEMPLATE = re.compile(r"^<[^<>]+>$")
_REF_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_DUMMIES = frozenset({"***", "xxx", "xxxx", "changeme", "change-me", "<redacted>", "redacted",
                      "..."})


def _is_dummy(text: str) -> bool:
    low = text.strip().lower()
    return low in _DUMMIES or bool(_TEMPLATE.match(text.strip())) or set(low) <= {"*", "x"}


def is_placeholder(value: str | None) -> bool:
    """True when the value is (or is built from) a reference, not a literal secret.

    ``${{ secrets.NPM_TOKEN }}``, ``$TOKEN``, ``${TOKEN:-x}``, ``$(cat /run/secrets/t)``,
    ``{{ .Values.pw }}``, ``%TOKEN%``, ``$env:TOKEN``, ``Bearer ${TOKEN}`` and template
    text such as ``<your-token>`` are placeholders.  Such a value passed as a build arg
    still ends up in the image history, but nobody wrote the secret into the file.
    """
    if value is None:
        return False
    text = value[:MAX_SCAN].strip()
    if not text:
        return False
    return bool(_PLACEHOLDER_ANY.search(text)) or _is_dummy(text)


def placeholder_refs(value: str | None) -> list[str]:
    """The names a placeholder refers to: ``${{ secrets.NPM }}`` -> ``['secrets.NPM']``."""
    if not value:
        return []
    out: list[str] = []
    for m in _PLACEHOLDER_ANY.finditer(value):
        inner = m.group(0).lstrip("$%{(`").rstrip("}%)`").strip()
        if inner.startswith("env:"):
            inner = inner[4:]
        found = _REF_NAME.match(inner.lstrip("{ .").replace("Values.", "", 1))
        if found:
            out.append(found.group(0))
    return out


def placeholder_is_secret(value: str | None) -> bool:
    """A placeholder pointing at a CI secret store or at a secret-named variable."""
    for ref in placeholder_refs(value):
        if ref.startswith("secrets.") or classify_name(ref.rsplit(".", 1)[-1]):
            return True
    return False


def is_trivial(value: str | None) -> bool:
    """Values that cannot be a credential: empty, booleans, small numbers, dummies."""
    if value is None:
        return True
    text = value[:MAX_SCAN].strip().strip("'\"")
    if len(text) < 3:
        return True
    low = text.lower()
    if low in ("true", "false", "yes", "no", "on", "off", "none", "null", "nil", "disabled",
               "enabled", "required", "optional", "empty", "unset"):
        return True
    return (text.isdigit() and len(text) < 6) or _is_dummy(text)


def hardcoded_secret(name: str, value: str | None) -> str | None:
    """Why ``name=value`` is a secret written into the file, or None.

    A known credential format counts whatever the name; a secret-like name counts when its
    value is a real literal (not a placeholder, boolean, short number or dummy, and not a
    path or URL without credentials, which point at the secret instead of holding it).
    """
    if value is None:
        return None
    value = value[:MAX_SCAN]
    kind = classify_value(value)
    if kind and kind != "high-entropy":
        if kind in _KIND_WORDS:
            return f"value holds {_KIND_WORDS[kind]}"
        return f"value looks like a {kind.replace('-', ' ')}"
    verdict = classify_name(name)
    if verdict:
        text = value.strip().strip("'\"")
        if is_placeholder(text) or is_trivial(text):
            return None
        if text.startswith(("/", "./", "~/")) or re.match(r"^[a-z][a-z0-9+.\-]*://[^@]*$", text):
            return None
        return f"name {verdict.reason}"
    if kind == "high-entropy" and not _exempt_for_entropy(name):
        return "value is a long random string"
    return None


# How messages name a kind of credential ("value holds a password in a URL").
_KIND_WORDS = {
    "url-credentials": "a password in a URL",
    "connection-string-password": "a password in a connection string",
}


def _exempt_for_entropy(name: str) -> bool:
    segs = name_segments(name)
    return bool(segs) and (segs[-1] in _EXEMPT_LAST or "GPG" in segs or "HASH" in segs
                           or "DIGEST" in segs or "INTEGRITY" in segs)


# --- redaction ---------------------------------------------------------------------------

MASK = "***"


def redact(value: str | None) -> str:
    """Show at most four characters of a secret: ``npm_abcd...3456`` -> ``np***56``.

    Values shorter than 12 characters are masked completely: two characters of each end
    would give away too much of a short password.
    """
    if not value:
        return MASK
    text = value.strip()
    if len(text) < 12:
        return MASK
    return f"{text[:2]}{MASK}{text[-2:]}"


def redact_assignment(name: str, value: str | None) -> str:
    """``NAME=va***ue`` for evidence; ``NAME`` alone when the value comes from elsewhere."""
    if value is None:
        return name
    if is_placeholder(value):
        return f"{name}={scrub(value)}"
    return f"{name}={redact(value)}"


def scrub(text: str) -> str:
    """Mask every secret inside free text (a command line, a source line, a message).

    Known token formats, passwords in URLs, private keys, ``SECRET_NAME=value``
    assignments (``ENV KEY value`` too) and secret-carrying flags are replaced by their
    redaction; everything else is kept for context (:mod:`dockward.redaction`).
    """
    from dockward.redaction import scrub as scrub_text

    return scrub_text(text)


__all__ = [
    "MASK",
    "NameVerdict",
    "classify_name",
    "classify_value",
    "hardcoded_secret",
    "is_placeholder",
    "is_trivial",
    "name_segments",
    "placeholder_is_secret",
    "placeholder_refs",
    "redact",
    "redact_assignment",
    "scrub",
    "shannon_entropy",
]
