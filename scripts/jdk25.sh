# Sourced by the root scripts: points JAVA_HOME at a JDK 25 or stops with a clear message.
# Order: JAVA_HOME when it is a JDK 25, then the Temurin 25 that these machines carry, then any
# JDK 25 under /usr/lib/jvm.
# A candidate is checked by reading its `release` file (JAVA_VERSION="25…", written by every
# OpenJDK build), in the shell itself: starting a JVM just to ask its version cost ~50 ms a call.
# POSIX sh (mvnw runs under /bin/sh with set -euf).
studio_worker_is_jdk25() {
  [ -x "$1/bin/javac" ] && [ -x "$1/bin/java" ] && [ -r "$1/release" ] || return 1
  while IFS= read -r studio_worker_line || [ -n "$studio_worker_line" ]; do
    case "$studio_worker_line" in
      'JAVA_VERSION="25"' | 'JAVA_VERSION="25.'* | 'JAVA_VERSION="25-'*) return 0 ;;
      JAVA_VERSION=*) return 1 ;;
    esac
  done < "$1/release"
  return 1
}
studio_worker_find_jdk25() {
  if [ -n "${JAVA_HOME-}" ] && studio_worker_is_jdk25 "$JAVA_HOME"; then return 0; fi
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 $(find /usr/lib/jvm -maxdepth 1 -name "*25*" 2>/dev/null | sort); do
    if studio_worker_is_jdk25 "$candidate"; then
      JAVA_HOME="$candidate"
      export JAVA_HOME
      return 0
    fi
  done
  echo "studio-worker needs JDK 25: set JAVA_HOME to a JDK 25, or install Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64 (found: ${JAVA_HOME:-no JAVA_HOME})." >&2
  return 1
}
studio_worker_find_jdk25 || exit 1
