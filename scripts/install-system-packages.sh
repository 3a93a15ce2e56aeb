#!/usr/bin/env bash
# Installs the system software NovaCron's tests use on Debian 12 (run as root). Idempotent: it installs only what
# is missing, so a second run takes a second.
#  - libvirt + qemu + tini: the KVM driver's tests run real libvirtd daemons and tiny qemu guests; openssl makes
#    the throwaway CA of its TLS test; openssh-server/-client and netcat-openbsd run its qemu+ssh:// test through a
#    real sshd on 127.0.0.1 (virt-ssh-helper and `nc -U` on the remote side).
#  - etcd-server: @novacron/store-etcd's tests start a real three-member etcd cluster on loopback.
#  - moto[server] (PyPI): the AWS driver's tests run moto's EC2 server.
#  - cargo: builds @novacron/native-metrics (Rust through napi-rs); it must already be on the machine (rustup).
set -euo pipefail

bash "$(dirname "$0")/support/install-debian-packages.sh" \
  libvirt-daemon libvirt-daemon-driver-qemu libvirt-daemon-system libvirt-clients \
  qemu-system-x86 qemu-utils tini iproute2 openssl openssh-server openssh-client netcat-openbsd etcd-server

if ! command -v moto_server >/dev/null 2>&1; then
  echo "Installing moto[server] from PyPI"
  python3 -m pip install --quiet 'moto[server]==5.*'
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is missing: install Rust (rustup) to build @novacron/native-metrics." >&2
  exit 1
fi
