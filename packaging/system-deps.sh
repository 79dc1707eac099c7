#!/usr/bin/env bash
# Debian/Ubuntu system libraries Flywheel needs (Qt's offscreen/xcb platforms, a compiler
# for llama-cpp-python). Installs only what is missing, and only when it can (root or sudo).
set -euo pipefail

packages=(build-essential cmake libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3
          libglib2.0-0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
          xvfb bubblewrap)

command -v dpkg-query >/dev/null || { echo "system-deps: not a Debian system, skipping"; exit 0; }

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then sudo_cmd=(); elif command -v sudo >/dev/null; then sudo_cmd=(sudo); else
  echo "system-deps: please install: ${missing[*]}" >&2; exit 1
fi
echo "system-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
