#!/usr/bin/env bash
# Query-embedding latency (p50/p99) while a bulk ingest runs with the local model: queries sent as
# passages (no lane, as before) vs the query lane, in one run (issue 8). Usage:
#   bench/run-query-lane-bench.sh [--seconds S] [--queries N] [--passages N] [--think-ms N] [--help]
# Prints a table and writes bench/target/query-lane/query-lane.json. About 3 minutes at the defaults.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
if [ -z "${JAVA_HOME:-}" ]; then
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25*; do
    if [ -x "$d/bin/java" ]; then export JAVA_HOME="$d"; break; fi
  done
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
OUT="$ROOT/bench/target/query-lane"
mkdir -p "$OUT/tmp"
export ORT_DISABLE_TELEMETRY=1 OPT_OUT_TRACKING=true
mvn -B -q -pl bench -am package -DskipTests
"$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  "-Djava.io.tmpdir=$OUT/tmp" -Xms1g -Xmx2g -cp "bench/target/classes:bench/target/lib/*" \
  dev.ragtime.bench.local.QueryLaneBenchmark \
  --corpus "$ROOT/../shared/data/beir/scifact/corpus.jsonl" --out "$OUT" \
  --native-dir "$ROOT/bench/target/issue4/native" "$@"
