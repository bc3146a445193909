#!/usr/bin/env bash
# Builds the bench module and runs the embedding-pipeline benchmark (issues 3 and 8): scenarios
# tokens, latency, faults and short-window (a provider enforcing its limits over 0.2 s windows).
# Usage: bench/run-pipeline-bench.sh [PipelineBenchmark options, e.g. --runs 3]; see --help.
# Results: bench/target/pipeline-bench/results.{md,json}; each contender's log in .../logs/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/java-env.sh"
mvn -B -q -pl bench -am package -DskipTests
exec "$JAVA" -cp "bench/target/classes:bench/target/lib/*" \
  dev.ragtime.bench.PipelineBenchmark --corpus "$ROOT/../shared/data/beir/scifact/corpus.jsonl" "$@"
