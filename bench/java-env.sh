# Sourced by bench/run-*.sh: makes the project root the working directory ($ROOT), finds a JDK 25
# ($JAVA; JAVA_HOME if set) and turns the ONNX Runtime's telemetry off.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
if [ -z "${JAVA_HOME:-}" ]; then
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25*; do
    if [ -x "$d/bin/java" ]; then export JAVA_HOME="$d"; break; fi
  done
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
export ORT_DISABLE_TELEMETRY=1 OPT_OUT_TRACKING=true
