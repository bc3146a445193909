package dev.ragtime.cli;

import dev.ragtime.app.Ragtime;
import dev.ragtime.index.Index;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ragtime delete DOC_ID…}. */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    description =
        "Delete documents (all their chunks) by id; ids are paths relative to the ingested"
            + " folder, as shown by search.")
final class DeleteCommand implements Callable<Integer> {

  @ParentCommand Main main;

  @Parameters(arity = "1..*", paramLabel = "DOC_ID", description = "Document ids to delete.")
  List<String> ids;

  @Option(
      names = {"-c", "--collection"},
      defaultValue = "default",
      description = "Collection (default: ${DEFAULT-VALUE}).")
  String collection;

  @Option(names = "--json", description = "Print one JSON object on stdout.")
  boolean json;

  @Override
  public Integer call() {
    Set<String> wanted = new LinkedHashSet<>(ids);
    Set<String> deleted;
    try (Ragtime rt = main.ragtime();
        Index index = rt.collections().openExisting(collection)) {
      deleted = index.delete(wanted);
    }
    var missing = new TreeSet<>(wanted);
    missing.removeAll(deleted);
    if (json) {
      var m = new LinkedHashMap<String, Object>();
      m.put("deleted", new TreeSet<>(deleted));
      m.put("notFound", missing);
      main.out.println(Json.write(m));
    } else {
      for (String id : new TreeSet<>(deleted)) {
        main.out.println("deleted " + id);
      }
    }
    if (!missing.isEmpty()) {
      main.err.println(
          "ragtime: not found in collection '"
              + collection
              + "': "
              + String.join(", ", missing)
              + " (see ids with 'ragtime search')");
      return 1;
    }
    return 0;
  }
}
