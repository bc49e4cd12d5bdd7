#!/usr/bin/env bash
# Checks the artifacts scripts/dist.sh wrote into dist/, as a user without a Rust toolchain would
# use them (PATH holds no cargo or rustc for anything run here):
#   - the C tarball: extracted into a scratch root, the C and C++ quick starts compile against it
#     with only pkg-config pointing into it (PKG_CONFIG_SYSROOT_DIR + PKG_CONFIG_LIBDIR), shared
#     and static, and a CMake find_package consumer builds where cmake exists;
#   - the CLI from dist/ starts the emulator and stops an instance through it; the C quick start
#     does the same through the extracted libcloudhalt.so.0;
#   - the CLI tarball holds the binary, the man page and the completions, and its binary runs;
#   - the CLI's and libcloudhalt.so's glibc floors (objdump -T) are the ones dist/BUILD-INFO states,
#     and no newer than the glibc they were linked for;
#   - the wheel: installed with --no-index into a fresh venv, imported from there, stops instances
#     against the emulator; the sdist holds the sources a build needs (dist.sh built a wheel from it);
#   - the .deb: `dpkg-deb -c` lists the CLI, the libraries, headers, pkg-config and CMake files, the
#     man page and the completions; installed into a scratch root (`dpkg --root`, or extracted when
#     not root), its CLI stops an instance and a C program built against its files does too.
# Usage: scripts/test-dist.sh   (after scripts/dist.sh)
set -euo pipefail
# Under pipefail `cmd | grep -q` can fail when grep exits at its first match and cmd then gets
# SIGPIPE; the greps below read their whole input instead.
root="$(cd "$(dirname "$0")/.." && pwd)"
dist="$root/dist"
step() { printf '\n--> %s\n' "$*"; }
fail() { echo "test-dist: $*" >&2; exit 1; }

c_tar="$(ls "$dist"/cloudhalt-c-*.tar.gz 2>/dev/null | head -n 1 || true)"
cli_tar="$(ls "$dist"/cloudhalt-cli-*.tar.gz 2>/dev/null | head -n 1 || true)"
wheel="$(ls "$dist"/cloudhalt-*.whl 2>/dev/null | head -n 1 || true)"
deb="$(ls "$dist"/cloudhalt_*.deb 2>/dev/null | head -n 1 || true)"
version="$(sed -n 's/^version=//p' "$dist/BUILD-INFO" 2>/dev/null || true)"
sdist="$dist/cloudhalt-$version.tar.gz"
for f in "C tarball:$c_tar" "CLI tarball:$cli_tar" "CLI:$dist/cloudhalt" "wheel:$wheel" "sdist:$sdist" \
         ".deb:$deb" "BUILD-INFO:$dist/BUILD-INFO"; do
  [ -n "$version" ] && [ -s "${f#*:}" ] || fail "dist/ has no ${f%%:*} (${f#*:}): run scripts/dist.sh first"
done

# Nothing below may reach for the Rust toolchain.
no_rust_path=""
IFS=: read -r -a path_dirs <<<"$PATH"
for d in "${path_dirs[@]}"; do
  case "$d" in
    /bin | /usr/bin | /usr/local/bin) ;;  # a system-wide Rust cannot be dropped with them
    *) if [ -x "$d/cargo" ] || [ -x "$d/rustc" ] || [[ "$d" == *"/.cargo/"* ]] || [[ "$d" == *rustup* ]]; then
         continue
       fi ;;
  esac
  no_rust_path="${no_rust_path:+$no_rust_path:}$d"
done
export PATH="$no_rust_path"
if command -v cargo >/dev/null 2>&1 || command -v rustc >/dev/null 2>&1; then
  echo "test-dist: WARNING: Rust is installed system-wide ($(command -v cargo rustc | tr '\n' ' ')); nothing here calls it" >&2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/cloudhalt-test-dist.XXXXXX")"
