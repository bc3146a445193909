package dev.ragtime.eval;

import dev.ragtime.index.Hit;
import dev.ragtime.search.DocumentHit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Small pure helpers for document rankings. */
final class DocumentLists {
  private DocumentLists() {}

  /** Document ids of chunk hits in order, each document once (at its best chunk). */
  static List<String> distinctDocuments(List<Hit> hits) {
    List<String> ids = new ArrayList<>(hits.size());
    Set<String> seen = new HashSet<>();
    for (Hit h : hits) {
      if (seen.add(h.docId())) {
        ids.add(h.docId());
      }
    }
    return ids;
  }

  /** Document ids of document hits in order. */
  static List<String> ids(List<DocumentHit> hits) {
    List<String> ids = new ArrayList<>(hits.size());
    for (DocumentHit h : hits) {
      ids.add(h.docId());
    }
    return ids;
  }
}
