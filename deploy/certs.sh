#!/usr/bin/env bash
# Makes a certificate authority and certificates for the archive's servers
# and clients with openssl, and optionally tokens with their roles.
#
# Usage: deploy/certs.sh --out=DIR [--days=N] [--tokens] NAME[:SAN,...]...
#   --out=DIR   where to write (created): ca.pem and ca-key.pem (kept and
#               reused when present, so certificates can be added or renewed
#               later), then NAME.pem and NAME-key.pem for each NAME
#   --days=N    validity of the new certificates (default 365)
#   --tokens    also tokens/ROLE (one random token each: crawler, reader,
#               admin, service; mode 600) and auth_tokens, the file of their
#               hashes for the servers' --auth_tokens
#   NAME        the certificate's common name, also its first DNS name; the
#               SANs after ":" are added (DNS names, or IP:ADDRESS), such as
#               store-0:store-0.store.archive.svc,IP:127.0.0.1
#
# A certificate's common name is what a tokens file's "cn:NAME" line names:
# with mutual TLS, the stores trust ingest and query by theirs.
#
# Local:   deploy/certs.sh --out=var/tls --tokens localhost:IP:127.0.0.1 ingest query
# Cluster: deploy/certs.sh --out=certs store-0:store-0.store.archive.svc ...
set -euo pipefail

out=
days=365
tokens=0
names=()
for arg in "$@"; do
  case "$arg" in
    --out=*) out=${arg#--out=} ;;
    --days=*) days=${arg#--days=} ;;
    --tokens) tokens=1 ;;
    -h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "certs.sh: unknown option $arg" >&2; exit 2 ;;
    *) names+=("$arg") ;;
  esac
done
if [ -z "$out" ] || ! [[ "$days" =~ ^[1-9][0-9]*$ ]]; then
  echo "certs.sh: give --out=DIR (and --days a positive number); see --help" >&2
  exit 2
fi
command -v openssl >/dev/null || { echo "certs.sh: openssl is not installed" >&2; exit 2; }

mkdir -p "$out"
umask 077
if [ ! -f "$out/ca.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -subj "/CN=news archive CA" -keyout "$out/ca-key.pem" -out "$out/ca.pem" 2>/dev/null
  echo "certs.sh: new CA $out/ca.pem" >&2
fi

for spec in "${names[@]}"; do
  name=${spec%%:*}
  sans="DNS:$name"
  if [[ "$spec" == *:* ]]; then
    IFS=',' read -ra extra <<<"${spec#*:}"
    for san in "${extra[@]}"; do
      case "$san" in
        IP:*|DNS:*) sans+=",$san" ;;
        *) sans+=",DNS:$san" ;;
      esac
    done
  fi
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=$name" \
    -keyout "$out/$name-key.pem" -out "$out/$name.csr" 2>/dev/null
  openssl x509 -req -sha256 -days "$days" -in "$out/$name.csr" \
    -CA "$out/ca.pem" -CAkey "$out/ca-key.pem" -CAcreateserial \
    -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$sans") \
    -out "$out/$name.pem" 2>/dev/null
  rm -f "$out/$name.csr"
  echo "certs.sh: $out/$name.pem ($sans, $days days)" >&2
done

if [ "$tokens" -eq 1 ]; then
  mkdir -p "$out/tokens"
  : >"$out/auth_tokens"
  for role in crawler reader admin service; do
    if [ ! -f "$out/tokens/$role" ]; then
      openssl rand -hex 32 >"$out/tokens/$role"
    fi
    printf '%s sha256:%s\n' "$role" \
      "$(tr -d '\n' <"$out/tokens/$role" | sha256sum | cut -d' ' -f1)" >>"$out/auth_tokens"
  done
  echo "certs.sh: tokens in $out/tokens/, their hashes in $out/auth_tokens" >&2
fi
