#!/usr/bin/env bash
# ONLY FOR MACHINES WITHOUT A CONTAINER REGISTRY (such as this project's CI).
# Builds the Debian bookworm base image the stand-in images under
# deploy/testing/ start from: `debootstrap` a minimal root from the machine's
# own Debian mirror (read from its apt sources at run time), then
# `docker import` it. Prints the image's tag. The tag is a hash of this
# script, so an unchanged script reuses the image built by an earlier run
# (a cache only: a machine without it builds it again).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# The host's CA bundle goes in too (pip inside the stand-ins reaches PyPI
# through whatever the host trusts), so it is part of the tag.
ca=/etc/ssl/certs/ca-certificates.crt
[ -r "$ca" ] || { echo "base-image: no CA bundle at $ca" >&2; exit 1; }
hash=$(cat "$here/base-image.sh" "$ca" | sha256sum | cut -c1-12)
tag="resultsnight-testing/bookworm:$hash"
if docker image inspect "$tag" >/dev/null 2>&1; then
    echo "$tag"; exit 0
fi
command -v debootstrap >/dev/null || {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >&2
    else
        echo "base-image: needs debootstrap (apt-get install debootstrap), as root" >&2; exit 1
    fi
}
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || { echo "base-image: cannot find the machine's Debian mirror in its apt sources" >&2; exit 1; }
root=$(mktemp -d /var/tmp/resultsnight-bookworm.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "base-image: debootstrap bookworm (minbase) into $root" >&2
debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$mirror" >&2
# apt inside the image uses the same mirror the root came from; no caches kept.
echo "deb $mirror bookworm main" > "$root/etc/apt/sources.list"
echo "deb $mirror bookworm-updates main" >> "$root/etc/apt/sources.list"
# The host's CA bundle, beside Debian's own (which update-ca-certificates rewrites).
cp "$ca" "$root/etc/ssl/certs/host-ca-bundle.crt"
echo 'Acquire::https::CaInfo "/etc/ssl/certs/host-ca-bundle.crt";' > "$root/etc/apt/apt.conf.d/50host-ca"
echo 'APT::Install-Recommends "false"; APT::Install-Suggests "false";' > "$root/etc/apt/apt.conf.d/50no-recommends"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | docker import --change 'CMD ["/bin/bash"]' - "$tag" >&2
echo "$tag"
