package dev.ragtime.index;

import dev.ragtime.embed.ModelInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.IntField;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;

/**
 * The Lucene document layout of a chunk, and the commit user data that records the embedding model.
 * Pure: no I/O.
 *
 * <p>One Lucene document per chunk; the chunks of one Ragtime document are written as one block
 * with {@link IndexWriter#updateDocuments(Term, Iterable)} so that replacement is atomic. The first
 * chunk of a block is the <em>head</em>: it alone carries the content hash and the {@link #HEAD}
 * marker, so counting documents and looking up a content hash touch one Lucene document per Ragtime
 * document.
 *
 * <p>Vectors use {@link VectorSimilarityFunction#DOT_PRODUCT}: every vector is L2-normalised (the
 * {@code EmbeddingModel} contract, checked on write and on query), so the dot product equals the
 * cosine similarity, and Lucene skips the two norm computations that {@code COSINE} does per
 * comparison. Lucene scores a dot product {@code d} as {@code (1 + d) / 2}; hits report {@code d}.
 *
 * <p>The document and chunk ids are also kept as sorted doc values ({@link #DOC_ID_VALUES}, {@link
 * #CHUNK_ID_VALUES}), so that ranked candidates can be identified, fused and grouped by document
 * without decompressing stored fields; only the final hits load them. They live in fields of their
 * own because Lucene refuses doc values on a field that earlier documents of the index have without
 * them. Chunks written before they existed have none, and readers fall back to the stored ids.
 */
final class LuceneSchema {
  static final String DOC_ID = "doc_id";
  static final String CHUNK_ID = "chunk_id";
  static final String POSITION = "position";
  static final String HEAD = "head";
  static final String CONTENT_HASH = "content_hash";
  static final String TEXT = "text";
  static final String VECTOR = "vector";
  static final String DOC_ID_VALUES = "doc_id_values";
  static final String CHUNK_ID_VALUES = "chunk_id_values";

  /** Metadata key {@code k} is stored and indexed (exact match) in field {@code meta.k}. */
  static final String META_PREFIX = "meta.";

  static final VectorSimilarityFunction SIMILARITY = VectorSimilarityFunction.DOT_PRODUCT;

  static final String USER_DATA_SCHEMA = "ragtime.schema";
  static final String USER_DATA_MODEL_ID = "ragtime.model.id";
  static final String USER_DATA_MODEL_DIMENSION = "ragtime.model.dimension";
  static final String USER_DATA_MODEL_MAX_TOKENS = "ragtime.model.maxTokens";

  /** Recorded only for a model with a variant; indexes without it have the empty variant. */
  static final String USER_DATA_MODEL_VARIANT = "ragtime.model.variant";

  /**
   * A random id given to an index when it is created, so a reader can tell a later commit of its
   * index from a new index built in the same place. Indexes created before it existed have none.
   */
  static final String USER_DATA_INDEX_ID = "ragtime.index.id";

  static final String SCHEMA_VERSION = "1";

  private static final Term HEAD_TERM = new Term(HEAD, "1");

  private LuceneSchema() {}

  static Term docIdTerm(String docId) {
    return new Term(DOC_ID, docId);
  }

  static TermQuery headQuery() {
    return new TermQuery(HEAD_TERM);
  }

  static Term metadataTerm(String key, String value) {
    return new Term(META_PREFIX + key, value);
  }

