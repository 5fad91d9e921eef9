# SPDX-License-Identifier: GPL-2.0-or-later
# Debian chroots of the Wireshark releases tcpdiag supports, shared by
# tests/matrix.sh (the suite on every release), scripts/package.sh (a package
# per release) and tests/package/test_packages.sh (each package installed as
# a user would). Sourced; needs root (debootstrap, chroot, mounts).
#
#   release  build chroot                      clean chroot (only tshark)
#   4.0      this machine (Debian 12)          bookworm-tshark
#   4.4      trixie                            trixie-tshark
#   4.6      sid                               sid-tshark
#
# Chroots are made once and cached in $TCPDIAG_MATRIX_CACHE (default
# /var/cache/tcpdiag-matrix). Every command runs in a private mount namespace,
# so its mounts vanish with it. The caller sets src (the source tree) and
# chroot_log (a directory for logs).

cache=${TCPDIAG_MATRIX_CACHE:-/var/cache/tcpdiag-matrix}
mirror=${TCPDIAG_MIRROR:-http://deb.debian.org/debian}
shared=$(cd "$src/.." && pwd)/shared
mkdir -p "$cache"

# The Debian suite whose chroot builds a release (native: this machine).
suite_of() {
  case "$1" in
    4.0) echo native ;;
    4.4) echo trixie ;;
    4.6) echo sid ;;
    *) echo "unknown release $1" >&2; return 1 ;;
  esac
}

# The Debian suite that ships a release, for its clean chroot.
clean_suite_of() {
  case "$1" in
    4.0) echo bookworm ;;
    4.4) echo trixie ;;
    4.6) echo sid ;;
    *) echo "unknown release $1" >&2; return 1 ;;
  esac
}

log() { printf '[%s %s] %s\n' "${log_tag:-chroot}" "$(date +%H:%M:%S)" "$*"; }

# The mounts and the chroot of a run (the script of a private mount
# namespace): root [overlay lower dir or ""] src shared command...
_chroot_run='
  root=$1 lower=$2 src=$3 shared=$4; shift 4
  if [ -n "$lower" ]; then
    mkdir -p "$root/upper" "$root/work" "$root/root"
    mount -t overlay overlay -o "lowerdir=$lower,upperdir=$root/upper,workdir=$root/work" "$root/root"
    root=$root/root
  fi
  mount -t proc proc "$root/proc"
  mount -t sysfs sys "$root/sys"
  mount --rbind /dev "$root/dev"
  mkdir -p "$root/src" "$root/shared"
  mount --bind "$src" "$root/src"
  if [ -d "$shared" ]; then mount --bind "$shared" "$root/shared"; fi
  cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 CI="${CI:-}" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
'

# Run a command as root inside a chroot, with the source tree at /src and
# ../shared at /shared, in a mount namespace of its own.
in_chroot() {
  local root=$1; shift
  unshare --mount --propagation private -- bash -euo pipefail -c "$_chroot_run" \
    in_chroot "$root" "" "$src" "$shared" "$@"
}

# debootstrap (once) a minimal Debian suite into root.
debootstrap_once() {
  local s=$1 root=$2
  [ ! -x "$root/usr/bin/apt-get" ] || return 0
  command -v debootstrap >/dev/null || {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
  log "debootstrap $s (once; cached in $root)"
  rm -rf "$root.tmp"
  debootstrap --variant=minbase "$s" "$root.tmp" "$mirror" >"$root.debootstrap.log" 2>&1 \
    || { tail -n 20 "$root.debootstrap.log"; return 1; }
  # unstable's Release file may have expired (PLATFORM.md)
  echo 'Acquire::Check-Valid-Until "false";' >"$root.tmp/etc/apt/apt.conf.d/99tcpdiag-matrix"
  mv "$root.tmp" "$root"
}

# Make (once) the build chroot of a Debian suite, with what DEPS
# (scripts/install-deps.sh: build or test) needs.
ensure_chroot() {
  local s=$1 deps=${2:-test} root=$cache/$1
  debootstrap_once "$s" "$root" || return 1
  log "$s: dependencies (scripts/install-deps.sh $deps)"
  in_chroot "$root" bash -c "cd /src && scripts/install-deps.sh $deps" \
    >"$chroot_log/$s.deps.log" 2>&1 || { tail -n 30 "$chroot_log/$s.deps.log"; return 1; }
}

# Make (once) the clean chroot of a release's suite: minbase and tshark, what
# a user of that Debian has (tshark -> libwireshark, wireshark-common). Kept
# pristine: the package tests run in an overlay of it (in_clean).
ensure_clean_chroot() {
  local s=$1 root=$cache/$1-tshark
  [ -x "$root/usr/bin/tshark" ] && return 0
  debootstrap_once "$s" "$root.base" || return 1
  log "$s: tshark into the clean chroot (once; cached in $root)"
  in_chroot "$root.base" bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends tshark && apt-get clean' \
    >"$chroot_log/$s-tshark.log" 2>&1 || { tail -n 30 "$chroot_log/$s-tshark.log"; return 1; }
  mv "$root.base" "$root"
}

# Run a command in a throwaway copy of a clean chroot (an overlay whose upper
# layer is deleted afterwards), with the source tree at /src.
in_clean() {
  local s=$1 work rc=0; shift
  work=$(mktemp -d /tmp/tcpdiag-clean.XXXXXX)
  unshare --mount --propagation private -- bash -euo pipefail -c "$_chroot_run" \
    in_clean "$work" "$cache/$s-tshark" "$src" "$shared" "$@" || rc=$?
  rm -rf "$work"
  return $rc
}
