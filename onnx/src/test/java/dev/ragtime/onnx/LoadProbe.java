package dev.ragtime.onnx;

import java.nio.file.Path;
import java.util.List;

/**
 * Loads the model in a fresh JVM, embeds one sentence and exits; {@link NoStrayFilesTest} runs it
 * with its own temporary directory and home to see what a run leaves behind.
 */
final class LoadProbe {

  private LoadProbe() {}

  public static void main(String[] args) {
    try (OnnxEmbeddingModel model =
        OnnxEmbeddingModel.load(OnnxModelConfig.defaults(Path.of(args[0])))) {
      float[] vector = model.embed(List.of("Where do the native libraries go?")).get(0);
      System.out.println("dimension=" + vector.length);
    }
  }
}