  /** The commit user data of a new index with id {@code indexId} that records {@code model}. */
  static Map<String, String> userData(ModelInfo model, String indexId) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(USER_DATA_SCHEMA, SCHEMA_VERSION);
    data.put(USER_DATA_INDEX_ID, indexId);
    data.put(USER_DATA_MODEL_ID, model.id());
    data.put(USER_DATA_MODEL_DIMENSION, Integer.toString(model.dimension()));
    data.put(USER_DATA_MODEL_MAX_TOKENS, Integer.toString(model.maxTokens()));
    if (!model.variant().isEmpty()) {
      data.put(USER_DATA_MODEL_VARIANT, model.variant());
    }
    return data;
  }

  /** The index id recorded in commit user data, if any. */
  static Optional<String> indexId(Map<String, String> userData) {
    return Optional.ofNullable(userData.get(USER_DATA_INDEX_ID));
  }

  /**
   * The model recorded in commit user data.
   *
   * @throws IllegalStateException if the data does not describe a Ragtime index of a known schema
   */
  static ModelInfo recordedModel(String collection, Map<String, String> userData) {
    String schema = userData.get(USER_DATA_SCHEMA);
    if (schema == null) {
      throw new IllegalStateException(
          "collection '" + collection + "' holds a Lucene index that Ragtime did not create");
    }
    if (!SCHEMA_VERSION.equals(schema)) {
      throw new IllegalStateException(
          "collection '"
              + collection
              + "' has index schema version "
              + schema
              + " but this Ragtime reads version "
              + SCHEMA_VERSION);
    }
    try {
      return new ModelInfo(
          userData.get(USER_DATA_MODEL_ID),
          Integer.parseInt(userData.get(USER_DATA_MODEL_DIMENSION)),
          Integer.parseInt(userData.get(USER_DATA_MODEL_MAX_TOKENS)),
          userData.getOrDefault(USER_DATA_MODEL_VARIANT, ""));
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "collection '" + collection + "' has a corrupt model record " + userData, e);
    }
  }

  /**
   * Checks every document of a batch before anything is written, so that a bad chunk rejects the
   * whole batch rather than half of it.
   *
   * @throws IllegalArgumentException naming the first offending document and chunk
   */
  static void validate(List<DocumentWrite> documents, ModelInfo model) {
    for (DocumentWrite document : documents) {
      checkTermLength("docId", document.docId());
      Set<String> chunkIds = new HashSet<>();
      for (IndexedChunk chunk : document.chunks()) {
        String where = "document '" + document.docId() + "' chunk '" + chunk.chunkId() + "'";
        if (!chunkIds.add(chunk.chunkId())) {
          throw new IllegalArgumentException(where + " appears twice");
        }
        checkTermLength("chunkId of " + where, chunk.chunkId());
        checkVector(where, chunk.vector(), model);
        for (Map.Entry<String, String> e : chunk.metadata().entrySet()) {
          if (e.getKey().isEmpty()) {
            throw new IllegalArgumentException(where + " has an empty metadata key");
          }
          checkTermLength("metadata '" + e.getKey() + "' of " + where, e.getValue());
        }
      }
    }
  }

  /** See {@link IndexVectors#check}. */
  static void checkVector(String what, float[] vector, ModelInfo model) {
    IndexVectors.check(what, vector, model);
  }

  private static void checkTermLength(String what, String value) {
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > IndexWriter.MAX_TERM_LENGTH) {
      throw new IllegalArgumentException(
          what
              + " is "
              + bytes
              + " UTF-8 bytes long, more than the limit of "
              + IndexWriter.MAX_TERM_LENGTH);
    }
  }

  /** The Lucene documents (one per chunk, head first) of one Ragtime document. */
  static List<Document> toDocuments(DocumentWrite write) {
    List<Document> block = new ArrayList<>(write.chunks().size());
    boolean head = true;
    for (IndexedChunk chunk : write.chunks()) {
      Document doc = new Document();
      doc.add(new StringField(DOC_ID, write.docId(), Field.Store.YES));
      doc.add(new StringField(CHUNK_ID, chunk.chunkId(), Field.Store.YES));
      doc.add(new SortedDocValuesField(DOC_ID_VALUES, new BytesRef(write.docId())));
      doc.add(new SortedDocValuesField(CHUNK_ID_VALUES, new BytesRef(chunk.chunkId())));
      doc.add(new IntField(POSITION, chunk.position(), Field.Store.YES));
      if (head) {
        doc.add(new StringField(HEAD, "1", Field.Store.NO));
        doc.add(new StoredField(CONTENT_HASH, write.contentHash()));
        head = false;
      }
      if (!chunk.context().isEmpty()) {
        // Matched by BM25 as part of the text (one field, one length), never stored or returned.
        doc.add(new TextField(TEXT, chunk.context(), Field.Store.NO));
      }
      doc.add(new TextField(TEXT, chunk.text(), Field.Store.YES));
      doc.add(new KnnFloatVectorField(VECTOR, chunk.vector(), SIMILARITY));
      for (Map.Entry<String, String> e : chunk.metadata().entrySet()) {
        doc.add(new StringField(META_PREFIX + e.getKey(), e.getValue(), Field.Store.YES));
      }
      block.add(doc);
    }
    return block;
  }

  /** Converts a stored chunk to a hit. */
  static Hit toHit(Document doc, float score) {
    Map<String, String> metadata = new HashMap<>();
    for (IndexableField field : doc.getFields()) {
      if (field.name().startsWith(META_PREFIX)) {
        metadata.put(field.name().substring(META_PREFIX.length()), field.stringValue());
      }
    }
    return new Hit(doc.get(DOC_ID), doc.get(CHUNK_ID), score, doc.get(TEXT), metadata);
  }

  /** The stored position of a chunk in its document. */
  static int position(Document doc) {
    return doc.getField(POSITION).numericValue().intValue();
  }

  /** The cosine similarity behind a Lucene {@code DOT_PRODUCT} score. */
  static float cosineFromScore(float luceneScore) {
    return 2 * luceneScore - 1;
  }

  /** The content hash stored on a head chunk. */
  static Optional<String> contentHash(Document head) {
    return Optional.ofNullable(head.get(CONTENT_HASH));
  }
}
