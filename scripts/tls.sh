#!/usr/bin/env bash
# scripts/tls.sh DIR — makes (once) and reuses a self-signed certificate for the gateway's HTTPS.
#
# Writes into DIR, all readable by the owner only:
#   gateway.p12   PKCS12 keystore (alias stoke): EC P-256 key, SAN localhost and 127.0.0.1
#   password      the keystore's password (random)
#   gateway.crt   the certificate in PEM, for clients: curl --cacert DIR/gateway.crt
# and prints the certificate's SHA-256 fingerprint on stdout. An existing keystore is kept, so
# clients that trust it keep working across restarts; delete DIR to get a new one.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

dir="${1:?usage: scripts/tls.sh DIR}"
require_java
mkdir -p "$dir"
chmod 700 "$dir"
keystore="$dir/gateway.p12"

if [[ ! -s "$keystore" || ! -s "$dir/password" ]]; then
  rm -f "$keystore" "$dir/gateway.crt"
  (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$dir/password")
  "$JAVA_HOME/bin/keytool" -genkeypair -alias stoke -keyalg EC -groupname secp256r1 \
    -sigalg SHA256withECDSA -validity 825 -dname "CN=localhost, O=Stoke (self-signed)" \
    -ext "SAN=dns:localhost,ip:127.0.0.1" -storetype PKCS12 -keystore "$keystore" \
    -storepass:file "$dir/password" >/dev/null 2>&1 || die "keytool could not create $keystore"
  chmod 600 "$keystore"
fi
if [[ ! -s "$dir/gateway.crt" ]]; then
  "$JAVA_HOME/bin/keytool" -exportcert -rfc -alias stoke -keystore "$keystore" \
    -storepass:file "$dir/password" -file "$dir/gateway.crt" >/dev/null 2>&1 \
    || die "keytool could not export the certificate of $keystore"
fi
"$JAVA_HOME/bin/keytool" -list -v -alias stoke -keystore "$keystore" -storepass:file "$dir/password" \
  | sed -n 's/^[[:space:]]*SHA256: *//p' | head -n 1
