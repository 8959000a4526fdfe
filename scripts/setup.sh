#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu checkout: the system packages the build and
# tests need (installed when missing, or the exact command printed when we
# are not root), the npm dependencies, and the addon build.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential pkg-config clang libclang-dev ca-certificates curl
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev libturbojpeg0-dev libvpx-dev libaom-dev
  ffmpeg util-linux git)
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

# Encoders called without FFmpeg (H.264 temporal layers and per-frame QP,
# HEVC per-frame QP): installed where the distribution has them (Debian 12
# has both), else the build leaves those features out.
optional=(libopenh264-dev libx265-dev)

# Installs the packages named that are not installed yet.
install_missing() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  local install=(apt-get install -y --no-install-recommends "${missing[@]}")
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${install[@]}" >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    echo "setup: installing ${missing[*]} (sudo)"
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive "${install[@]}" >/dev/null
  else
    echo "setup: these system packages are missing; install them, then run this again:" >&2
    echo "  sudo apt-get update && sudo ${install[*]}" >&2
    exit 1
  fi
}
install_missing "${packages[@]}"
available=()
for p in "${optional[@]}"; do
  if apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    available+=("$p")
  elif ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    echo "setup: $p is not available here; the build leaves out what it is for (see README)"
  fi
done
((${#available[@]})) && install_missing "${available[@]}"

# Rust: the FFmpeg bindings need a current toolchain (1.88 or newer), which
# Debian's rustc is not. rustup installs one for this user (no root needed).
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null; then
  echo "setup: installing Rust with rustup into ~/.cargo"
  # rustup-init tells from its own file name what to run, so keep that name.
  dir=$(mktemp -d)
  curl --proto '=https' --tlsv1.2 -sSf -o "$dir/rustup-init" "https://static.rust-lang.org/rustup/dist/$(uname -m)-unknown-linux-gnu/rustup-init"
  chmod +x "$dir/rustup-init"
  "$dir/rustup-init" -y --profile minimal >/dev/null
  rm -rf "$dir"
  export PATH="$HOME/.cargo/bin:$PATH"
fi
rust_minor=$(rustc --version | sed -E 's/^rustc 1\.([0-9]+).*/\1/')
if [ "$rust_minor" -lt 88 ]; then
  echo "setup: $(rustc --version) is too old; run: rustup update stable" >&2
  exit 1
fi

echo "setup: npm dependencies"
npm ci --ignore-scripts --no-audit --no-fund
echo "setup: building the addon (cargo build --release)"
npm run build --silent
echo "setup: done — build/Release/webcodecs-native.node"
