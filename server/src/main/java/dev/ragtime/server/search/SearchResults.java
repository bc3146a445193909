package dev.ragtime.server.search;

import dev.ragtime.index.Hit;
import dev.ragtime.search.SearchResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one JSON shape of a search result, shared by {@code ragtime search --json} and {@code POST
 * /v1/collections/{name}/search}: {@code {"hits":[{"docId","chunkId","score","text","metadata"}],
 * "mode","tookMs"}}, metadata keys sorted. Pure.
 */
public final class SearchResults {
  private SearchResults() {}

  /** The result as maps and lists, ready for any JSON writer. */
  public static Map<String, Object> toJson(SearchResult result) {
    List<Map<String, Object>> hits = new ArrayList<>();
    for (Hit h : result.hits()) {
      var m = new LinkedHashMap<String, Object>();
      m.put("docId", h.docId());
      m.put("chunkId", h.chunkId());
      m.put("score", h.score());
      m.put("text", h.text());
      m.put("metadata", new TreeMap<>(h.metadata()));
      hits.add(m);
    }
    var out = new LinkedHashMap<String, Object>();
    out.put("hits", hits);
    out.put("mode", result.mode().label());
    out.put("tookMs", result.tookMicros() / 1000.0);
    return out;
  }
}
