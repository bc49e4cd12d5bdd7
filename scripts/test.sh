#!/usr/bin/env bash
# Runs every test suite of the repo: the README's test command, and what .ci/run calls.
# Works on a fresh clone: it installs what it needs (Python test tools, official SDKs used as
# oracles, the cloudhalt Python package) into ./.venv.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo build"
cargo build --workspace

step "cargo test"
cargo test --workspace

step "cargo doc, warnings as errors"
# Three runs: the C library and the command are also named cloudhalt, and one rustdoc run cannot
# hold two crates of one name.
for crates in "-p cloudhalt -p cloudhalt-emulator -p cloudhalt-py" "-p cloudhalt-ffi" "-p cloudhalt-cli"; do
    # shellcheck disable=SC2086
    RUSTDOCFLAGS=-Dwarnings cargo doc --no-deps $crates
done

step "the declared rust-version (MSRV) builds"
scripts/check-msrv.sh

step "Python environment (.venv)"
scripts/setup-venv.sh

step "C and C++: header, installed library, examples, C test program under valgrind"
CLOUDHALT_REQUIRE_EMULATOR=1 scripts/test-c.sh

step "conformance suite (pytest, every backend)"
CLOUDHALT_REQUIRE_BACKENDS="${CLOUDHALT_REQUIRE_BACKENDS:-c,py}" .venv/bin/python -m pytest tests -q -p no:cacheprovider -W error --timeout=120

step "the README's demo command"
cargo run --release -p cloudhalt-cli -- demo

# dist/ exists only where scripts/dist.sh ran (not in CI's fresh clone): then check what it holds.
if [ -d dist ]; then
  step "the artifacts in dist/, without a toolchain (scripts/test-dist.sh)"
  scripts/test-dist.sh
fi
