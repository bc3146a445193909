#!/usr/bin/env bash
# Ingestion through the PostgreSQL queue with 1, 2 and 4 `ragtime worker` processes against the
# provider simulator (issue 10, item 6). Usage:
#   bench/run-worker-bench.sh [--quick] [--docs N] [--workers 1,2,4] [--rounds N] [--latency-ms N]
#                             [--batch N] [--postgres JDBC-URL] [--help]
# Without --postgres (and TEST_POSTGRES_URL) it starts a throwaway PostgreSQL with .ci/postgres.sh.
# --quick = --docs 300 (checks the run; the numbers are not comparable).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/java-env.sh"
OUT="$ROOT/bench/target/workers"
mkdir -p "$OUT/tmp"
ARGS=()
for a in "$@"; do
  if [ "$a" = "--quick" ]; then ARGS+=(--docs 300); else ARGS+=("$a"); fi
done
if [ -z "${TEST_POSTGRES_URL:-}" ] && [[ " ${ARGS[*]} " != *" --postgres "* ]]; then
  source "$ROOT/.ci/postgres.sh"
fi
mvn -B -q -o -pl bench -am package -DskipTests
"$JAVA" "-Djava.io.tmpdir=$OUT/tmp" -Xmx1g -cp "bench/target/classes:bench/target/lib/*" \
  dev.ragtime.bench.store.WorkerBenchmark \
  --dataset "$ROOT/../shared/data/beir/scifact" --work "$OUT" "${ARGS[@]}"