emu_pid=""
cleanup() {
  if [ -n "$emu_pid" ]; then kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

step "C tarball: contents"
sysroot="$work/root"
mkdir -p "$sysroot"
tar -C "$sysroot" -xzf "$c_tar"
pc="$(cd "$sysroot" && find . -path '*/lib/pkgconfig/cloudhalt.pc' | head -n 1)"
[ -n "$pc" ] || fail "no lib/pkgconfig/cloudhalt.pc in $c_tar"
prefix="$(sed -n 's/^prefix=//p' "$sysroot/$pc")"
echo "    laid out for $prefix"
tree="$sysroot$prefix"
for f in lib/libcloudhalt.so lib/libcloudhalt.so.0 lib/libcloudhalt.a include/cloudhalt.h \
         include/cloudhalt.hpp lib/pkgconfig/cloudhalt.pc lib/cmake/cloudhalt/cloudhaltConfig.cmake \
         lib/cmake/cloudhalt/cloudhaltConfigVersion.cmake; do
  [ -e "$tree/$f" ] || fail "$prefix/$f is missing from $c_tar"
done
[ -L "$tree/lib/libcloudhalt.so" ] && [ -L "$tree/lib/libcloudhalt.so.0" ] \
  || fail "libcloudhalt.so and libcloudhalt.so.0 must be symbolic links"
readelf -d "$tree/lib/libcloudhalt.so.0" | grep 'SONAME.*\[libcloudhalt.so.0\]' >/dev/null \
  || fail "libcloudhalt.so.0 has no SONAME libcloudhalt.so.0"

step "C and C++ quick starts compiled with only pkg-config pointing into the tree"
export PKG_CONFIG_SYSROOT_DIR="$sysroot" PKG_CONFIG_LIBDIR="$tree/lib/pkgconfig"
cflags="$(pkg-config --cflags cloudhalt)"
libs="$(pkg-config --libs cloudhalt)"
static_libs="$(pkg-config --libs --static cloudhalt | sed 's/-lcloudhalt/-l:libcloudhalt.a/')"
case "$cflags $libs" in *"$sysroot"*) ;; *) fail "pkg-config does not point into the tree: $cflags $libs" ;; esac
CC="${CC:-cc}"
CXX="${CXX:-c++}"
$CC -std=c99 -Wall -Wextra -pedantic -Werror $cflags "$root/bindings/examples/quickstart.c" $libs -o "$work/quickstart"
$CC -std=c99 -Wall -Wextra -pedantic -Werror $cflags "$root/bindings/examples/quickstart.c" $static_libs -o "$work/quickstart_static"
$CXX -std=c++17 -Wall -Wextra -pedantic -Werror $cflags "$root/bindings/examples/quickstart.cpp" $libs -o "$work/quickstart_cpp"
if ldd "$work/quickstart_static" | grep libcloudhalt >/dev/null; then fail "the static quick start links libcloudhalt.so"; fi
echo "    built: quickstart (shared), quickstart_static, quickstart_cpp"
if command -v cmake >/dev/null 2>&1; then
  mkdir -p "$work/cmake-src"
  cp "$root/bindings/examples/quickstart.c" "$work/cmake-src/"
  printf '%s\n' 'cmake_minimum_required(VERSION 3.16)' 'project(consumer C)' \
    'find_package(cloudhalt 0.1 REQUIRED)' 'add_executable(qs quickstart.c)' \
    'target_link_libraries(qs PRIVATE cloudhalt::cloudhalt)' > "$work/cmake-src/CMakeLists.txt"
  cmake -S "$work/cmake-src" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$tree" >/dev/null
  cmake --build "$work/cmake-build" >/dev/null
  echo "    CMake find_package(cloudhalt) consumer built"
else
  echo "    SKIPPED: cmake is not installed"
fi

step "the glibc floors of the CLI and libcloudhalt.so are the ones dist/BUILD-INFO states"
glibc_target="$(sed -n 's/^glibc_target=//p' "$dist/BUILD-INFO")"
[ -n "$glibc_target" ] || fail "dist/BUILD-INFO states no glibc_target"
for what in "cli:$dist/cloudhalt" "libcloudhalt:$(readlink -f "$tree/lib/libcloudhalt.so.0")"; do
  name="${what%%:*}" file="${what#*:}"
  stated="$(sed -n "s/^${name}_glibc_floor=//p" "$dist/BUILD-INFO")"
  actual="$(objdump -T "$file" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)"
  [ -n "$stated" ] && [ "$stated" = "$actual" ] \
    || fail "BUILD-INFO states glibc $stated for $name, objdump -T $file shows $actual"
  [ "$(printf '%s\n%s\n' "$actual" "$glibc_target" | sort -V | tail -n 1)" = "$glibc_target" ] \
    || fail "$file needs glibc $actual, newer than the $glibc_target it was linked for"
  echo "    $name: glibc $actual ($(sed -n "s/^${name}_target=//p" "$dist/BUILD-INFO"))"
done

step "the CLI from dist/ runs the emulator"
"$dist/cloudhalt" --version
"$dist/cloudhalt" emulator --port 0 >"$work/emu.out" 2>"$work/emu.err" &
emu_pid=$!
emu_url=""
for _ in $(seq 1 100); do
  line="$(head -n 1 "$work/emu.out" 2>/dev/null || true)"
  case "$line" in "listening on "*) emu_url="${line#listening on }"; break ;; esac
  kill -0 "$emu_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$emu_url" ] || fail "dist/cloudhalt emulator did not start: $(cat "$work/emu.err")"
