#!/usr/bin/env bash
# Installs the Debian 12 packages the archive builds and runs with, when any
# is missing. Nothing else is downloaded: Bazel builds offline against these.
# Used by tests/run.sh and deploy/local/up.sh; safe to run again.
set -euo pipefail

packages=(
  bazel-bootstrap bazel-platforms bazel-rules-java   # Bazel 4.2.3, offline
  g++ pkg-config
  protobuf-compiler libprotobuf-dev                  # protobuf 3.21
  protobuf-compiler-grpc libgrpc++-dev               # gRPC 1.51
  librocksdb-dev                                     # RocksDB 7.8
  libabsl-dev                                        # abseil 20220623
  libgtest-dev libgmock-dev                          # GoogleTest 1.12
  libicu-dev                                         # normalization, words
  libssl-dev openssl                                 # SHA-256, TLS; certs.sh
  libjemalloc-dev                                    # the servers' allocator
  prometheus-cpp-dev                                 # metrics at /metrics
  zlib1g-dev                                         # gzip of WARC files
  libbrotli-dev                                      # br content coding in crawled responses
  libgumbo-dev                                       # HTML5 parsing of crawled pages
  libcld2-dev                                        # language detection
  wget                                               # a real crawler writing WARC, for tests
  prometheus                                         # promtool and a real server, for tests
  python3 python3-grpcio python3-grpc-tools          # interop test client
  python3-yaml                                       # reading rendered manifests
  libxapian-dev libsqlite3-dev                       # the search benchmark's peers
)

# kubectl renders the Kubernetes manifests (kubectl kustomize) in a test.
# Some machines have one already (Google Cloud SDK's, at /usr/bin/kubectl),
# over which Debian's package cannot unpack: use that one.
command -v kubectl >/dev/null 2>&1 || packages+=(kubernetes-client)
# npm installs the schema check's kubernetes-models from its lock file
# (tests/deploy/validate_k8s_schemas.sh); a machine may have its own Node.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
