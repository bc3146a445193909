#!/usr/bin/env bash
# Query-embedding latency (p50/p99) while a bulk ingest runs with the local model: queries sent as
# passages (no lane, as before) vs the query lane, in one run (issue 8). Usage:
#   bench/run-query-lane-bench.sh [--seconds S] [--queries N] [--passages N] [--think-ms N] [--help]
# Prints a table and writes bench/target/query-lane/query-lane.json. About 3 minutes at the defaults.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/java-env.sh"
OUT="$ROOT/bench/target/query-lane"
mkdir -p "$OUT/tmp"
mvn -B -q -pl bench -am package -DskipTests
"$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  "-Djava.io.tmpdir=$OUT/tmp" -Xms1g -Xmx2g -cp "bench/target/classes:bench/target/lib/*" \
  dev.ragtime.bench.local.QueryLaneBenchmark \
  --corpus "$ROOT/../shared/data/beir/scifact/corpus.jsonl" --out "$OUT" \
  --native-dir "$ROOT/bench/target/issue4/native" "$@"
