#!/usr/bin/env bash
# Builds every artifact a user installs without a Rust toolchain, into dist/:
#   dist/cloudhalt-c-VERSION-ARCH-linux-gnu.tar.gz    the C library laid out under PREFIX
#       (PREFIX/lib/libcloudhalt.so.VERSION, .so.0 and .so links, libcloudhalt.a,
#        PREFIX/include/cloudhalt.h and cloudhalt.hpp, PREFIX/lib/pkgconfig/cloudhalt.pc,
#        PREFIX/lib/cmake/cloudhalt/): `sudo tar -C / -xzf ...` installs it, `tar -C "$DESTDIR"`
#        stages it (entries are PREFIX without its leading /, e.g. usr/local/lib/...)
#   dist/cloudhalt                                    the CLI, release build, stripped
#   dist/cloudhalt-cli-VERSION-ARCH-linux-gnu.tar.gz  the CLI with its man page and bash, zsh and
#                                                     fish completions, laid out the same way
#   dist/cloudhalt_VERSION_DEBARCH.deb                the CLI, libcloudhalt.so.VERSION/.so.0/.so/.a,
#       the headers, pkg-config and CMake files, the man page and completions under /usr, built by
#       cargo-deb from [package.metadata.deb] in crates/cloudhalt-cli/Cargo.toml
#   dist/cloudhalt-VERSION-cp39-abi3-manylinux_2_17_*.whl   the Python wheel (maturin --zig
#       --compatibility manylinux2014, tag checked with `auditwheel show`)
#   dist/cloudhalt-VERSION.tar.gz                     the sdist (maturin sdist); this script proves
#       it builds: `pip wheel` from it (a source build, with cargo), then installs and imports that
#   dist/SHA256SUMS
#   dist/BUILD-INFO    version, commit, targets, the glibc floors of the CLI and libcloudhalt.so,
#                      the wheel's tag and the tool versions
# The CLI and libcloudhalt (shared and static) are linked against glibc CLOUDHALT_GLIBC (default
# 2.17) with cargo-zigbuild. At the end it prints the wheel's tag, the glibc floors (the newest
# GLIBC_ symbol version `objdump -T` shows) and the size of every artifact. scripts/test-dist.sh
# checks them without a toolchain.
#
# Tools: on its first run it installs maturin, ziglang, cargo-zigbuild, auditwheel (pinned in
# scripts/dist-tools.txt) and cargo-deb into ./.dist-tools (scripts/dist-tools.sh: a venv and a
# `cargo install --root`, no sudo); later runs reuse them without the network. It needs cargo,
# python3 (3.9+, with venv), objdump, strip, tar, gzip, sha256sum and dpkg-deb. Each build has its
# own target directory under cargo's (dist-zigbuild/, dist-maturin/, dist-sdist/), so reruns are
# incremental.
#
# Usage: scripts/dist.sh [--prefix PREFIX]     (default PREFIX /usr/local)
# Env:   CLOUDHALT_GLIBC=2.17           glibc to link the CLI and libcloudhalt against
#        CLOUDHALT_DIST_TOOLS=DIR       where the tools go (default ./.dist-tools)
#        CLOUDHALT_DIST_NO_INSTALL=1    install nothing: take maturin, zig (or the ziglang package),
#                                       cargo-zigbuild, auditwheel and cargo-deb from PATH
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

prefix=/usr/local
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || { echo "dist.sh: --prefix needs a directory, e.g. --prefix /usr/local" >&2; exit 2; }
              prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#--prefix=}"; shift ;;
    *) echo "dist.sh: unknown argument $1 (usage: $0 [--prefix PREFIX])" >&2; exit 2 ;;
  esac
