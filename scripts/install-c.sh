#!/usr/bin/env bash
# Installs the cloudhalt C library into PREFIX:
#   PREFIX/lib/libcloudhalt.so.VERSION (+ libcloudhalt.so.0 and libcloudhalt.so links), libcloudhalt.a
#   PREFIX/include/cloudhalt.h, PREFIX/include/cloudhalt.hpp (C++17 wrapper)
#   PREFIX/lib/pkgconfig/cloudhalt.pc, PREFIX/lib/cmake/cloudhalt/cloudhaltConfig{,Version}.cmake
#
# Usage: scripts/install-c.sh PREFIX
# Env:   CLOUDHALT_PROFILE=release|debug|<cargo profile> (default release); CLOUDHALT_NO_BUILD=1 to install what
#        target/PROFILE already holds; CARGO_TARGET_DIR is honoured as cargo does (relative to the repo).
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 PREFIX   (e.g. $0 /usr/local or $0 \"\$HOME/.local\")" >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$1"
prefix="$(cd "$1" && pwd)"
profile="${CLOUDHALT_PROFILE:-release}"

if [ "${CLOUDHALT_NO_BUILD:-0}" != 1 ]; then
  case "$profile" in
    release) (cd "$root" && cargo build -p cloudhalt-ffi --release) ;;
    debug | dev) (cd "$root" && cargo build -p cloudhalt-ffi) ;;
    *) (cd "$root" && cargo build -p cloudhalt-ffi --profile "$profile") ;;
  esac
fi
target_dir="${CARGO_TARGET_DIR:-target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
case "$profile" in
  debug | dev) libdir="$target_dir/debug" ;;
  *) libdir="$target_dir/$profile" ;;
esac
for f in "$libdir/libcloudhalt.so" "$libdir/libcloudhalt.a"; do
  [ -f "$f" ] || { echo "install-c.sh: $f is missing: build with cargo build -p cloudhalt-ffi" >&2; exit 1; }
done

# The version is the header's, which the drift test holds equal to Cargo.toml.
version="$(sed -n 's/^#define CLOUDHALT_VERSION "\(.*\)"$/\1/p' "$root/include/cloudhalt.h")"
[ -n "$version" ] || { echo "install-c.sh: no CLOUDHALT_VERSION in include/cloudhalt.h" >&2; exit 1; }
static_libs="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"

install -d "$prefix/lib/pkgconfig" "$prefix/lib/cmake/cloudhalt" "$prefix/include"
install -m 0755 "$libdir/libcloudhalt.so" "$prefix/lib/libcloudhalt.so.$version"
ln -sf "libcloudhalt.so.$version" "$prefix/lib/libcloudhalt.so.0"
ln -sf "libcloudhalt.so.0" "$prefix/lib/libcloudhalt.so"
install -m 0644 "$libdir/libcloudhalt.a" "$prefix/lib/libcloudhalt.a"
install -m 0644 "$root/include/cloudhalt.h" "$prefix/include/cloudhalt.h"
install -m 0644 "$root/bindings/cpp/cloudhalt.hpp" "$prefix/include/cloudhalt.hpp"
sed -e "s|@PREFIX@|$prefix|g" -e "s|@VERSION@|$version|g" -e "s|@STATIC_LIBS@|$static_libs|g" \
  "$root/bindings/pkgconfig/cloudhalt.pc.in" > "$prefix/lib/pkgconfig/cloudhalt.pc"
install -m 0644 "$root/bindings/cmake/cloudhaltConfig.cmake" "$prefix/lib/cmake/cloudhalt/"
sed -e "s|@VERSION@|$version|g" "$root/bindings/cmake/cloudhaltConfigVersion.cmake.in" \
  > "$prefix/lib/cmake/cloudhalt/cloudhaltConfigVersion.cmake"
echo "installed cloudhalt $version ($profile) into $prefix"
