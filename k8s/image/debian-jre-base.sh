#!/usr/bin/env bash
# Builds the image's base offline-friendly, from Debian's own packages only: Debian 12 (bookworm) with
# openjdk-17-jre-headless and Java's CA certificates, as a docker-save tar that Jib reads with a tar:// base
# (pom.xml, profile "image"). For machines that reach Debian's mirrors but no container registry.
# Needs root and mmdebstrap (apt-get install mmdebstrap). Takes a few minutes; the result is ~200 MB.
#   k8s/image/debian-jre-base.sh [output.tar]      (default: target/image-base/debian12-jre17.tar)
# A team with a registry skips this and passes -Dimage.base=eclipse-temurin:17-jre (or its own mirror).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-target/image-base/debian12-jre17.tar}
mkdir -p "$(dirname "$out")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mmdebstrap --mode=root --variant=apt \
  --include=openjdk-17-jre-headless,ca-certificates-java \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --customize-hook='chroot "$1" apt-get clean' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  bookworm "$work/rootfs.tar" \
  "deb http://deb.debian.org/debian bookworm main" \
  "deb http://deb.debian.org/debian-security bookworm-security main"

# docker-save layout: one layer (the root filesystem), its config and the manifest
layer_digest=$(sha256sum "$work/rootfs.tar" | cut -d' ' -f1)
mkdir -p "$work/image/$layer_digest"
mv "$work/rootfs.tar" "$work/image/$layer_digest/layer.tar"
cat > "$work/image/config.json" <<JSON
{"architecture":"amd64","os":"linux",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$layer_digest"]},
 "history":[{"created_by":"k8s/image/debian-jre-base.sh: mmdebstrap bookworm + openjdk-17-jre-headless"}]}
JSON
config_digest=$(sha256sum "$work/image/config.json" | cut -d' ' -f1)
mv "$work/image/config.json" "$work/image/$config_digest.json"
cat > "$work/image/manifest.json" <<JSON
[{"Config":"$config_digest.json","RepoTags":["wxgate-base/debian12-jre17:local"],"Layers":["$layer_digest/layer.tar"]}]
JSON
# entries named without a leading "./": Jib refuses to unpack a "./" entry
tar -C "$work/image" -cf "$out" manifest.json "$config_digest.json" "$layer_digest/layer.tar"
echo "$out"
