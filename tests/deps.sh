#!/usr/bin/env bash
# Installs what `make test` needs and a fresh Debian machine may lack.
set -e
need=()
for tool in gcc:gcc clang:clang make:make valgrind:valgrind; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool#*:}")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing: ${need[*]}"
SUDO=
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
