#!/usr/bin/env bash
# Retrieval and ingestion benchmarks of issue 4. Each step prints its table and writes results
# under bench/target/issue4/. Usage:
#   bench/run-issue4-bench.sh STEP [options of that step's main class, see --help]
# Steps (run `all` for every one, in this order; about 2.5 hours on a quiet 2-core machine):
#   embedding   local embedding throughput: Ragtime's runner and pipeline, LangChain4j, plain ONNX loop
#   vectors     embed 100k Wikipedia paragraphs + 1k held-out queries once (cached, resumable)
#   search      vector search at 100k real and 1M clustered synthetic vectors; hybrid and BM25 latency
#   ingest      end-to-end ingestion of the wiki slice in-process under /usr/bin/time -v, and stages
#   cli-ingest  the same ingestion through ./ragtime ingest under /usr/bin/time -v (fresh RAGTIME_DATA)
#   jmh         JMH micro-benchmarks of the chunker and of reciprocal rank fusion
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/java-env.sh"
OUT="$ROOT/bench/target/issue4"
WIKI="$ROOT/../shared/data/wiki/enwiki-slice.jsonl.gz"
SCIFACT="$ROOT/../shared/data/beir/scifact/corpus.jsonl"
CP="bench/target/classes:bench/target/lib/*"
# What ./ragtime runs with (Lucene's vector code, ONNX natives); telemetry and caches kept inside target/.
FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED "-Djava.io.tmpdir=$OUT/tmp")
export ORT_DISABLE_TELEMETRY=1 OPT_OUT_TRACKING=true DJL_CACHE_DIR="$OUT/tmp/djl"

step=${1:-help}
shift || true
mkdir -p "$OUT/tmp"
build() { mvn -B -q -pl bench -am package -DskipTests; }

case "$step" in
  embedding)
    build
    "$JAVA" "${FLAGS[@]}" -cp "$CP" dev.ragtime.bench.local.LocalEmbeddingBenchmark \
      --corpus "$SCIFACT" "$@" ;;
  vectors)
    build
    "$JAVA" "${FLAGS[@]}" -Xmx4g -cp "$CP" dev.ragtime.bench.vector.VectorData --corpus "$WIKI" "$@" ;;
  search)
    build
    "$JAVA" "${FLAGS[@]}" -Xms8g -Xmx8g -cp "$CP" dev.ragtime.bench.vector.VectorSearchBenchmark "$@" ;;
  ingest)
    build
    # The launcher's JVM flags (-XX:+UseParallelGC, default heap); /usr/bin/time -v adds peak RSS.
    /usr/bin/time -v -o "$OUT/ingest-time.txt" \
      "$JAVA" "${FLAGS[@]}" -XX:+UseParallelGC -cp "$CP" dev.ragtime.bench.ingest.IngestionBenchmark \
      --corpus "$WIKI" "$@"
    grep -E 'Elapsed|Maximum resident|Percent of CPU' "$OUT/ingest-time.txt" ;;
  cli-ingest)
    DATA="$OUT/cli-data"
    rm -rf "$DATA"
    # ./ragtime builds the CLI on first use; build it first so the build is not timed.
    ./ragtime --help >/dev/null
    RAGTIME_DATA="$DATA" /usr/bin/time -v -o "$OUT/cli-ingest-time.txt" \
      ./ragtime ingest "$WIKI" --json | tee "$OUT/cli-ingest.json"
    grep -E 'Elapsed|Maximum resident|Percent of CPU' "$OUT/cli-ingest-time.txt" ;;
  jmh)
    build
    "$JAVA" "${FLAGS[@]}" -cp "$CP" org.openjdk.jmh.Main 'dev\.ragtime\.bench\.micro\..*' \
      -f 1 -wi 3 -i 5 -w 2s -r 2s \
      -jvmArgsAppend "${FLAGS[*]} -Dragtime.bench.corpus=$WIKI -Dragtime.bench.native-dir=$OUT/native" \
      -rf json -rff "$OUT/jmh.json" "$@" ;;
  all)
    "$0" embedding --rounds 5
    "$0" vectors
    "$0" search
    "$0" ingest
    "$0" cli-ingest
    "$0" jmh ;;
  *)
    sed -n '2,13p' "$0"
    exit 2 ;;
esac
