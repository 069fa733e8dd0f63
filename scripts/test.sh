#!/usr/bin/env bash
# Install everything the tests need, then run lint, types and the test suite.
# This is the README's test command and what CI runs (.ci/run calls it).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v dockerd >/dev/null 2>&1 || need_apt+=(docker.io)
[ -x /usr/bin/busybox ] || [ -x /bin/busybox ] || need_apt+=(busybox-static)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# audits over ssh (a private sshd on loopback) and of Podman (rootful and rootless)
[ -x /usr/sbin/sshd ] || need_apt+=(openssh-server)
command -v podman >/dev/null 2>&1 || need_apt+=(podman)
command -v newuidmap >/dev/null 2>&1 || need_apt+=(uidmap)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== apt-get install ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "== not root: cannot install ${need_apt[*]}; engine/browser tests will skip"
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
echo "== pip install -e .[test]"
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'

echo "== ruff"
.venv/bin/ruff check src tests scripts benchmarks
echo "== mypy"
.venv/bin/mypy
if [ -f scripts/gen_rule_docs.py ]; then
  echo "== rule docs up to date"
  .venv/bin/python scripts/gen_rule_docs.py --check
fi
echo "== pytest"
.venv/bin/python -m pytest -q "$@"