done
case "$prefix" in
  /*) prefix="${prefix%/}" ;;
  *) echo "dist.sh: --prefix must be absolute (it is written into cloudhalt.pc), got $prefix" >&2; exit 2 ;;
esac

step() { printf '\n==> %s\n' "$*"; }
fail() { echo "dist.sh: $*" >&2; exit 1; }
for tool in cargo python3 objdump strip tar gzip sha256sum dpkg-deb; do
  command -v "$tool" >/dev/null || fail "$tool is needed and not on PATH"
done

if [ "${CLOUDHALT_DIST_NO_INSTALL:-0}" = 1 ]; then
  step "tools: from PATH (CLOUDHALT_DIST_NO_INSTALL=1)"
else
  step "tools: pinned, in ${CLOUDHALT_DIST_TOOLS:-.dist-tools} (scripts/dist-tools.sh)"
  tools_bin="$(scripts/dist-tools.sh)"
  tools_seconds="$SECONDS"
  export PATH="$tools_bin:$PATH"
fi
for tool in maturin cargo-zigbuild auditwheel cargo-deb; do
  command -v "$tool" >/dev/null \
    || fail "$tool is not on PATH (run without CLOUDHALT_DIST_NO_INSTALL=1 to install the pinned tools)"
done
# maturin and cargo-zigbuild take zig from PATH or from the ziglang package of the python3 on PATH.
if command -v zig >/dev/null; then
  zig_version="$(zig version)"
else
  zig_version="$(python3 -m ziglang version 2>/dev/null)" \
    || fail "zig is not on PATH and python3 has no ziglang package (pip install ziglang)"
fi
tools_info="maturin $(maturin --version | awk '{print $2}'), zig $zig_version,"
tools_info+=" cargo-zigbuild $(cargo-zigbuild --version | awk '{print $2}'),"
tools_info+=" auditwheel $(auditwheel --version | head -n 1 | awk '{print $2}'), cargo-deb $(cargo-deb --version | awk '{print $NF}')"
echo "    $tools_info"

meta="$(cargo metadata --no-deps --format-version 1)"
version="$(printf '%s' "$meta" | python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"]=="cloudhalt-cli"))')"
target_dir="$(printf '%s' "$meta" | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
arch="$(uname -m)"
platform="$arch-linux-gnu"
triple="$arch-unknown-linux-gnu"
glibc="${CLOUDHALT_GLIBC:-2.17}"
# One target directory per kind of build: zig's linker, maturin's and a plain cargo's leave
# different fingerprints, and sharing one directory made each rebuild what the other had built.
zig_dir="$target_dir/dist-zigbuild"
maturin_dir="$target_dir/dist-maturin"
sdist_dir="$target_dir/dist-sdist"
products="$zig_dir/$triple/release"
dist="$root/dist"
rm -rf "$dist"
mkdir -p "$dist"
work="$(mktemp -d "${TMPDIR:-/tmp}/cloudhalt-dist.XXXXXX")"
trap 'rm -rf "$work"' EXIT
timed() { # timed NAME COMMAND...: runs it and records its wall time for the summary
  local name="$1" start=$SECONDS
  shift
  "$@"
  printf '  %5ss  %s\n' "$((SECONDS - start))" "$name" >> "$work/timings"
}

# The floor is the newest glibc symbol version a binary needs: it runs on that glibc or newer.
glibc_floor() {
  objdump -T "$1" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1
}
newer() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" != "$2" ]; } # newer A B: A > B

step "the C library and the CLI, release, linked against glibc $glibc (cargo-zigbuild)"
timed "cargo zigbuild (libcloudhalt, CLI)" \
  cargo zigbuild --release -p cloudhalt-ffi -p cloudhalt-cli --target "$triple.$glibc" --target-dir "$zig_dir"

step "C library tarball for $prefix"
stage="$work/c"
# install-c.sh reads CARGO_TARGET_DIR/release: the zigbuild's products.
CARGO_TARGET_DIR="$zig_dir/$triple" CLOUDHALT_PROFILE=release CLOUDHALT_NO_BUILD=1 \
  scripts/install-c.sh "$stage$prefix"
# install-c.sh writes the directory it installed into; the tarball's users install into $prefix.
sed -i "s|^prefix=.*|prefix=$prefix|" "$stage$prefix/lib/pkgconfig/cloudhalt.pc"
strip --strip-unneeded "$(readlink -f "$stage$prefix/lib/libcloudhalt.so.0")"
strip --strip-debug "$stage$prefix/lib/libcloudhalt.a"
c_tar="$dist/cloudhalt-c-$version-$platform.tar.gz"
tar --owner=0 --group=0 --numeric-owner --sort=name -C "$stage" -czf "$c_tar" "${prefix#/}"
tar -tzf "$c_tar" | sed 's/^/    /'

step "CLI: stripped binary, man page, completions"
install -m 0755 "$products/cloudhalt" "$dist/cloudhalt"
strip "$dist/cloudhalt"
cli="$work/cli$prefix"
install -d "$cli/bin" "$cli/share/man/man1" "$cli/share/bash-completion/completions" \
  "$cli/share/zsh/site-functions" "$cli/share/fish/vendor_completions.d"
install -m 0755 "$dist/cloudhalt" "$cli/bin/cloudhalt"
"$dist/cloudhalt" man | gzip -9n > "$cli/share/man/man1/cloudhalt.1.gz"
"$dist/cloudhalt" completions bash > "$cli/share/bash-completion/completions/cloudhalt"
"$dist/cloudhalt" completions zsh > "$cli/share/zsh/site-functions/_cloudhalt"
"$dist/cloudhalt" completions fish > "$cli/share/fish/vendor_completions.d/cloudhalt.fish"
cli_tar="$dist/cloudhalt-cli-$version-$platform.tar.gz"
tar --owner=0 --group=0 --numeric-owner --sort=name -C "$work/cli" -czf "$cli_tar" "${prefix#/}"
tar -tzf "$cli_tar" | sed 's/^/    /'
"$dist/cloudhalt" --version | sed 's/^/    /'

cli_floor="$(glibc_floor "$dist/cloudhalt")"
lib_floor="$(glibc_floor "$(readlink -f "$stage$prefix/lib/libcloudhalt.so.0")")"
for f in "CLI:$cli_floor" "libcloudhalt.so:$lib_floor"; do
  [ -n "${f#*:}" ] || fail "objdump -T shows no GLIBC_ symbol version in the ${f%%:*}"
  if newer "${f#*:}" "$glibc"; then fail "the ${f%%:*} needs glibc ${f#*:}, newer than the $glibc it was linked for"; fi
done

step "Debian package (cargo-deb, [package.metadata.deb] in crates/cloudhalt-cli/Cargo.toml)"
# The generated files the metadata lists under target/release/cloudhalt-deb/, laid out for /usr.
deb_stage="$products/cloudhalt-deb"
rm -rf "$deb_stage"
CARGO_TARGET_DIR="$zig_dir/$triple" CLOUDHALT_PROFILE=release CLOUDHALT_NO_BUILD=1 \
  scripts/install-c.sh "$deb_stage/usr" >/dev/null
sed -i "s|^prefix=.*|prefix=/usr|" "$deb_stage/usr/lib/pkgconfig/cloudhalt.pc"
strip --strip-unneeded "$(readlink -f "$deb_stage/usr/lib/libcloudhalt.so.0")"
strip --strip-debug "$deb_stage/usr/lib/libcloudhalt.a"
install -d "$deb_stage/usr/share/man/man1" "$deb_stage/usr/share/bash-completion/completions" \
  "$deb_stage/usr/share/zsh/vendor-completions" "$deb_stage/usr/share/fish/vendor_completions.d"
"$dist/cloudhalt" man | gzip -9n > "$deb_stage/usr/share/man/man1/cloudhalt.1.gz"
"$dist/cloudhalt" completions bash > "$deb_stage/usr/share/bash-completion/completions/cloudhalt"
"$dist/cloudhalt" completions zsh > "$deb_stage/usr/share/zsh/vendor-completions/_cloudhalt"
"$dist/cloudhalt" completions fish > "$deb_stage/usr/share/fish/vendor_completions.d/cloudhalt.fish"
mkdir -p "$work/deb"
# --no-build: the files are the zigbuild's; --target names where they are and the package's arch.
CARGO_TARGET_DIR="$zig_dir" timed "cargo deb" \
  cargo deb -p cloudhalt-cli --no-build --target "$triple" --output "$work/deb/" | sed 's/^/    /'
deb_file="$(ls "$work"/deb/cloudhalt_*.deb)"
mv "$deb_file" "$dist/"
deb_file="$dist/$(basename "$deb_file")"
deb_libc="$(dpkg-deb -f "$deb_file" Depends | sed -n 's/.*libc6 (>= \([0-9.]*\)).*/\1/p')"
[ -n "$deb_libc" ] || fail "the .deb's Depends names no libc6 version: $(dpkg-deb -f "$deb_file" Depends)"
for f in "CLI:$cli_floor" "libcloudhalt.so:$lib_floor"; do
  if newer "${f#*:}" "$deb_libc"; then
    fail "the ${f%%:*} needs glibc ${f#*:} but the .deb depends on libc6 (>= $deb_libc): raise depends in [package.metadata.deb] of crates/cloudhalt-cli/Cargo.toml"
  fi