echo "    emulator at $emu_url"
export TENCENTCLOUD_SECRET_ID=AKIDcloudhaltEMULATOR TENCENTCLOUD_SECRET_KEY=cloudhalt-emulator-tencent-key
export ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIcloudhaltEMULATOR ALIBABA_CLOUD_ACCESS_KEY_SECRET=cloudhalt-emulator-alibaba-secret
export CLOUDHALT_ENDPOINT="$emu_url"

step "the CLI from dist/ stops an instance"
out="$("$dist/cloudhalt" --output json tencent stop-instances --region ap-guangzhou ins-run00042)"
echo "    $out"
case "$out" in *'"action":"StopInstances"'*'"request_id":"'*) ;; *) fail "unexpected output: $out" ;; esac
set +e
"$dist/cloudhalt" tencent stop-instances --region ap-guangzhou ins-stp00000 2>"$work/cli.err"
rc=$?
set -e
[ "$rc" = 6 ] || fail "stopping a stopped instance exited $rc, not 6 (state conflict): $(cat "$work/cli.err")"

step "the C quick start stops an instance through the extracted libcloudhalt.so.0"
LD_LIBRARY_PATH="$tree/lib" ldd "$work/quickstart" | grep "libcloudhalt.so.0 => $tree/lib/" >/dev/null \
  || fail "the quick start does not load the tarball's libcloudhalt.so.0"
out="$(LD_LIBRARY_PATH="$tree/lib" "$work/quickstart" ap-guangzhou ins-run00043)"
echo "    $out"
[[ "$out" =~ ^stopping\ ins-run00043,\ RequestId\ [0-9a-fA-F-]{36}$ ]] || fail "quickstart printed: $out"
out="$("$work/quickstart_static" ap-guangzhou ins-run00044)"
[[ "$out" =~ ^stopping\ ins-run00044, ]] || fail "static quickstart printed: $out"

step "the wheel: a fresh venv, pip install --no-index from dist/, stop instances"
python3 -m venv "$work/venv"
# The wheel itself, not `cloudhalt` from dist/: pip could otherwise pick the sdist and compile.
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "$wheel"
CLOUDHALT_TEST_URL="$emu_url" "$work/venv/bin/python" - <<'PY'
import os
import cloudhalt
url = os.environ["CLOUDHALT_TEST_URL"]
assert "site-packages" in cloudhalt.__file__, cloudhalt.__file__
tc = cloudhalt.Tencent("AKIDcloudhaltEMULATOR", "cloudhalt-emulator-tencent-key", endpoint=url)
r = tc.stop_instances("ap-guangzhou", ["ins-run00045"])
assert r.request_id, r
try:
    tc.stop_instances("ap-guangzhou", ["ins-stp00000"])
    raise SystemExit("stopping a stopped instance did not raise")
except cloudhalt.StateConflictError:
    pass
ali = cloudhalt.Alibaba("LTAIcloudhaltEMULATOR", "cloudhalt-emulator-alibaba-secret", endpoint=url)
assert ali.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001").request_id
print("    imported", cloudhalt.__file__, "and stopped ins-run00045, RequestId", r.request_id)
PY

step "the sdist holds what a source build needs"
tar -tzf "$sdist" > "$work/sdist.list"
for f in pyproject.toml Cargo.toml Cargo.lock crates/cloudhalt/Cargo.toml crates/cloudhalt/src/lib.rs \
         crates/cloudhalt-py/Cargo.toml crates/cloudhalt-py/src/lib.rs cloudhalt/__init__.py PKG-INFO \
         tests/vectors/errors.json; do
  grep -qxF "cloudhalt-$version/$f" "$work/sdist.list" || fail "$(basename "$sdist") has no $f"
done
echo "    $(wc -l < "$work/sdist.list") entries (scripts/dist.sh built and imported a wheel from it)"

step "the .deb: its contents, installed into a scratch root, the CLI and a C program run from there"
dpkg-deb -c "$deb" > "$work/deb.contents"
awk '{ print ($(NF-1) == "->") ? $(NF-2) : $NF }' "$work/deb.contents" > "$work/deb.list"
for f in ./usr/bin/cloudhalt ./usr/lib/libcloudhalt.so ./usr/lib/libcloudhalt.so.0 ./usr/lib/libcloudhalt.a \
         ./usr/include/cloudhalt.h ./usr/include/cloudhalt.hpp ./usr/lib/pkgconfig/cloudhalt.pc \
         ./usr/lib/cmake/cloudhalt/cloudhaltConfig.cmake ./usr/share/man/man1/cloudhalt.1.gz \
         ./usr/share/bash-completion/completions/cloudhalt ./usr/share/zsh/vendor-completions/_cloudhalt \
         ./usr/share/fish/vendor_completions.d/cloudhalt.fish; do
  grep -qxF "$f" "$work/deb.list" || fail "dpkg-deb -c does not list $f"
