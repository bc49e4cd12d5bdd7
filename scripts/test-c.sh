#!/usr/bin/env bash
# The C and C++ side of cloudhalt, tested as a user would use it: build the ffi crate, install it
# into a temporary prefix with scripts/install-c.sh, then against the INSTALLED header and library
#   - compile the header alone (C99 -Wall -Wextra -pedantic -Werror; C++ in two translation units)
#   - build tests/c/*.c and bindings/examples/* with pkg-config, and a CMake find_package consumer
#   - check the version macros against Cargo.toml (tests/c/test_version.c, shared and static)
#   - start the emulator, run the C and C++ test programs and the examples against it
#   - run the C test program built with -fsanitize=address,undefined (leak detection on)
#   - run the C test program under valgrind: zero errors, zero leaks.
# (ASan and valgrind cannot share one binary: the sanitized build and the valgrind build are two.)
# Usage: scripts/test-c.sh   (from anywhere; exits non-zero on the first failure)
# Env:   CLOUDHALT_REQUIRE_EMULATOR=1 fails when the emulator cannot be built or started.
set -euo pipefail
# Under pipefail `cmd | grep -q` can fail when grep exits at its first match and cmd then gets
# SIGPIPE; the greps below read their whole input instead.
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

step() { printf '\n--> %s\n' "$*"; }
skip() { printf '    SKIPPED: %s\n' "$*"; }

work="$(mktemp -d "${TMPDIR:-/tmp}/cloudhalt-c.XXXXXX")"
emu_pid=""
cleanup() {
  if [ -n "$emu_pid" ]; then kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# CARGO_TARGET_DIR is honoured as cargo does (relative to the repository).
target_dir="${CARGO_TARGET_DIR:-target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac

step "build the ffi crate"
cargo build -p cloudhalt-ffi

step "install into a temporary prefix"
prefix="$work/prefix"
CLOUDHALT_PROFILE=debug CLOUDHALT_NO_BUILD=1 scripts/install-c.sh "$prefix"
readelf -d "$prefix/lib/libcloudhalt.so" | grep 'SONAME.*\[libcloudhalt.so.0\]' >/dev/null \
  || { echo "libcloudhalt.so has no SONAME libcloudhalt.so.0" >&2; exit 1; }
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cflags="$(pkg-config --cflags cloudhalt)"
libs="$(pkg-config --libs cloudhalt) -Wl,-rpath,$prefix/lib"
static_libs="$(pkg-config --libs --static cloudhalt | sed 's/-lcloudhalt/-l:libcloudhalt.a/')"
strict_c="-std=c99 -Wall -Wextra -pedantic -Werror"
strict_cxx="-std=c++17 -Wall -Wextra -pedantic -Werror"
CC="${CC:-cc}"
CXX="${CXX:-c++}"

step "the installed header alone: C99 and C++ (two translation units)"
printf '#include <cloudhalt.h>\n#include <cloudhalt.h>\nint header_only(void);\nint header_only(void) { return CLOUDHALT_OK; }\n' > "$work/h1.c"
$CC $strict_c $cflags -c "$work/h1.c" -o "$work/h1.o"
printf '#include <cloudhalt.h>\nint tu1() { return CLOUDHALT_OK + (cloudhalt_version() != nullptr); }\n' > "$work/tu1.cpp"
printf '#include <cloudhalt.hpp>\nint tu1();\nint main() { return tu1() == 1 && !cloudhalt::version().empty() ? 0 : 1; }\n' > "$work/tu2.cpp"
printf '#include <cloudhalt.hpp>\n#include <cloudhalt.h>\nint tu3() { return 0; }\n' > "$work/tu3.cpp"
$CXX $strict_cxx $cflags "$work/tu1.cpp" "$work/tu2.cpp" "$work/tu3.cpp" $libs -o "$work/tu"
"$work/tu"

step "version macros = Cargo.toml = cloudhalt_version(), status values 0..17, outcomes 0..3"
version="$(cargo metadata --no-deps --format-version 1 \
  | python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"]=="cloudhalt-ffi"))')"
IFS=. read -r major minor patch <<<"${version%%[-+]*}"
vdefs=(-DCARGO_VERSION="\"$version\"" -DCARGO_MAJOR="$major" -DCARGO_MINOR="$minor" -DCARGO_PATCH="$patch")
$CC $strict_c $cflags "${vdefs[@]}" tests/c/test_version.c $libs -o "$work/test_version"
"$work/test_version"
$CC $strict_c $cflags "${vdefs[@]}" tests/c/test_version.c $static_libs -o "$work/test_version_static"
"$work/test_version_static"
if ldd "$work/test_version_static" | grep libcloudhalt >/dev/null; then
  echo "the static build still links libcloudhalt.so" >&2; exit 1