done
dpkg-deb -f "$deb_file" Package Version Architecture Depends | sed 's/^/    /'
dpkg-deb -c "$deb_file" 2>/dev/null | awk '{ print "    " $6 ($7 ? " " $7 " " $8 : "") }' || true

step "Python: abi3 wheel (manylinux2014, glibc 2.17) and sdist (maturin)"
(cd python && CARGO_TARGET_DIR="$maturin_dir" timed "maturin build --zig (wheel)" \
  maturin build --release --zig --compatibility manylinux2014 --out "$dist")
(cd python && maturin sdist --out "$work/sdist")
wheel="$(ls "$dist"/cloudhalt-*.whl)"
sdist="$dist/cloudhalt-$version.tar.gz"
[ -f "$work/sdist/$(basename "$sdist")" ] || fail "maturin sdist did not write $(basename "$sdist")"
# maturin packs each crate as `cargo package` would: only files inside the crate's directory. The
# core crate also reads tests/vectors/errors.json (include_str!, the error table the C, Python and
# CLI layers share), which maturin refuses to include (a `..` path from python/): add it here.
tar -C "$work/sdist" -xzf "$work/sdist/$(basename "$sdist")"
sdist_root="$work/sdist/cloudhalt-$version"
for f in tests/vectors/errors.json; do
  install -D -m 0644 "$f" "$sdist_root/$f"
