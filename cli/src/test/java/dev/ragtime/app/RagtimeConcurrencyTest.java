package dev.ragtime.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.config.Settings;
import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.embed.ModelInfo;
import dev.ragtime.simulator.ProviderSimulator;
import dev.ragtime.simulator.SimulatorConfig;
import dev.ragtime.testing.Monitors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The composition root builds its lazy parts once however many virtual threads ask at the same
 * time, and neither it, the CLI nor the ONNX module holds a monitor ({@code synchronized}) around
 * blocking work, which would pin carriers on JDK 21.
 */
class RagtimeConcurrencyTest {
  private static final int CALLERS = 16;

  @TempDir Path tmp;

  @Test
  void concurrentFirstUseBuildsOnePipelineAndProbesTheProviderOnce() throws Exception {
    var config = SimulatorConfig.builder().model("sim-embed").dimension(24).build();
    try (ProviderSimulator sim = ProviderSimulator.start(config)) {
      var settings =
          Settings.of(
              Map.of(
                  "embedding.provider", "openai",
                  "embedding.base-url", sim.baseUri() + "/v1",
                  "embedding.model", "sim-embed"));
      var rc = RagtimeConfig.from(settings, Optional.of(tmp.resolve("data")), Map.of());
      Set<EmbeddingModel> models = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
      List<ModelInfo> infos = new ArrayList<>();
      try (Ragtime rt = Ragtime.create(rc);
          var executor = Executors.newVirtualThreadPerTaskExecutor()) {
        var start = new CountDownLatch(1);
        List<Future<EmbeddingModel>> modelCalls = new ArrayList<>();
        List<Future<ModelInfo>> infoCalls = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
          modelCalls.add(
              executor.submit(
                  () -> {
                    start.await();
                    return rt.model();
                  }));
          infoCalls.add(
              executor.submit(
                  () -> {
                    start.await();
                    return rt.modelInfo();
                  }));
        }
        start.countDown();
        for (int i = 0; i < CALLERS; i++) {
          models.add(modelCalls.get(i).get());
          infos.add(infoCalls.get(i).get());
        }
      }
      assertThat(models).as("pipelines built").hasSize(1);
      assertThat(infos).allSatisfy(info -> assertThat(info.dimension()).isEqualTo(24));
      assertThat(sim.counters().requestsReceived()).as("dimension probes").isEqualTo(1);
    }
  }

  @Test
  void cliAndOnnxHoldNoMonitors() throws IOException {
    List<String> found = new ArrayList<>();
    found.addAll(Monitors.in(Path.of("src", "main", "java")));
    found.addAll(Monitors.in(Path.of("..", "onnx", "src", "main", "java")));
    assertThat(found).isEmpty();
  }
}
