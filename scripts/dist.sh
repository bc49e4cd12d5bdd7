#!/usr/bin/env bash
# Builds the artifacts a user installs without a Rust toolchain, into dist/:
#   dist/cloudhalt-c-VERSION-ARCH-linux-gnu.tar.gz    the C library laid out under PREFIX
#       (PREFIX/lib/libcloudhalt.so.VERSION, .so.0 and .so links, libcloudhalt.a,
#        PREFIX/include/cloudhalt.h and cloudhalt.hpp, PREFIX/lib/pkgconfig/cloudhalt.pc,
#        PREFIX/lib/cmake/cloudhalt/): `sudo tar -C / -xzf ...` installs it, `tar -C "$DESTDIR"`
#        stages it (entries are PREFIX without its leading /, e.g. usr/local/lib/...)
#   dist/cloudhalt                                    the CLI, release build, stripped
#   dist/cloudhalt-cli-VERSION-ARCH-linux-gnu.tar.gz  the CLI with its man page and bash, zsh and
#                                                     fish completions, laid out the same way
#   dist/SHA256SUMS
#   dist/BUILD-INFO                                   version, commit, the CLI's target and glibc floor
# and prints the CLI's glibc floor (the newest GLIBC_ symbol version `objdump -T` shows) and the
# size of every artifact. scripts/test-dist.sh checks them.
# The CLI is linked against glibc CLOUDHALT_GLIBC (default 2.17) with cargo-zigbuild when it is
# installed (`pip install cargo-zigbuild ziglang`, or `cargo install cargo-zigbuild` and zig);
# without it, against this machine's glibc, with a warning: the floor printed is then that one.
#   dist/cloudhalt-VERSION-cp39-abi3-manylinux_2_17_*.whl and dist/cloudhalt-VERSION.tar.gz (sdist),
#       when maturin and zig are installed (`pip install maturin ziglang auditwheel`): built with
#       `maturin --zig --compatibility manylinux2014`, tag checked with `auditwheel show`
#   dist/cloudhalt_VERSION_ARCH.deb                    the CLI, libcloudhalt.so.0/.so/.a, the headers,
#       pkg-config and CMake files, the man page and completions under /usr (built with dpkg-deb
#       from the same staged files as the tarballs, when dpkg-deb exists)
#
# Usage: scripts/dist.sh [--prefix PREFIX]     (default PREFIX /usr/local)
# Env:   CLOUDHALT_GLIBC=2.17 (glibc to link the CLI against with cargo-zigbuild)
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
for tool in cargo objdump strip tar gzip sha256sum; do
  command -v "$tool" >/dev/null || { echo "dist.sh: $tool is needed and not on PATH" >&2; exit 1; }
done

meta="$(cargo metadata --no-deps --format-version 1)"
version="$(printf '%s' "$meta" | python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"]=="cloudhalt-cli"))')"
target_dir="$(printf '%s' "$meta" | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
arch="$(uname -m)"
platform="$arch-linux-gnu"
dist="$root/dist"
rm -rf "$dist"
mkdir -p "$dist"
work="$(mktemp -d "${TMPDIR:-/tmp}/cloudhalt-dist.XXXXXX")"
trap 'rm -rf "$work"' EXIT

step "release build of the C library and the CLI"
cargo build --release -p cloudhalt-ffi -p cloudhalt-cli
glibc="${CLOUDHALT_GLIBC:-2.17}"
cli_bin="$target_dir/release/cloudhalt"
cli_target="native ($(uname -m), this machine's glibc)"
if cargo zigbuild --help >/dev/null 2>&1; then
  step "the CLI linked against glibc $glibc (cargo-zigbuild)"
  triple="$arch-unknown-linux-gnu"
  cargo zigbuild --release -p cloudhalt-cli --target "$triple.$glibc"
  cli_bin="$target_dir/$triple/release/cloudhalt"
  cli_target="$triple, glibc $glibc (cargo-zigbuild)"
else
  echo "dist.sh: WARNING: cargo-zigbuild is not installed: the CLI needs this machine's glibc or newer" >&2
  echo "         (pip install cargo-zigbuild ziglang, then run again, for a glibc $glibc floor)" >&2
fi

step "C library tarball for $prefix"
stage="$work/c"
CARGO_TARGET_DIR="$target_dir" CLOUDHALT_PROFILE=release CLOUDHALT_NO_BUILD=1 \
  scripts/install-c.sh "$stage$prefix"
# install-c.sh writes the directory it installed into; the tarball's users install into $prefix.
sed -i "s|^prefix=.*|prefix=$prefix|" "$stage$prefix/lib/pkgconfig/cloudhalt.pc"
strip --strip-unneeded "$(readlink -f "$stage$prefix/lib/libcloudhalt.so.0")"
strip --strip-debug "$stage$prefix/lib/libcloudhalt.a"
c_tar="$dist/cloudhalt-c-$version-$platform.tar.gz"
tar --owner=0 --group=0 --numeric-owner --sort=name -C "$stage" -czf "$c_tar" "${prefix#/}"
tar -tzf "$c_tar" | sed 's/^/    /'

step "CLI: stripped binary, man page, completions"
install -m 0755 "$cli_bin" "$dist/cloudhalt"
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

# The floor is the newest glibc symbol version the binary needs: it runs on that glibc or newer.
glibc_floor() {
  objdump -T "$1" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1
}
cli_floor="$(glibc_floor "$dist/cloudhalt")"
lib_floor="$(glibc_floor "$(readlink -f "$stage$prefix/lib/libcloudhalt.so.0")")"

