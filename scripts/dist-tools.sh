#!/usr/bin/env bash
# Installs the tools scripts/dist.sh needs beyond Rust, pinned, into one directory of their own (no
# sudo, nothing outside it), and prints that directory's bin/ for PATH:
#   a Python venv with scripts/dist-tools.txt (maturin, ziglang, cargo-zigbuild, auditwheel and
#   their dependencies, exact versions), and cargo-deb (`cargo install --locked`, version below).
# A second run with the same pins installs nothing and reaches no registry; change a pin and the
# next run reinstalls that tool. Needs python3 >= 3.9 with its venv module, and cargo.
#
# Usage: scripts/dist-tools.sh [DIR]   (default $CLOUDHALT_DIST_TOOLS, else ./.dist-tools)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo_deb_version=3.8.0

dir="${1:-${CLOUDHALT_DIST_TOOLS:-$root/.dist-tools}}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
say() { echo "dist-tools: $*" >&2; }

python="${PYTHON:-python3}"
pins="$root/scripts/dist-tools.txt"
# A venv whose interpreter no longer starts (the directory moved, Python was upgraded) is made anew.
if ! "$dir/bin/python" -c 'import sys' >/dev/null 2>&1; then
  command -v "$python" >/dev/null \
    || { say "$python is needed to make the tools venv (set PYTHON=/path/to/python3.9+)"; exit 1; }
  "$python" -c 'import sys; sys.exit(sys.version_info < (3, 9))' \
    || { say "$python is older than 3.9 (set PYTHON=/path/to/python3.9+)"; exit 1; }
  say "creating the tools venv in $dir"
  rm -f "$dir/dist-tools.txt"
  "$python" -m venv "$dir" >&2 \
    || { say "$python -m venv $dir failed (on Debian: apt-get install python3-venv)"; exit 1; }
fi
if ! cmp -s "$pins" "$dir/dist-tools.txt"; then
  say "installing the pinned Python packages of scripts/dist-tools.txt"
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$pins" >&2
  cp "$pins" "$dir/dist-tools.txt"
fi

command -v cargo >/dev/null || { say "cargo is needed to install cargo-deb"; exit 1; }
if ! cargo install --list --root "$dir" 2>/dev/null | grep -qx "cargo-deb v$cargo_deb_version:"; then
  say "installing cargo-deb $cargo_deb_version (cargo install --locked, a one-time build of a few minutes)"
  build="$(mktemp -d "${TMPDIR:-/tmp}/cloudhalt-cargo-deb.XXXXXX")"
  cargo install --quiet --locked --force --version "$cargo_deb_version" --root "$dir" \
    --target-dir "$build" cargo-deb >&2 || { rm -rf "$build"; exit 1; }
  rm -rf "$build"
fi

for tool in maturin cargo-zigbuild auditwheel cargo-deb; do
  [ -x "$dir/bin/$tool" ] || { say "$dir/bin/$tool is missing after the install"; exit 1; }
done
"$dir/bin/python" -m ziglang version >/dev/null \
  || { say "the ziglang package in $dir does not run zig"; exit 1; }
echo "$dir/bin"
