#!/usr/bin/env bash
# Checks the NVML binding (gpu-ffm) on a machine with an NVIDIA GPU.
#
# Builds gpu-ffm, a jlink runtime with the JDK modules it needs (java.base) and puts both under
# .gpu-check/ (ignored by git); then prints the inventory as JSON next to
#   nvidia-smi --query-gpu=name,uuid,memory.total,memory.used,memory.free,driver_version --format=csv
# and the mean latency of one memory read over 10 000 calls.
#
# Exit status: 0 the numbers agree; 1 total or free memory differ by more than 1 % of the GPU's
# total; 2 the check cannot run here (no nvidia-smi, no NVML GPU, build failure).
#
# Usage: scripts/gpu-check.sh [--smi-csv FILE] [--calls N]
#   --smi-csv FILE  compare with saved nvidia-smi output instead of running nvidia-smi
#   --calls N       memory reads to time (default 10000)
# STUDIO_WORKER_NVML_LIB names the library when it is not where the loader looks.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

smi_csv_given=0
for arg in "$@"; do
  if [ "$arg" = "--smi-csv" ]; then smi_csv_given=1; fi
done
if [ "$smi_csv_given" = 0 ] && ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-check: nvidia-smi not found on the PATH. This check needs a machine with an NVIDIA GPU and its driver (or --smi-csv FILE with saved nvidia-smi output)." >&2
  exit 2
fi

. "$root/scripts/jdk25.sh" || exit 2

out="$root/.gpu-check"
mkdir -p "$out"
echo "gpu-check: building gpu-ffm" >&2
if ! ./mvnw -B -q -pl gpu-ffm package -DskipTests >"$out/build.log" 2>&1; then
  cat "$out/build.log" >&2
  echo "gpu-check: the build failed (log: $out/build.log)" >&2
  exit 2
fi

jar="$(ls gpu-ffm/target/gpu-ffm-*.jar | grep -v -e '-sources' -e '-tests' | head -n 1)"
modules="$("$JAVA_HOME/bin/jdeps" --print-module-deps --ignore-missing-deps "$jar")"
rm -rf "$out/runtime" "$out/lib"
mkdir -p "$out/lib"
cp "$jar" "$out/lib/gpu-ffm.jar"
echo "gpu-check: jlink runtime with $modules" >&2
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --output "$out/runtime"

exec "$out/runtime/bin/java" --enable-native-access=org.studioworker.gpu \
  --module-path "$out/lib" --module org.studioworker.gpu/org.studioworker.gpu.GpuCheck "$@"
