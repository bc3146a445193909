package dev.ragtime.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.springframework.ai.document.DefaultContentFormatter;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.TokenCountBatchingStrategy;
import org.springframework.ai.openai.AbstractOpenAiOptions;
import org.springframework.ai.openai.OpenAiEmbeddingModel;
import org.springframework.ai.openai.OpenAiEmbeddingOptions;

/**
 * Spring AI 2.0's {@link OpenAiEmbeddingModel}, built programmatically (no Spring context needed:
 * the builder sets up the official openai-java client on OkHttp itself), driven the way Spring AI's
 * vector stores drive it when documents are added: {@code embed(documents, options,
 * TokenCountBatchingStrategy)}, which packs documents into batches of at most 8,191 × 0.9 tokens
 * (JTokkit cl100k) and sends them one after another. (The in-memory {@code SimpleVectorStore} would
 * be worse: it embeds one document per request.)
 *
 * <p>Settings are Spring AI's defaults (base URL, API key and model aside): the SDK's retries
 * ({@code maxRetries} 3, honouring {@code Retry-After}), 60 s timeout. One change: each document's
 * content formatter is {@code "{content}"} instead of the default {@code "{metadata_string}\n\n
 * {content}"}, which would send every text with two leading newlines and so a different text from
 * the other contenders.
 */
final class SpringAiContender implements Contender {

  @Override
  public Outcome run(Workload workload, Target target) {
    OpenAiEmbeddingOptions options =
        OpenAiEmbeddingOptions.builder()
            .baseUrl(target.baseUrl().toString())
            .apiKey(target.apiKey())
            .model(Scenario.MODEL)
            .build();
    OpenAiEmbeddingModel model = OpenAiEmbeddingModel.builder().options(options).build();
    Warmup.run(target.baseUrl(), model::embed);
    DefaultContentFormatter plain =
        DefaultContentFormatter.builder().withTextTemplate("{content}").build();
    List<String> texts = workload.texts();
    List<Document> documents = new ArrayList<>(texts.size());
    for (String text : texts) {
      Document document = Document.builder().text(text).build();
      document.setContentFormatter(plain);
      documents.add(document);
    }
    Map<String, float[]> vectors = new HashMap<>();
    String error = "";
    long start = System.nanoTime();
    try {
      List<float[]> result = model.embed(documents, options, new TokenCountBatchingStrategy());
      for (int i = 0; i < texts.size(); i++) {
        vectors.put(texts.get(i), result.get(i));
      }
    } catch (RuntimeException e) {
      error = e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    long end = System.nanoTime();
    return new Outcome(
        vectors,
        end - start,
        OptionalLong.empty(),
        error,
        "TokenCountBatchingStrategy (≤ 7,372 cl100k tokens per batch), batches one after another,"
            + " openai-java maxRetries "
            + AbstractOpenAiOptions.DEFAULT_MAX_RETRIES
            + " (default, honours Retry-After)");
  }
}
