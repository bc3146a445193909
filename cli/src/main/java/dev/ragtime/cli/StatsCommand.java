package dev.ragtime.cli;

import dev.ragtime.app.Ragtime;
import dev.ragtime.embed.ModelInfo;
import dev.ragtime.index.IndexStats;
import dev.ragtime.postgres.PgSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code ragtime stats}. */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = "Show collections with their document and chunk counts and embedding model.")
final class StatsCommand implements Callable<Integer> {

  @ParentCommand Main main;

  @Option(names = "--json", description = "Print one JSON object on stdout.")
  boolean json;

  @Override
  public Integer call() {
    try (Ragtime rt = main.ragtime()) {
      var collections = new ArrayList<Map<String, Object>>();
      for (String name : rt.collections().names()) {
        IndexStats s = rt.collections().stats(name);
        ModelInfo model = rt.collections().recordedModel(name).orElse(null);
        var m = new LinkedHashMap<String, Object>();
        m.put("name", name);
        m.put("documents", s.documents());
        m.put("chunks", s.chunks());
        m.put("model", model == null ? null : model.id());
        m.put("dimension", model == null ? null : model.dimension());
        // Quantisation and prefixes: "" for a model without variant.
        m.put("variant", model == null ? null : model.variant());
        collections.add(m);
      }
      if (json) {
        var out = new LinkedHashMap<String, Object>();
        out.put("dataDir", rt.config().dataDir().toAbsolutePath().toString());
        // The PostgreSQL store's JDBC URL (never a password), or null for the Lucene data dir.
        out.put("store", rt.config().store().map(PgSettings::jdbcUrl).orElse(null));
        out.put("model", rt.modelId());
        out.put("collections", collections);
        main.out.println(Json.write(out));
      } else {
        main.out.println(
            rt.config()
                .store()
                .map(pg -> "store: " + pg.jdbcUrl() + " as " + pg.user())
                .orElseGet(() -> "data: " + rt.config().dataDir().toAbsolutePath()));
        main.out.println(
            "configured model: "
                + rt.modelId()
                + (rt.config().localEmbedding()
                    ? " (local.model " + rt.config().local().model().settingName() + ")"
                    : ""));
        if (collections.isEmpty()) {
          main.out.println("no collections yet; add documents with 'ragtime ingest PATH'");
        }
        for (var c : collections) {
          main.out.printf(
              Locale.ROOT,
              "%-20s %8d documents %9d chunks  %s%s (%s dims)%n",
              c.get("name"),
              (Long) c.get("documents"),
              (Long) c.get("chunks"),
              c.get("model"),
              c.get("variant") == null || "".equals(c.get("variant"))
                  ? ""
                  : " [" + c.get("variant") + "]",
              c.get("dimension"));
        }
      }
    }
    return 0;
  }
}