step "Debian package"
deb_file="not built"
if command -v dpkg-deb >/dev/null 2>&1; then
  deb_arch="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
  deb="$work/deb"
  CARGO_TARGET_DIR="$target_dir" CLOUDHALT_PROFILE=release CLOUDHALT_NO_BUILD=1 \
    scripts/install-c.sh "$deb/usr" >/dev/null
  sed -i "s|^prefix=.*|prefix=/usr|" "$deb/usr/lib/pkgconfig/cloudhalt.pc"
  strip --strip-unneeded "$(readlink -f "$deb/usr/lib/libcloudhalt.so.0")"
  strip --strip-debug "$deb/usr/lib/libcloudhalt.a"
  install -d "$deb/usr/bin" "$deb/usr/share/man/man1" "$deb/usr/share/bash-completion/completions" \
    "$deb/usr/share/zsh/vendor-completions" "$deb/usr/share/fish/vendor_completions.d" \
    "$deb/usr/share/doc/cloudhalt" "$deb/DEBIAN"
  install -m 0755 "$dist/cloudhalt" "$deb/usr/bin/cloudhalt"
  "$dist/cloudhalt" man | gzip -9n > "$deb/usr/share/man/man1/cloudhalt.1.gz"
  "$dist/cloudhalt" completions bash > "$deb/usr/share/bash-completion/completions/cloudhalt"
  "$dist/cloudhalt" completions zsh > "$deb/usr/share/zsh/vendor-completions/_cloudhalt"
  "$dist/cloudhalt" completions fish > "$deb/usr/share/fish/vendor_completions.d/cloudhalt.fish"
  printf 'cloudhalt %s\nLicense: MIT OR Apache-2.0\n' \
    "$version" > "$deb/usr/share/doc/cloudhalt/copyright"
  # libc6 at the newest floor of what is inside (the CLI and libcloudhalt.so); libgcc-s1 for the .so.
  deb_glibc="$(printf '%s\n%s\n' "$cli_floor" "$lib_floor" | sort -V | tail -n 1)"
  cat > "$deb/DEBIAN/control" <<CONTROL
Package: cloudhalt
Version: $version
Architecture: $deb_arch
Maintainer: cloudhalt maintainers <cloudhalt@example.invalid>
Section: utils
Priority: optional
Depends: libc6 (>= $deb_glibc), libgcc-s1
Installed-Size: $(du -sk "$deb/usr" | cut -f1)
Homepage: https://example.invalid/cloudhalt
Description: stop, terminate and cancel on Tencent Cloud and Alibaba Cloud
 The cloudhalt command (with its man page and bash, zsh and fish completions) and the C library
 libcloudhalt (shared and static, C header, C++ wrapper, pkg-config and CMake files).
CONTROL
  deb_file="$dist/cloudhalt_${version}_${deb_arch}.deb"
  dpkg-deb --root-owner-group -Zxz --build "$deb" "$deb_file" >/dev/null
  dpkg-deb -c "$deb_file" | awk '{ n = ($(NF-1) == "->") ? $(NF-2) : $NF; print "    " n }'
else
  echo "dist.sh: WARNING: dpkg-deb is not installed: no .deb" >&2
fi

step "Python: abi3 wheel (manylinux2014, glibc 2.17) and sdist"
wheel_tag="not built"
maturin="$(command -v maturin || true)"
[ -n "$maturin" ] || { [ -x "$root/.venv/bin/maturin" ] && maturin="$root/.venv/bin/maturin"; } || true
if [ -n "$maturin" ] && { command -v zig >/dev/null 2>&1 || python3 -c 'import ziglang' 2>/dev/null; }; then
  (cd python && "$maturin" build --release --zig --compatibility manylinux2014 --out "$dist")
  (cd python && "$maturin" sdist --out "$dist")
  wheel="$(ls "$dist"/cloudhalt-*.whl | head -n 1)"
  wheel_tag="$(basename "$wheel" .whl | cut -d- -f3-)"
  if command -v auditwheel >/dev/null 2>&1; then
    auditwheel show "$wheel" | tee "$work/auditwheel.txt"
    grep -q 'manylinux_2_17' "$work/auditwheel.txt" \
      || { echo "dist.sh: auditwheel does not find the wheel manylinux_2_17-compatible" >&2; exit 1; }
  else
    echo "dist.sh: WARNING: auditwheel is not installed: the wheel's tag is maturin's own check only" >&2
  fi
else
  echo "dist.sh: WARNING: no wheel: needs maturin and zig (pip install maturin ziglang auditwheel)" >&2
fi

{
  echo "version=$version"
  echo "commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
  echo "prefix=$prefix"
  echo "cli_target=$cli_target"
  echo "cli_glibc_floor=$cli_floor"
  echo "libcloudhalt_glibc_floor=$lib_floor"
  echo "wheel_tag=$wheel_tag"
} > "$dist/BUILD-INFO"
(cd "$dist" && sha256sum -- * > SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)

step "summary"
echo "glibc floor (objdump -T, newest GLIBC_ symbol version): cloudhalt CLI $cli_floor, libcloudhalt.so $lib_floor"
echo "wheel tag: $wheel_tag"
echo "CLI built for $cli_target; this machine has glibc $(ldd --version 2>/dev/null | head -n 1 | grep -o '[0-9.]*$' || echo '?')"
echo "sizes:"
for f in "$dist"/*; do
  printf '  %10s bytes  %s\n' "$(stat -c %s "$f")" "dist/$(basename "$f")"
done
