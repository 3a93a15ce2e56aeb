#!/usr/bin/env bash
# Builds the release binary of @novacron/native-metrics for every supported platform (or the ones named) and puts
# each into its platform package: packages/native-metrics/npm/<platform>/native-metrics.<platform>.node.
#
#   bash scripts/native/build-targets.sh                    # linux-x64-gnu linux-arm64-gnu linux-x64-musl linux-arm64-musl
#   bash scripts/native/build-targets.sh linux-arm64-gnu    # just one
#
# Needs the toolchain of install-cross-toolchain.sh. Every target, x64-gnu included, is built the same way: Debian's
# Rust 1.96 with zig as the linker, so the gnu binaries need only glibc 2.17 (the rustup build of `npm run build`
# needs the build machine's glibc, 2.34 or later here). Prints the time each target took.
set -euo pipefail
source "$(dirname "$0")/cross-env.sh"
novacron_cross_env
package="$(cd "$(dirname "$0")/../../packages/native-metrics" && pwd)"
cd "$package"

platforms=("$@")
[ ${#platforms[@]} -gt 0 ] || platforms=("${NOVACRON_NATIVE_PLATFORMS[@]}")
summary=()
for platform in "${platforms[@]}"; do
  target="$(novacron_rust_target "$platform")"
  build_std=(-Zbuild-std=std,panic_abort)
  # Debian ships the host's standard library prebuilt (libstd-rust-web-dev); every other target compiles it.
  [ "$target" = x86_64-unknown-linux-gnu ] && build_std=()
  echo "==> $platform ($target)"
  started=$SECONDS
  /usr/bin/cargo zigbuild --release --quiet --target "$(novacron_zig_target "$platform")" \
    --target-dir target/cross "${build_std[@]}"
  destination="npm/$platform/native-metrics.$platform.node"
  cp "target/cross/$target/release/libnovacron_native_metrics.so" "$destination"
  summary+=("$platform: $((SECONDS - started)) s, $(stat -c %s "$destination") bytes, $destination")
done
printf '\nBuilt:\n'
printf '  %s\n' "${summary[@]}"
