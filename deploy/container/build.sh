#!/usr/bin/env bash
# Builds the archive's image, news-archive:latest, with buildah.
#
# Usage: deploy/container/build.sh [--base=IMAGE]
#   --base=IMAGE  the Debian 12 base (default debian:12-slim). Where no
#                 registry is reachable, --base=local makes one from
#                 Debian's mirror with debootstrap (minbase variant, as
#                 -slim is) and imports it as news-archive-base:12.
set -euo pipefail
cd "$(dirname "$0")/../.."
base=debian:12-slim
for arg in "$@"; do
  case "$arg" in
    --base=*) base=${arg#--base=} ;;
    *) echo "build.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done
deploy/install_deps.sh
# What only image builds need, installed here rather than for every build.
missing=()
command -v buildah >/dev/null || missing+=(buildah)
[ "$base" = local ] && ! command -v debootstrap >/dev/null && missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  echo "build.sh: installing ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2
fi

bazel build --disk_cache="$HOME/.cache/news-archive/bazel-disk" \
  //store:store_server //ingest:ingest_server //query:query_server //cli:archivectl
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
mkdir -p "$context/bin"
for binary in store/store_server ingest/ingest_server query/query_server cli/archivectl; do
  install -m 755 "bazel-bin/$binary" "$context/bin/"
done
cp deploy/container/Dockerfile "$context/"

if [ "$base" = local ]; then
  container=$(buildah from scratch)
  root=$(buildah mount "$container")
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >&2
  rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/archives/"*.deb
  buildah umount "$container" >/dev/null
  buildah commit --rm "$container" news-archive-base:12 >/dev/null
  base=localhost/news-archive-base:12
fi
# chroot isolation: RUN steps need no cgroups or OCI runtime, which some
# machines (containers themselves) cannot give.
buildah build --isolation=chroot --build-arg BASE="$base" -t news-archive:latest "$context"

# A smoke test that needs no container runtime either: in the image's own
# root, as its user, every binary finds its libraries and starts.
container=$(buildah from localhost/news-archive:latest)
root=$(buildah mount "$container")
status=0
run() { chroot --userspec=10001:10001 "$root" "$@" >/dev/null 2>&1; }
for binary in store_server ingest_server query_server archivectl; do
  if chroot "$root" ldd "/usr/local/bin/$binary" | grep -q "not found"; then
    echo "build.sh: $binary lacks a library in the image" >&2
    status=1
  fi
done
for server in store_server ingest_server query_server; do
  run "/usr/local/bin/$server" --version || { echo "build.sh: $server does not start" >&2; status=1; }
done
run /usr/local/bin/archivectl help || { echo "build.sh: archivectl does not start" >&2; status=1; }
buildah umount "$container" >/dev/null
buildah rm "$container" >/dev/null
[ "$status" -eq 0 ] && echo "news-archive:latest built; every binary starts in it"
exit "$status"
