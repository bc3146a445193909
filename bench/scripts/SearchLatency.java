// Search latency as a user of `ragtime search` sees it in-process: embed the query (local model,
// already loaded) and search one collection, for every test query of a BEIR dataset, per mode.
// Run from the project root after `./ragtime ingest ../shared/data/beir/scifact/corpus.jsonl`:
//
//   java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
//     -cp "cli/target/ragtime-cli.jar:cli/target/lib/*" bench/scripts/SearchLatency.java \
//     DATA_DIR COLLECTION ../shared/data/beir/scifact [ROUNDS]
//
// Prints p50/p90/p99/max per mode over all queries of the test split (after one warm-up round).
// The embedding cache is off, so vector and hybrid times include embedding the query.
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtime.app.Ragtime;
import dev.ragtime.app.RagtimeConfig;
import dev.ragtime.config.Settings;
import dev.ragtime.search.SearchMode;
import dev.ragtime.search.SearchRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

public class SearchLatency {
  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    String collection = args[1];
    Path dataset = Path.of(args[2]);
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    var testIds = new HashSet<String>();
    for (String line : Files.readAllLines(dataset.resolve("qrels/test.tsv"))) {
      String[] f = line.strip().split("\t");
      if (f.length >= 3 && !f[0].equals("query-id")) {
        testIds.add(f[0]);
      }
    }
    var mapper = new ObjectMapper();
    var queries = new ArrayList<String>();
    for (String line : Files.readAllLines(dataset.resolve("queries.jsonl"))) {
      var node = mapper.readTree(line);
      if (testIds.contains(node.get("_id").asText())) {
        queries.add(node.get("text").asText());
      }
    }
    // No embedding cache: every search embeds its query, as a first-time query would.
    var config =
        RagtimeConfig.from(
            Settings.of(
                Map.of("embedding.cache-memory-bytes", "0", "embedding.cache-persistent", "false")),
            Optional.of(data),
            System.getenv());
    try (var rt = Ragtime.create(config);
        var index = rt.collections().openReadOnly(collection)) {
      rt.loadModel();
      var searcher = rt.searcher(index);
      System.out.printf(Locale.ROOT, "%d queries, %d rounds, collection %s (%d chunks)%n",
          queries.size(), rounds, collection, rt.collections().stats(collection).chunks());
      for (SearchMode mode : SearchMode.values()) {
        for (String q : queries) { // warm-up
          searcher.search(new SearchRequest(q, 10, mode, Map.of()));
        }
        var micros = new ArrayList<Long>();
        for (int r = 0; r < rounds; r++) {
          for (String q : queries) {
            long t = System.nanoTime();
            searcher.search(new SearchRequest(q, 10, mode, Map.of()));
            micros.add((System.nanoTime() - t) / 1000);
          }
        }
        long[] s = micros.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "%-7s p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  max %6.2f ms%n",
            mode.label(), s[s.length / 2] / 1000.0, s[(int) (s.length * 0.9)] / 1000.0,
            s[(int) (s.length * 0.99)] / 1000.0, s[s.length - 1] / 1000.0);
      }
    }
  }
}
