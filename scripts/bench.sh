#!/usr/bin/env bash
# The worker's performance figures next to their floors, one table (docs/performance.md).
# Usage: scripts/bench.sh [runs (5)] [idle seconds (20)]
# Builds the package and the dist test classes (no install), then runs FiguresBenchmark.
# Needs node, curl and openssl on the PATH. Pass -o in MAVEN_ARGS to build offline.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/jdk25.sh
. "$root/scripts/jdk25.sh"
for tool in node curl openssl; do
  command -v "$tool" >/dev/null || { echo "bench.sh needs $tool on the PATH" >&2; exit 1; }
done
# shellcheck disable=SC2086
./mvnw -B -q ${MAVEN_ARGS-} -pl dist -am package -DskipTests \
  dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test.classpath
# The download figure runs the worker's ModelStore in this JVM: give it the HTTP client buffer
# that the worker's Main sets for itself (Main.HTTP_BUFFER_BYTES).
exec "$JAVA_HOME/bin/java" -Djdk.httpclient.bufsize=262144 \
  -cp "dist/target/test-classes:dist/target/classes:$(cat dist/target/test.classpath)" \
  org.studioworker.dist.FiguresBenchmark "$@"
