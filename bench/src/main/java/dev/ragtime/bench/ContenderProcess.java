package dev.ragtime.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtime.simulator.Faults;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs one contender in a JVM of its own, against a simulator another process started, and writes
 * its {@link ContenderReport} as JSON. Started by {@link PipelineBenchmark}; not meant to be run by
 * hand.
 *
 * <p>Arguments (all required): {@code --contender LABEL --base-url URL --api-key KEY --rpm N --tpm
 * N --concurrency N --max-batch N --documents-in-flight N --workload FILE --result FILE}.
 */
public final class ContenderProcess {
  private ContenderProcess() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Map<String, String> a = parse(args);
    ObjectMapper json = new ObjectMapper();
    Contender.Kind kind = Contender.Kind.parse(a.get("--contender"));
    Scenario scenario =
        new Scenario(
            "child",
            "limits as the parent's scenario",
            Integer.parseInt(a.get("--rpm")),
            Long.parseLong(a.get("--tpm")),
            Integer.parseInt(a.get("--concurrency")),
            Duration.ofMillis(1),
            Duration.ZERO,
            Integer.parseInt(a.get("--max-batch")),
            Faults.NONE);
    Contender.Target target =
        new Contender.Target(
            URI.create(a.get("--base-url")),
            a.get("--api-key"),
            scenario,
            Integer.parseInt(a.get("--documents-in-flight")));
    Workload workload = Workload.read(Path.of(a.get("--workload")), json);
    Contender.Outcome outcome = kind.create().run(workload, target);
    json.writeValue(
        Path.of(a.get("--result")).toFile(), ContenderReport.of(kind, workload, outcome));
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      out.put(args[i], args[i + 1]);
    }
    for (String required :
        new String[] {
          "--contender",
          "--base-url",
          "--api-key",
          "--rpm",
          "--tpm",
          "--concurrency",
          "--max-batch",
          "--documents-in-flight",
          "--workload",
          "--result"
        }) {
      if (!out.containsKey(required)) {
        throw new IllegalArgumentException("missing argument " + required);
      }
    }
    return out;
  }
}
