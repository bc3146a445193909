package dev.ragtime.ingest;

import java.util.List;

/**
 * The outcome of walking the ingested paths before ingestion.
 *
 * @param documents supported files, in walk order
 * @param failures paths that could not be walked or read (count as failed documents)
 * @param skipped files of unsupported types, with the reason (not failures)
 */
public record SourceScan(
    List<SourceDocument> documents,
    List<IngestReport.Failure> failures,
    List<IngestReport.Failure> skipped) {
  public SourceScan {
    documents = List.copyOf(documents);
    failures = List.copyOf(failures);
    skipped = List.copyOf(skipped);
  }

  public static SourceScan empty() {
    return new SourceScan(List.of(), List.of(), List.of());
  }
}
