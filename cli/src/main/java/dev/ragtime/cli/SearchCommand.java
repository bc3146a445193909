package dev.ragtime.cli;

import dev.ragtime.app.Ragtime;
import dev.ragtime.index.Hit;
import dev.ragtime.index.SearchableIndex;
import dev.ragtime.search.SearchMode;
import dev.ragtime.search.SearchRequest;
import dev.ragtime.search.SearchResult;
import dev.ragtime.server.search.SearchResults;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ragtime search QUERY}. */
@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    description = "Search a collection. Words after the options are joined into one query.")
final class SearchCommand implements Callable<Integer> {

  @ParentCommand Main main;

  @Parameters(arity = "1..*", paramLabel = "QUERY", description = "The query text.")
  List<String> words;

  @Option(
      names = {"-c", "--collection"},
      defaultValue = "default",
      description = "Collection to search (default: ${DEFAULT-VALUE}).")
  String collection;

  @Option(
      names = "-k",
      defaultValue = "10",
      description = "Number of hits (default: ${DEFAULT-VALUE}, at most 1000).")
  int k;

  @Option(
      names = {"-m", "--mode"},
      defaultValue = "hybrid",
      description = "hybrid (default), bm25 or vector.")
  String mode;

  @Option(
      names = {"-f", "--filter"},
      paramLabel = "KEY=VALUE",
      description = "Only chunks whose metadata KEY equals VALUE; repeatable (all must hold).")
  Map<String, String> filters = new LinkedHashMap<>();

  @Option(names = "--json", description = "Print one JSON object on stdout.")
  boolean json;

  @Override
  public Integer call() {
    var request = new SearchRequest(String.join(" ", words), k, SearchMode.parse(mode), filters);
    try (Ragtime rt = main.ragtime()) {
      // Read-only: no lock, so searching works while another process ingests into the collection.
      try (SearchableIndex index = rt.collections().openReadOnly(collection)) {
        if (request.mode() != SearchMode.BM25) {
          rt.loadModel(); // so tookMs is the search's own time, not the model's load time
        }
        SearchResult result = rt.searcher(index).search(request);
        if (json) {
          main.out.println(Json.write(SearchResults.toJson(result)));
        } else {
          printHuman(result);
        }
      }
    }
    return 0;
  }

  private void printHuman(SearchResult result) {
    var out = main.out;
    if (result.hits().isEmpty()) {
      out.println("no hits");
    }
    int rank = 1;
    for (Hit h : result.hits()) {
      String heading = h.metadata().getOrDefault("heading", "");
      out.printf(
          Locale.ROOT,
          "%2d. %s  (score %.4f)%s%n",
          rank++,
          h.docId(),
          h.score(),
          heading.isBlank() ? "" : "  " + heading);
      out.println("    " + snippet(h.text(), 240));
    }
    out.printf(
        Locale.ROOT,
        "%d hits in %.1f ms (%s)%n",
        result.hits().size(),
        result.tookMicros() / 1000.0,
        result.mode().label());
  }

  static String snippet(String text, int max) {
    String flat = text.replaceAll("\\s+", " ").trim();
    return flat.length() <= max ? flat : flat.substring(0, max - 1) + "…";
  }
}
