#!/usr/bin/env bash
# PostgreSQL + pgvector vs the embedded Lucene store on SciFact, in one run (issue 10, item 6):
# ingest rate, search p50/p99 and nDCG@10 per mode, recall@10 of vector search against an exact
# scan, and PostgreSQL's ts_rank_cd beside its BM25. Usage:
#   bench/run-store-bench.sh [--quick] [--docs N] [--queries N] [--passes N] [--postgres JDBC-URL] [--help]
# Without --postgres (and TEST_POSTGRES_URL) it starts a throwaway PostgreSQL with
# .ci/postgres.sh. --quick = --docs 500 --queries 50 --passes 1 (checks the run; numbers are not
# comparable). The first run embeds the corpus with the local model (minutes) and caches the
# vectors in bench/target/store.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/java-env.sh"
OUT="$ROOT/bench/target/store"
mkdir -p "$OUT/tmp"
ARGS=()
for a in "$@"; do
  if [ "$a" = "--quick" ]; then ARGS+=(--docs 500 --queries 50 --passes 1); else ARGS+=("$a"); fi
done
if [ -z "${TEST_POSTGRES_URL:-}" ] && [[ " ${ARGS[*]} " != *" --postgres "* ]]; then
  source "$ROOT/.ci/postgres.sh"
fi
mvn -B -q -o -pl bench -am package -DskipTests
"$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  "-Djava.io.tmpdir=$OUT/tmp" -Xms1g -Xmx2g -cp "bench/target/classes:bench/target/lib/*" \
  dev.ragtime.bench.store.StoreBenchmark \
  --dataset "$ROOT/../shared/data/beir/scifact" --work "$OUT" \
  --native-dir "$ROOT/bench/target/issue4/native" "${ARGS[@]}"