done
tar --owner=0 --group=0 --numeric-owner --sort=name -C "$work/sdist" -cf - "cloudhalt-$version" \
  | gzip -9n > "$sdist"
wheel_tag="$(basename "$wheel" .whl | cut -d- -f3-)"
auditwheel show "$wheel" | tee "$work/auditwheel.txt"
grep -q 'manylinux_2_17' "$work/auditwheel.txt" \
  || fail "auditwheel show does not find $wheel manylinux_2_17-compatible"

step "the sdist builds: pip wheel from $(basename "$sdist") (a source build, with cargo), then import it"
# maturin is pip's build backend here, from the tools venv (no build isolation: nothing downloaded).
tools_python="$(dirname "$(command -v maturin)")/python"
[ -x "$tools_python" ] || tools_python=python3
CARGO_TARGET_DIR="$sdist_dir" timed "pip wheel from the sdist" \
  "$tools_python" -m pip wheel --quiet --disable-pip-version-check --no-input --no-index --no-deps \
  --no-build-isolation --wheel-dir "$work/sdist-wheel" "$sdist"
python3 -m venv "$work/sdist-venv"
"$work/sdist-venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index \
  "$work"/sdist-wheel/cloudhalt-*.whl
sdist_import="$(cd "$work" && "$work/sdist-venv/bin/python" -c \
  'import cloudhalt; print(cloudhalt.__version__, "from", cloudhalt.__file__)')"
case "$sdist_import" in "$version from $work/sdist-venv/"*) ;; *) fail "the wheel built from the sdist imports as: $sdist_import" ;; esac
echo "    built $(basename "$work"/sdist-wheel/cloudhalt-*.whl), imported cloudhalt $sdist_import"

{
  echo "version=$version"
  echo "commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
  echo "prefix=$prefix"
  echo "glibc_target=$glibc"
  echo "cli_target=$triple, glibc $glibc (cargo-zigbuild)"
  echo "cli_glibc_floor=$cli_floor"
  echo "libcloudhalt_target=$triple, glibc $glibc (cargo-zigbuild)"
  echo "libcloudhalt_glibc_floor=$lib_floor"
  echo "wheel_tag=$wheel_tag"
  echo "deb=$(basename "$deb_file") (cargo-deb)"
  echo "tools=$tools_info"
} > "$dist/BUILD-INFO"
(cd "$dist" && sha256sum -- * > SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)

step "summary"
echo "wheel tag: $wheel_tag (auditwheel: manylinux_2_17)"
echo "glibc floor (objdump -T, newest GLIBC_ symbol version): cloudhalt CLI $cli_floor, libcloudhalt.so $lib_floor"
echo "    (linked for glibc $glibc; this machine has glibc $(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}'))"
echo "sizes:"
for f in "$dist"/*; do
  printf '  %10s bytes  %6s  %s\n' "$(stat -c %s "$f")" "$(numfmt --to=si --suffix=B "$(stat -c %s "$f")")" \
    "dist/$(basename "$f")"
done
echo "timings:"
if [ -n "${tools_seconds:-}" ]; then printf '  %5ss  %s\n' "$tools_seconds" "tools (scripts/dist-tools.sh)"; fi
cat "$work/timings"
printf '  %5ss  all of scripts/dist.sh\n' "$SECONDS"
