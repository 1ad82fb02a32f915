#!/usr/bin/env bash
# Provision Docker for `make deploy-test` and .ci/run: Docker Engine, Compose v2
# and a running dockerd, installed ONLY when they are missing and ONLY when run
# as root on Debian. On any other machine it says what to install and exits 1.
# A machine whose Docker engine already works is never changed.
#
# Compose v2 is not in Debian bookworm (its docker-compose is v1, which refuses
# this project's compose file), so on bookworm the plugin binary is taken from
# Debian trixie's docker-compose package: apt downloads that one .deb through a
# sources list of its own (the machine's own Debian mirror, read at run time),
# which leaves the machine's apt configuration untouched.
set -euo pipefail

PLUGIN_DIR=/usr/local/lib/docker/cli-plugins
say() { echo "provision: $*"; }

how_to_install() {
    cat >&2 <<'MSG'
provision: `make deploy-test` needs a running Docker engine and Compose v2.
  Install Docker Engine (https://docs.docker.com/engine/install/) with the
  compose plugin, start it, and check:
      docker info
      docker compose version      # v2.x
  On Debian as root this script installs them itself (docker.io, and the
  docker-compose package of Debian trixie for Compose v2).
MSG
    exit 1
}

engine_ok() { docker info >/dev/null 2>&1; }
compose_ok() { docker compose version 2>/dev/null | grep -q 'v\?2\.'; }

if engine_ok; then
    if compose_ok; then
        say "Docker engine and $(docker compose version) already work: nothing changed"
        exit 0
    fi
    say "Docker works here but Compose v2 is missing; this script does not change a working Docker setup."
    how_to_install
fi

debian=false
[ -r /etc/debian_version ] && command -v apt-get >/dev/null && debian=true
if [ "$(id -u)" != 0 ] || [ "$debian" != true ]; then
    say "no working Docker engine, and this is not root on Debian: not installing anything."
    how_to_install
fi

export DEBIAN_FRONTEND=noninteractive
if ! command -v dockerd >/dev/null; then
    say "installing docker.io (Docker Engine) from Debian"
    apt-get install -y -q docker.io >/dev/null
fi
if ! command -v docker >/dev/null; then
    say "no docker CLI after installing docker.io"; exit 1
fi

if ! compose_ok; then
    mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list 2>/dev/null || true)
    [ -n "$mirror" ] || { say "cannot find the machine's Debian mirror in its apt sources"; exit 1; }
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    mkdir -p "$tmp/lists/partial" "$tmp/archives/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" > "$tmp/sources.list"
    apt_opts=(-o "Dir::Etc::sourcelist=$tmp/sources.list" -o "Dir::Etc::sourceparts=-"
              -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache::archives=$tmp/archives"
              -o "Dir::Cache::pkgcache=$tmp/pkgcache.bin" -o "Dir::Cache::srcpkgcache=$tmp/srcpkgcache.bin"
              -o "APT::Get::List-Cleanup=0")
    say "downloading Compose v2 (Debian trixie's docker-compose package) through a trixie-only sources list"
    apt-get "${apt_opts[@]}" update -q >/dev/null
    (cd "$tmp" && apt-get "${apt_opts[@]}" download docker-compose >/dev/null)
    dpkg-deb -x "$tmp"/docker-compose_*.deb "$tmp/x"
    bin=$(find "$tmp/x" -type f -path '*cli-plugins/docker-compose' | head -1)
    [ -n "$bin" ] || bin=$(find "$tmp/x" -type f -name docker-compose | head -1)
    [ -n "$bin" ] || { say "no docker-compose binary in the package"; exit 1; }
    install -D -m 0755 "$bin" "$PLUGIN_DIR/docker-compose"
fi

if ! engine_ok; then
    say "starting dockerd in the background (log: /var/log/dockerd.log)"
    nohup dockerd --storage-driver=overlay2 >/var/log/dockerd.log 2>&1 &
    for _ in $(seq 60); do engine_ok && break; sleep 1; done
    engine_ok || { say "dockerd did not start; see /var/log/dockerd.log"; tail -20 /var/log/dockerd.log >&2; exit 1; }
fi
compose_ok || { say "Compose v2 still missing"; exit 1; }
say "ready: $(docker version --format 'engine {{.Server.Version}}, client {{.Client.Version}}'), $(docker compose version)"
