#!/usr/bin/env bash
# Builds the Linux x64 distribution of one version (docs/distribution.md):
#   <target>/studio-worker-<version>-linux-x64.tar.gz, .sha256 and .sig
# Usage: package.sh <version> <dist module dir> <target dir> <java home> <signing key file>
#                   [development|release] [trusted public key, base64]
# A release (-Prelease) must trust the given key alone and be signed by its private half: the
# archive is refused if the runtime still trusts the development key, or the signature does not
# verify under the trusted key (docs/update.md).
set -euo pipefail
version="$1"; module="$2"; target="$3"; java_home="$4"; key="$5"; kind="${6:-development}"
trusted="${7:-}"
dev_key="$module/src/test/keys/dev-update-signing.key"
if [ "$kind" = release ]; then
  [ -n "$trusted" ] || { echo "package.sh: a release needs -Dstudio.update.trustedKey=<base64 public key>" >&2; exit 1; }
  if cmp -s "$key" "$dev_key"; then
    echo "package.sh: a release is not signed with the development key; pass -Dstudio.update.signingKey=<release key file>" >&2
    exit 1
  fi
  runtime_jar="$(ls "$target"/lib/worker-runtime-*.jar)"
  keys_dir="$(mktemp -d)"
  (cd "$keys_dir" && "$java_home/bin/jar" xf "$runtime_jar" org/studioworker/runtime/update/trusted-keys.txt)
  if ! grep -qxF "release $trusted" "$keys_dir/org/studioworker/runtime/update/trusted-keys.txt"; then
    rm -rf "$keys_dir"
    echo "package.sh: the runtime jar does not trust the release key; build it in the same run (-am) with -Dstudio.update.trustedKey" >&2
    exit 1
  fi
  rm -rf "$keys_dir"
elif [ "$kind" != development ]; then
  echo "package.sh: unknown build kind $kind" >&2
  exit 2
fi

name="studio-worker-$version"
stage="$target/package/$name"
rm -rf "$target/package"
mkdir -p "$stage/bin" "$stage/lib" "$stage/plugins" "$stage/systemd"

# The JDK modules the worker resolves (checked with --limit-modules and --show-module-resolution):
# java.sql and java.management are read by Logback and Jackson when present; java.desktop is read
# by the onnx plugin (ImageIO's PNG and JPEG readers; +25 MB unpacked, +9 MB in the archive,
# docs/onnx.md); the rest are needed.
# Linked from the installed JDK's own run-time image (JEP 493): this Temurin 25 ships no jmods.
"$java_home/bin/jlink" \
  --add-modules java.base,java.desktop,java.logging,java.management,java.naming,java.net.http,java.security.sasl,java.sql,java.xml,jdk.httpserver,jdk.management,jdk.net,jdk.security.auth,jdk.unsupported \
  --strip-debug --no-man-pages --no-header-files \
  --generate-cds-archive \
  --output "$stage/runtime"

# The application modules: everything the runtime needs, without the reference studio and Jetty,
# which only the demo uses.
for jar in "$target"/lib/*.jar; do
  case "$(basename "$jar")" in
    dev-studio-*|jetty-*) ;;
    *) cp "$jar" "$stage/lib/" ;;
  esac
done

# The plugins the product ships (the onnx engine): loaded from <version>/plugins, beside lib.
cp "$target"/plugins/*.jar "$stage/plugins/"

cp "$module/src/dist/bin/studio-worker" "$stage/bin/studio-worker"
cp "$module/src/dist/install.sh" "$stage/install.sh"
cp "$module/src/dist/systemd/studio-worker.service" "$stage/systemd/studio-worker.service"
cp "$module/src/dist/systemd/studio-worker@.service" "$stage/systemd/studio-worker@.service"
chmod 0755 "$stage/bin/studio-worker" "$stage/install.sh"
echo "$version" > "$stage/VERSION"

archive="$target/$name-linux-x64.tar.gz"
# Links dereferenced (the updater unpacks files and folders only); owner and order fixed.
tar --dereference --hard-dereference --sort=name --owner=0 --group=0 --numeric-owner \
  -C "$target/package" -czf "$archive" "$name"
if [ "$kind" = release ]; then
  "$java_home/bin/java" "$module/src/build/SignBuild.java" "$key" "$archive" "$trusted"
else
  "$java_home/bin/java" "$module/src/build/SignBuild.java" "$key" "$archive"
fi
echo "packaged $archive ($kind build)"