done
for f in libcloudhalt.so libcloudhalt.so.0; do
  grep -q " \./usr/lib/$f -> " "$work/deb.contents" || fail "$f is not a symbolic link in the .deb"
done
depends="$(dpkg-deb -f "$deb" Depends)"
deb_libc="$(printf '%s\n' "$depends" | sed -n 's/.*libc6 (>= \([0-9.]*\)).*/\1/p')"
[ -n "$deb_libc" ] || fail "the .deb does not depend on a libc6 version: $depends"
for name in cli libcloudhalt; do
  floor="$(sed -n "s/^${name}_glibc_floor=//p" "$dist/BUILD-INFO")"
  [ "$(printf '%s\n%s\n' "$floor" "$deb_libc" | sort -V | tail -n 1)" = "$deb_libc" ] \
    || fail "the .deb depends on libc6 (>= $deb_libc), but $name needs glibc $floor"
done
echo "    Depends: $depends"
# Installed for real into a scratch root: dpkg's own database there, none of the system's packages
# (so libc6 is "missing": --force-depends), maintainer scripts outside a chroot.
mkdir -p "$work/debroot/var/lib/dpkg/info" "$work/debroot/var/lib/dpkg/updates"
: > "$work/debroot/var/lib/dpkg/status"
if [ "$(id -u)" = 0 ]; then
  dpkg --root="$work/debroot" --force-depends --force-script-chrootless -i "$deb" > "$work/dpkg.log" 2>&1 \
    || fail "dpkg --root could not install the .deb: $(cat "$work/dpkg.log")"
  dpkg --root="$work/debroot" -s cloudhalt | grep -x 'Status: install ok installed' >/dev/null \
    || fail "dpkg --root does not record cloudhalt as installed"
  echo "    installed with dpkg --root into a scratch root"
else
  dpkg-deb -x "$deb" "$work/debroot"
  echo "    extracted with dpkg-deb -x (dpkg --root needs root)"
fi
out="$("$work/debroot/usr/bin/cloudhalt" tencent stop-instances --region ap-guangzhou ins-run00046)"
echo "    $out"
case "$out" in "ok: tencent StopInstances"*RequestId*) ;; *) fail "the .deb's CLI printed: $out" ;; esac
export PKG_CONFIG_SYSROOT_DIR="$work/debroot" PKG_CONFIG_LIBDIR="$work/debroot/usr/lib/pkgconfig"
$CC $(pkg-config --cflags cloudhalt) "$root/bindings/examples/quickstart.c" $(pkg-config --libs cloudhalt) -o "$work/quickstart_deb"
out="$(LD_LIBRARY_PATH="$work/debroot/usr/lib" "$work/quickstart_deb" ap-guangzhou ins-run00047)"
[[ "$out" =~ ^stopping\ ins-run00047, ]] || fail "quickstart against the .deb's files printed: $out"
echo "    C quick start built against the .deb's files: $out"

step "CLI tarball: binary, man page, completions"
cli_root="$work/cli"
mkdir -p "$cli_root"
tar -C "$cli_root" -xzf "$cli_tar"
cli_tree="$cli_root$prefix"
for f in bin/cloudhalt share/man/man1/cloudhalt.1.gz share/bash-completion/completions/cloudhalt \
         share/zsh/site-functions/_cloudhalt share/fish/vendor_completions.d/cloudhalt.fish; do
  [ -s "$cli_tree/$f" ] || fail "$prefix/$f is missing or empty in $cli_tar"
done
"$cli_tree/bin/cloudhalt" --version >/dev/null
bash -n "$cli_tree/share/bash-completion/completions/cloudhalt"
gzip -dc "$cli_tree/share/man/man1/cloudhalt.1.gz" | grep '^\.TH cloudhalt 1' >/dev/null || fail "man page has no .TH"
if command -v man >/dev/null 2>&1; then
  MANPAGER=cat man -l "$cli_tree/share/man/man1/cloudhalt.1.gz" 2>/dev/null | grep 'Exit codes:' >/dev/null \
    || fail "man -l does not render the man page"
fi

(cd "$dist" && sha256sum --quiet -c SHA256SUMS) || fail "dist/SHA256SUMS does not match"
printf '\ndist checks passed\n'
