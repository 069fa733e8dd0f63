"""The shared secret detector: names, values, placeholders and redaction."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dockward.secrets import (
    MASK,
    classify_name,
    classify_value,
    hardcoded_secret,
    is_placeholder,
    placeholder_is_secret,
    placeholder_refs,
    redact,
    redact_assignment,
    scrub,
    shannon_entropy,
)

# Canary-style values: the right shape for their format, obviously not real credentials.
NPM = "npm_" + "Dw0ckwardCanary1234567890abcdefghijK"
GITHUB = "ghp_" + "Dw0ckwardCanary1234567890abcdefghijK"
GITHUB_PAT = "github_pat_" + "11DOCKWARD0" + "x" * 60
GITLAB = "glpat-" + "Dw0ckwardCanary12345"
AWS_ID = "AKIA" + "DOCKWARDCANARY12"
SLACK = "xoxb-" + "123456789012-Dw0ckwardCanary"
STRIPE = "sk_live_" + "Dw0ckwardCanary1234567890"
GOOGLE = "AIza" + "Dw0ckwardCanary1234567890abcdefghij"
JWT = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJkb2Nrd2FyZCJ9."
       "c2lnbmF0dXJlLWRvY2t3YXJkLWNhbmFyeQ")
PEM = ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
       "-----END OPENSSH PRIVATE KEY-----")
RANDOM = "q8Zr2Lk9Vx4Tn7Wb3Jm6Hs1Pd5Gf0Ya"  # 32 mixed-case alphanumerics


class TestNames:
    @pytest.mark.parametrize("name", [
        "SECRET", "PASSWORD", "DB_PASSWORD", "MYSQL_ROOT_PASSWORD", "PASSWD", "NPM_TOKEN",
        "GITHUB_TOKEN", "API_KEY", "apiKey", "npmToken", "PRIVATE_KEY", "AWS_ACCESS_KEY",
        "AWS_SECRET_ACCESS_KEY", "CREDENTIALS", "GOOGLE_CREDENTIALS", "BASIC_AUTH",
        "LICENSE_KEY", "LDAP_ROOTPASS", "db-password", "SECRET_KEY_BASE", "ROOTPASSWORD",
        "client_secret", "DOCKER_AUTH_CONFIG",
    ])
    def test_secret_names(self, name: str) -> None:
        verdict = classify_name(name)
        assert verdict, verdict.reason
        assert verdict.secret is True

    @pytest.mark.parametrize("name", [
        "TARGETARCH", "VERSION", "NODE_VERSION", "GPG_KEY", "GPG_KEYS", "KEY",
        "PASSWORD_FILE", "SECRET_PATH", "SECRETS_DIR", "TOKEN_URL", "AUTH_ENDPOINT",
        "SECRET_NAME", "AWS_ACCESS_KEY_ID", "CLIENT_ID", "AUTH_ENABLED", "NO_AUTH", "PWD",
        "AUTHOR", "BYPASS", "COMPASS_VERSION", "KEEPASSXC_VERSION", "PASSENGER_HOME",
        "DOCKER_AUTH_VERSION", "OAUTH2_PROXY_VERSION", "TOKENIZER", "SECRETARY",
    ])
    def test_non_secret_names(self, name: str) -> None:
        verdict = classify_name(name)
        assert not verdict, verdict.reason

    def test_verdict_explains(self) -> None:
        assert "PASSWORD" in classify_name("DB_PASSWORD").reason
        assert "_FILE" in classify_name("DB_PASSWORD_FILE").reason


class TestValues:
    @pytest.mark.parametrize(("value", "kind"), [
        (NPM, "npm-token"), (GITHUB, "github-token"), (GITHUB_PAT, "github-token"),
        (GITLAB, "gitlab-token"), (AWS_ID, "aws-access-key-id"), (SLACK, "slack-token"),
        (STRIPE, "stripe-key"), (GOOGLE, "google-api-key"), (JWT, "jwt"),
        (PEM, "private-key"), ("postgres://app:hunter2-prod@db:5432/app", "url-credentials"),
        (RANDOM, "high-entropy"), (f"Authorization: token {GITHUB}", "github-token"),
        ("redis://:Xk92mPq7LzQw@cache:6379/0", "url-credentials"),
        ("Server=db;Database=app;User Id=sa;Password=Wq8kd2Lm9Xz;",
         "connection-string-password"),
        ("Data Source=db;User ID=sa;Pwd='Wq8kd2Lm9Xz'", "connection-string-password"),
        ("host=db user=app password=Wq8kd2Lm9Xz", "connection-string-password"),
        ("jdbc:mysql://db/app?user=app&password=Zq8LmN2kW", "connection-string-password"),
    ])
    def test_known_formats(self, value: str, kind: str) -> None:
        assert classify_value(value) == kind

    @pytest.mark.parametrize("value", [
        "Server=db;Integrated Security=true;", "Server=db;Password=;",
        "Server=db;Password=${DB_PASSWORD};", "Server=db;Password=<password>;",
        "Server=db;Password=changeme;", "redis://:${REDIS_PASSWORD}@cache",
        "--password-stdin", "passwordless=true",
        "-Des.username= -Des.password= -Dkb.url=http://kibana:5601",  # empty, then the next
    ])
    def test_no_password_in_connection_strings(self, value: str) -> None:
        assert classify_value(value) is None

    def test_connection_string_passwords_are_scrubbed(self) -> None:
        text = 'ENV A="Server=db;Pwd=Wq8kd2Lm9Xz;" B=redis://:Xk92mPq7LzQw@c'
        assert scrub(text) == f'ENV A="Server=db;Pwd={MASK};" B=redis://:Xk{MASK}Qw@c'

    def test_connection_string_search_is_linear(self) -> None:
        import time

        start = time.perf_counter()
        classify_value("password=" * 20000 + "; Pwd = " * 20000 + "://:" * 20000)
        scrub("pwd " * 50000 + "Password=" * 20000)
        assert time.perf_counter() - start < 2

    @pytest.mark.parametrize("value", [
        "", "1.2.3", "my secret", "true", "/run/secrets/token", "https://example.com/x",
        "A035C8C19219BA821ECEA86B64E628F8D684696D",  # GPG fingerprint
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  # sha256
        "123e4567-e89b-12d3-a456-426614174000",  # uuid
        "postgres://app:${DB_PASSWORD}@db/app",  # placeholder password
        "sha512-Dw0ckwardCanary1234567890abcdefghijKLMNOP==",  # SRI hash
        "linux/amd64", "python3-dev build-essential",
    ])
    def test_not_credentials(self, value: str) -> None:
        assert classify_value(value) is None

    def test_entropy(self) -> None:
        assert shannon_entropy("aaaa") == 0
        assert shannon_entropy(RANDOM) > 4.5
        assert shannon_entropy("") == 0


class TestPlaceholders:
    @pytest.mark.parametrize("value", [
        "${{ secrets.NPM_TOKEN }}", "$TOKEN", "${TOKEN}", "${TOKEN:-x}",
        "$(cat /run/secrets/token)", "{{ .Values.password }}", "%TOKEN%", "$env:TOKEN",
        "Bearer ${TOKEN}", "<your-token-here>",
    ])
    def test_placeholders(self, value: str) -> None:
        assert is_placeholder(value)
        assert hardcoded_secret("API_TOKEN", value) is None

    @pytest.mark.parametrize("value", ["hunter2-prod", NPM, "my secret", None, ""])
    def test_literals(self, value: str | None) -> None:
        assert not is_placeholder(value)

    def test_refs(self) -> None:
        assert placeholder_refs("${{ secrets.NPM_TOKEN }}") == ["secrets.NPM_TOKEN"]
        assert placeholder_refs("$HOME/${USER}") == ["HOME", "USER"]
        assert placeholder_is_secret("${{ secrets.NPM }}")
        assert placeholder_is_secret("$NPM_TOKEN")
        assert not placeholder_is_secret("${{ github.sha }}")
        assert not placeholder_is_secret("$VERSION")


class TestHardcoded:
    def test_name_and_literal(self) -> None:
        assert hardcoded_secret("DB_PASSWORD", "hunter2-prod")
        assert hardcoded_secret("NOT_A_SECRET_NAME", NPM)  # a format counts whatever the name

    @pytest.mark.parametrize(("name", "value"), [
        ("DB_PASSWORD", ""), ("DB_PASSWORD", "${DB_PASSWORD}"), ("AUTH", "true"),
        ("DB_PASSWORD", "changeme"), ("TOKEN", "/run/secrets/token"),
        ("AUTH_TOKEN", "https://auth.example.com/token"), ("PASSWORD_FILE", "/run/secrets/p"),
        ("GPG_KEY", "A035C8C19219BA821ECEA86B64E628F8D684696D"), ("VERSION", "1.2.3"),
        ("PYTHON_SHA256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("PASSWORD", None),
    ])
    def test_not_hardcoded(self, name: str, value: str | None) -> None:
        assert hardcoded_secret(name, value) is None

    def test_random_value_under_plain_name(self) -> None:
        assert hardcoded_secret("SESSION_SEED", RANDOM)
        assert hardcoded_secret("DOWNLOAD_SHA", RANDOM) is None  # checksums are published


class TestRedaction:
    def test_examples(self) -> None:
        assert redact(NPM) == "np***jK"
        assert redact("my secret") == MASK
        assert redact("") == MASK
        assert redact(None) == MASK

    def test_assignment(self) -> None:
        assert redact_assignment("NPM_TOKEN", NPM) == "NPM_TOKEN=np***jK"
        assert redact_assignment("NPM_TOKEN", None) == "NPM_TOKEN"
        ci = "${{ secrets.NPM }}"
        assert redact_assignment("NPM_TOKEN", ci) == f"NPM_TOKEN={ci}"

    @given(st.text(min_size=0, max_size=200))
    def test_never_more_than_four_characters(self, value: str) -> None:
        out = redact(value)
        assert out.count(MASK) == 1
        kept = out.replace(MASK, "", 1)
        assert len(kept) <= 4
        text = value.strip()
        if len(text) > 4:
            assert text not in out

    @pytest.mark.parametrize("secret", [NPM, GITHUB, GITLAB, SLACK, STRIPE, GOOGLE, JWT, AWS_ID,
                                        RANDOM])
    def test_scrub_free_text(self, secret: str) -> None:
        line = f"docker run -e SOMETHING={secret} --label x={secret} alpine echo {secret}"
        assert secret not in scrub(line)

    @pytest.mark.parametrize(("text", "hidden"), [
        ('docker build --build-arg SECRET="my secret" .', "my secret"),
        ("ENV LICENSE_KEY lgNvGyhnUKpa5PJi", "lgNvGyhnUKpa5PJi"),
        ("ENV DB_PASSWORD=hunter2-prod OTHER=1", "hunter2-prod"),
        ("  POSTGRES_PASSWORD: hunter2-prod", "hunter2-prod"),
        ("git clone https://bot:hunter2-prod@git.example.com/x.git", "hunter2-prod"),
        (PEM, "b3BlbnNzaC1rZXktdjEAAAAA"),
    ])
    def test_scrub_assignments(self, text: str, hidden: str) -> None:
        assert hidden not in scrub(text)

    def test_scrub_keeps_context(self) -> None:
        text = "docker build --build-arg VERSION=1.2.3 --build-arg TOKEN=$TOKEN ."
        assert scrub(text) == text

    @given(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=12,
                   max_size=60))
    def test_scrub_masks_secret_assignments(self, value: str) -> None:
        if any(c in value for c in "\"' ,;&|)$`") or is_placeholder(value):
            return
        out = scrub(f"DB_PASSWORD={value}")
        assert value not in out