fi

step "C test and examples, compiled against the installed files (pkg-config)"
$CC $strict_c -D_POSIX_C_SOURCE=200809L $cflags tests/c/test_capi.c $libs -pthread -o "$work/test_capi"
$CXX $strict_cxx $cflags tests/c/test_cpp.cpp $libs -o "$work/test_cpp"
# The same C test, instrumented, linked with the static library (the Rust code itself is not
# instrumented; ASan's allocator and leak checker still see every malloc it makes).
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
$CC $strict_c -D_POSIX_C_SOURCE=200809L $sanitize $cflags tests/c/test_capi.c $static_libs -pthread \
  -o "$work/test_capi_asan"
nm "$work/test_capi_asan" > "$work/test_capi_asan.nm"
grep -q __asan_init "$work/test_capi_asan.nm" \
  || { echo "test_capi_asan is not built with AddressSanitizer" >&2; exit 1; }
for ex in bindings/examples/*.c; do
  $CC $strict_c $cflags "$ex" $libs -o "$work/$(basename "$ex" .c)"
done
for ex in bindings/examples/*.cpp; do
  $CXX $strict_cxx $cflags "$ex" $libs -o "$work/$(basename "$ex" .cpp)_cpp"
done

step "CMake find_package(cloudhalt) consumer"
if ! command -v cmake >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get install -y -qq cmake >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq cmake >/dev/null)) || true
fi
if command -v cmake >/dev/null 2>&1; then
  mkdir -p "$work/cmake-src"
  cp bindings/examples/quickstart.c bindings/examples/quickstart.cpp "$work/cmake-src/"
  cat > "$work/cmake-src/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(cloudhalt_consumer C CXX)
find_package(cloudhalt 0.1 REQUIRED)
add_executable(quickstart_c quickstart.c)
target_link_libraries(quickstart_c PRIVATE cloudhalt::cloudhalt)
add_executable(quickstart_static quickstart.c)
target_link_libraries(quickstart_static PRIVATE cloudhalt::cloudhalt_static)
add_executable(quickstart_cxx quickstart.cpp)
set_target_properties(quickstart_cxx PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON)
target_link_libraries(quickstart_cxx PRIVATE cloudhalt::cloudhalt)
CMAKE
  cmake -S "$work/cmake-src" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
  cmake --build "$work/cmake-build" >/dev/null
  echo "    CMake consumer built (shared, static, C++)"
else
  skip "cmake is not installed (and this is not root with apt-get): install cmake to test find_package"
fi

step "the emulator"
emu_url=""
if ! cargo build -p cloudhalt-cli >"$work/emu.err" 2>&1; then
  echo "    cargo build -p cloudhalt-cli failed:"; tail -n 5 "$work/emu.err" | sed 's/^/      /'
elif [ -x "$target_dir/debug/cloudhalt" ]; then
  "$target_dir/debug/cloudhalt" emulator --port 0 >"$work/emu.out" 2>"$work/emu.err" &
  emu_pid=$!
  for _ in $(seq 1 100); do
    line="$(head -n 1 "$work/emu.out" 2>/dev/null || true)"
    case "$line" in "listening on "*) emu_url="${line#listening on }"; break ;; esac
    kill -0 "$emu_pid" 2>/dev/null || break
    sleep 0.1
  done
fi
if [ -z "$emu_url" ]; then
  if [ "${CLOUDHALT_REQUIRE_EMULATOR:-0}" = 1 ]; then
    echo "the emulator did not start and CLOUDHALT_REQUIRE_EMULATOR=1" >&2; exit 1
  fi
  skip "the emulator did not start: only offline checks run (CLOUDHALT_REQUIRE_EMULATOR=1 makes this fatal)"
else
  echo "    emulator at $emu_url"
fi

step "C test program"
"$work/test_capi" $emu_url

step "C++ test program"
"$work/test_cpp" $emu_url

step "C test program under AddressSanitizer + UndefinedBehaviorSanitizer"
# Leak detection stays on: the Rust standard library's one-time per-thread allocations that
# valgrind.supp lists stay reachable for LeakSanitizer, so no suppression file is needed.
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:exitcode=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  "$work/test_capi_asan" $emu_url
echo "    ASan + UBSan: no errors, no leaks"

if [ -n "$emu_url" ]; then
  step "examples against the emulator"
  export TENCENTCLOUD_SECRET_ID=AKIDcloudhaltEMULATOR TENCENTCLOUD_SECRET_KEY=cloudhalt-emulator-tencent-key
  export ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIcloudhaltEMULATOR ALIBABA_CLOUD_ACCESS_KEY_SECRET=cloudhalt-emulator-alibaba-secret
  export CLOUDHALT_ENDPOINT="$emu_url"
  curl -fsS -X POST -d '{}' "$emu_url/_emulator/reset" >/dev/null
  out="$("$work/quickstart" ap-guangzhou ins-run00040)"
  echo "    $out"
  [[ "$out" =~ ^stopping\ ins-run00040,\ RequestId\ [0-9a-fA-F-]{36}$ ]] || { echo "quickstart printed: $out" >&2; exit 1; }
  if "$work/quickstart" ap-guangzhou ins-zzzzzzzz 2>"$work/qs.err"; then
    echo "quickstart should fail for an instance that does not exist" >&2; exit 1
  fi
  grep '^CLOUDHALT_NOT_FOUND: .*InvalidInstanceId.NotFound' "$work/qs.err" >/dev/null \
    || { echo "quickstart error output: $(cat "$work/qs.err")" >&2; exit 1; }
  out="$("$work/stop_invocation" cn-hangzhou t-hz0jdfwd9f0001 i-bp67acfmxazb4p0001 i-bp67acfmxazb4p0002)"
  expected="StopInvocation: CLOUDHALT_OK code=- http=0
RequestId present: yes
StopInvocation unknown task: CLOUDHALT_NOT_FOUND code=InvalidInvokeId.NotFound http=404"
  [ "$out" = "$expected" ] || { printf 'stop_invocation printed:\n%s\nexpected:\n%s\n' "$out" "$expected" >&2; exit 1; }
  out="$("$work/quickstart_cpp")"
  expected="StopInstances: RequestId present: 1
CancelInvocation: RequestId present: 1
expected failure: CLOUDHALT_NOT_FOUND code=InvalidInstanceId.NotFound RequestId present: 1 kind=not_found may have been sent: 1
refused before sending: CLOUDHALT_INVALID_INPUT"
  [ "$out" = "$expected" ] || { printf 'quickstart.cpp printed:\n%s\nexpected:\n%s\n' "$out" "$expected" >&2; exit 1; }
  if [ -d "$work/cmake-build" ]; then
    curl -fsS -X POST -d '{}' "$emu_url/_emulator/reset" >/dev/null
    "$work/cmake-build/quickstart_static" ap-guangzhou ins-run00041 >/dev/null
    "$work/cmake-build/quickstart_cxx" >/dev/null
  fi
  curl -fsS -X POST -d '{}' "$emu_url/_emulator/reset" >/dev/null
  fleet_ids=()
  for i in $(seq 0 119); do fleet_ids+=("$(printf 'ins-run%05d' "$i")"); done
  "$work/stop_fleet" ap-guangzhou "$work/fleet.log" "${fleet_ids[@]}" >"$work/fleet.out"
  [ "$(grep -c '^ins-run[0-9]* done [0-9a-f-]*$' "$work/fleet.out")" = 120 ] \
    && [ "$(tail -n 1 "$work/fleet.out")" = "requests 2" ] \
    && [ "$(grep -c '"event":"send"' "$work/fleet.log")" = 2 ] \
    || { echo "stop_fleet printed:"; head -n 3 "$work/fleet.out"; tail -n 2 "$work/fleet.out"; exit 1; } >&2
  if "$work/stop_fleet" ap-guangzhou "$work/fleet.log" --resume 2>"$work/fleet.err"; then
    echo "stop_fleet --resume of a finished batch should fail" >&2; exit 1
  fi
  grep -q '^CLOUDHALT_INVALID_INPUT: .*nothing to resume' "$work/fleet.err" \
    || { echo "stop_fleet --resume error output: $(cat "$work/fleet.err")" >&2; exit 1; }
  echo "    examples ok"
  unset CLOUDHALT_ENDPOINT
  curl -fsS -X POST -d '{}' "$emu_url/_emulator/reset" >/dev/null
fi

step "C test program under valgrind"
if command -v valgrind >/dev/null 2>&1; then
  # Under valgrind, requests arrive too unevenly to test the pacing (see timing_strict()).
  CLOUDHALT_TEST_SLOW=1 valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1 \
    --suppressions="$root/tests/c/valgrind.supp" \
    "$work/test_capi" $emu_url
  echo "    valgrind: no errors, no leaks"
else
  echo "valgrind is not installed" >&2
  exit 1
fi

printf '\nC/C++ checks passed\n'
