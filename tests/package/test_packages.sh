#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Each package of build/packages (scripts/package.sh) installed as a user
# would, in a throwaway copy of a clean chroot of its Debian that has only
# tshark (scripts/chroot.sh: bookworm for 4.0, trixie for 4.4, sid for 4.6):
#   - apt-get install ./tcpdiag_*.deb succeeds (offline: what it depends on is
#     what tshark brought);
#   - tshark -G plugins lists tcpdiag with the version of CMakeLists.txt;
#   - README's Install section, word for word: the example capture gives the
#     table shown there, run as a user (nobody) and as root;
#   - apt-get remove leaves none of the package's files behind;
#   - the package of every other release is refused (apt-get install fails
#     and installs nothing).
# Prints 'N passed, N failed' last. Usage (root): tests/package/test_packages.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
src=$(pwd)
releases=${TCPDIAG_PACKAGE_RELEASES:-"4.0 4.4 4.6"}

out=build/packages
chroot_log=$out/logs
log_tag=package-test
mkdir -p "$chroot_log"
. scripts/chroot.sh

version=$(sed -n 's/^set(TCPDIAG_VERSION \([0-9.]*\))$/\1/p' CMakeLists.txt)
arch=$(dpkg --print-architecture)
deb_of() { echo "$out/tcpdiag_${version}+ws$1_$arch.deb"; }

passed=0 failed=0
check() { # check OK MESSAGE
  if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $2"; fi
}

# README's table: the lines after the command, up to the end of its block.
example=/usr/share/doc/tcpdiag/examples/hs_reject_tcpreset.pcap
readme_table=$(awk -v cmd="\$ tshark -r $example -q -z tcpdiag" '
  $0 == cmd {on = 1; next} on && /^```/ {exit} on {print}' README.md)
[ -n "$readme_table" ] || { echo "FAIL: README has no table after \$ tshark -r $example"; exit 1; }

for rel in $releases; do
  s=$(clean_suite_of "$rel")
  deb=$(deb_of "$rel")
  if [ ! -f "$deb" ]; then check 1 "$rel: $deb not built (scripts/package.sh)"; continue; fi
  ensure_clean_chroot "$s" || { check 1 "$rel: no clean $s chroot"; continue; }
  others=()
  for o in $releases; do [ "$o" = "$rel" ] || others+=("/src/$(deb_of "$o")"); done
  log "$rel: $(basename "$deb") in a clean $s with only tshark"
  res=$chroot_log/test-$rel
  rm -rf "$res"; mkdir -p "$res"
  # Every step's output in $res (the source tree is the chroot's /src).
  in_clean "$s" bash -c '
    cd /src; deb=$1 res=$2 example=$3; shift 3
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y "/src/$deb" >"$res/install.log" 2>&1; echo $? >"$res/install.rc"
    tshark -G plugins >"$res/plugins.txt" 2>/dev/null
    setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/nonexistent \
      tshark -r "$example" -q -z tcpdiag >"$res/table.txt" 2>"$res/table.err"
    tshark -r "$example" -q -z tcpdiag >"$res/table-root.txt" 2>"$res/table-root.err"
    dpkg-query -L tcpdiag >"$res/files.txt" 2>/dev/null
    apt-get remove -y tcpdiag >"$res/remove.log" 2>&1; echo $? >"$res/remove.rc"
    : >"$res/left.txt"
    while read -r f; do
      if [ -f "$f" ] || [ -L "$f" ]; then echo "$f" >>"$res/left.txt"; fi
      if [ -d "$f" ] && [ -z "$(ls -A "$f")" ] && [ "${f#/usr/share/doc/tcpdiag}" != "$f" ]; then
        echo "$f" >>"$res/left.txt"
      fi
    done <"$res/files.txt"
    for o in "$@"; do
      n=$(basename "$o")
      apt-get install -y "$o" >"$res/other-$n.log" 2>&1; echo $? >"$res/other-$n.rc"
      dpkg-query -W -f="\${Status}" tcpdiag >"$res/other-$n.status" 2>/dev/null || true
    done
  ' test "$(realpath --relative-to=. "$deb")" "/src/$res" "$example" "${others[@]}"
  check "$(cat "$res/install.rc" 2>/dev/null || echo 1)" \
    "$rel: apt-get install ./$(basename "$deb"): $(tail -n 3 "$res/install.log" 2>/dev/null)"
  grep -Eq "^tcpdiag\.so[[:space:]]+$version[[:space:]]" "$res/plugins.txt"
  check $? "$rel: tshark -G plugins does not list tcpdiag $version: $(grep -i tcpdiag "$res/plugins.txt")"
  # (tshark prints a blank line before the table)
  [ "$(grep -v '^[[:space:]]*$' "$res/table.txt")" = "$readme_table" ]
  check $? "$rel: the table as a user is not README's: $(diff <(echo "$readme_table") "$res/table.txt" | head -n 5) $(head -c 300 "$res/table.err")"
  [ "$(grep -v '^[[:space:]]*$' "$res/table-root.txt")" = "$readme_table" ]
  check $? "$rel: the table as root is not README's: $(diff <(echo "$readme_table") "$res/table-root.txt" | head -n 5) $(head -c 300 "$res/table-root.err")"
  grep -q '/epan/tcpdiag.so$' "$res/files.txt"
  check $? "$rel: the package holds no plugins/<abi>/epan/tcpdiag.so"
  [ "$(cat "$res/remove.rc" 2>/dev/null)" = 0 ] && [ ! -s "$res/left.txt" ]
  check $? "$rel: apt-get remove left files behind: $(head -n 5 "$res/left.txt")"
  for o in "${others[@]}"; do
    n=$(basename "$o")
    [ "$(cat "$res/other-$n.rc" 2>/dev/null || echo 0)" != 0 ] \
      && ! grep -q "install ok installed" "$res/other-$n.status" 2>/dev/null
    check $? "$rel: $n (another Wireshark's) was not refused: $(tail -n 2 "$res/other-$n.log")"
  done
done
echo "packages: $passed passed, $failed failed"
[ "$failed" = 0 ]
