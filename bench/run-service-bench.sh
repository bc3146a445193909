#!/usr/bin/env bash
# Load and soak of the service (issue 9, item 7): hybrid search of SciFact over HTTP at 64 clients
# next to the same searches in-process, the same while documents are posted, and the embeddings
# gateway against a rate-limited simulated provider. Usage:
#   bench/run-service-bench.sh [--quick] [--phases search,soak,gateway] [--help] ...
# The first full run indexes all 5,183 SciFact abstracts (about 5 minutes on 2 cores) into
# bench/target/service-bench/data and keeps them; later runs reuse the index. --quick indexes 300
# documents and measures briefly (under 3 minutes). Results: bench/target/service-bench/results.json.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/java-env.sh"
OUT="$ROOT/bench/target/service-bench"
mkdir -p "$OUT/tmp"
if [ "${SKIP_BUILD:-}" != 1 ]; then
  mvn -B -q -o -pl bench -am package -DskipTests
fi
"$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  "-Djava.io.tmpdir=$OUT/tmp" -Xms1g -Xmx2g -cp "bench/target/classes:bench/target/lib/*" \
  dev.ragtime.bench.service.ServiceBenchmark \
  --dataset "$ROOT/../shared/data/beir/scifact" --work "$OUT" \
  --native-dir "$ROOT/bench/target/issue4/native" "$@"
