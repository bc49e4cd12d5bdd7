#!/usr/bin/env bash
# Creates ./.venv with the test tools and official SDKs (tests/requirements.txt) and installs the
# cloudhalt Python package from ./python into it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
if [ -f python/pyproject.toml ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps ./python
fi
