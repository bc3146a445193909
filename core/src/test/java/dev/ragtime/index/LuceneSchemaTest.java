package dev.ragtime.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.ragtime.embed.ModelInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexableField;
import org.junit.jupiter.api.Test;

/** The chunk layout, the checks made before a write, and the model record of a commit. */
class LuceneSchemaTest {
  private static final ModelInfo MODEL = new ModelInfo("m", 2, 512);
  private static final float[] UNIT = {1, 0};
  private static final int LIMIT = IndexWriter.MAX_TERM_LENGTH;

  private static DocumentWrite write(String docId, IndexedChunk... chunks) {
    return new DocumentWrite(docId, "hash", List.of(chunks));
  }

  private static IndexedChunk chunk(String id, Map<String, String> meta) {
    return new IndexedChunk(id, 0, "text", UNIT, meta);
  }

  private static void validate(DocumentWrite w) {
    LuceneSchema.validate(List.of(w), MODEL);
  }

  @Test
  void aChunkIdRepeatedInOneDocumentIsRejected() {
    assertThatThrownBy(() -> validate(write("d", chunk("d#0", Map.of()), chunk("d#0", Map.of()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("document 'd' chunk 'd#0' appears twice");
  }

  @Test
  void anEmptyMetadataKeyIsRejected() {
    assertThatThrownBy(() -> validate(write("d", chunk("d#0", Map.of("", "v")))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("document 'd' chunk 'd#0' has an empty metadata key");
  }

  @Test
  void idsAndMetadataValuesMayBeAsLongAsALuceneTermAndNoLonger() {
    String atLimit = "a".repeat(LIMIT);
    String over = "a".repeat(LIMIT + 1);
    assertThatCode(() -> validate(write(atLimit, chunk(atLimit, Map.of("k", atLimit)))))
        .doesNotThrowAnyException();

    assertThatThrownBy(() -> validate(write(over, chunk("c", Map.of()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("docId is 32767 UTF-8 bytes long, more than the limit of 32766");
    assertThatThrownBy(() -> validate(write("d", chunk(over, Map.of()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("chunkId of document 'd' chunk 'aaa")
        .hasMessageEndingWith(" is 32767 UTF-8 bytes long, more than the limit of 32766");
    assertThatThrownBy(() -> validate(write("d", chunk("d#0", Map.of("k", over)))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "metadata 'k' of document 'd' chunk 'd#0' is 32767 UTF-8 bytes long, more than the"
                + " limit of 32766");
    // The limit is in bytes: half as many two-byte characters already exceed it.
    assertThatThrownBy(() -> validate(write("é".repeat(LIMIT / 2 + 1), chunk("c", Map.of()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("docId is 32768 UTF-8 bytes long, more than the limit of 32766");
  }

  @Test
  void aVectorMustHaveTheModelsDimension() {
    assertThatThrownBy(() -> LuceneSchema.checkVector("v", new float[] {1, 0, 0}, MODEL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("v has a vector of dimension 3 but the index holds " + MODEL + " vectors");
  }

  @Test
  void aVectorMustBeUnitLengthWithinOnePercentOfItsSquaredNorm() {
    assertThatCode(() -> LuceneSchema.checkVector("v", scaled(1.009), MODEL))
        .doesNotThrowAnyException();
    assertThatCode(() -> LuceneSchema.checkVector("v", scaled(0.991), MODEL))
        .doesNotThrowAnyException();
    for (double squaredNorm : new double[] {1.011, 0.989, 0, 4}) {
      assertThatThrownBy(() -> LuceneSchema.checkVector("v", scaled(squaredNorm), MODEL))
          .as("squared norm %s", squaredNorm)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("v has a vector that is not L2-normalised: its norm is ");
    }
    assertThatThrownBy(() -> LuceneSchema.checkVector("v", new float[] {Float.NaN, 0}, MODEL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("v has a vector that is not L2-normalised: its norm is NaN");
    assertThatThrownBy(() -> LuceneSchema.checkVector("v", new float[] {2, 0}, MODEL))
        .hasMessage("v has a vector that is not L2-normalised: its norm is 2.0");
  }

  /** A vector (split over both components) whose squared norm is {@code squaredNorm}. */
  private static float[] scaled(double squaredNorm) {
    float x = (float) Math.sqrt(squaredNorm / 2);
    return new float[] {x, x};
  }

  @Test
  void theModelRecordRoundTripsThroughCommitUserData() {
    var model = new ModelInfo("org/model", 384, 256);
    Map<String, String> data = LuceneSchema.userData(model, "id-1");

    assertThat(data)
        .containsExactly(
            Map.entry("ragtime.schema", "1"),
            Map.entry("ragtime.index.id", "id-1"),
            Map.entry("ragtime.model.id", "org/model"),
            Map.entry("ragtime.model.dimension", "384"),
            Map.entry("ragtime.model.maxTokens", "256"));
    assertThat(LuceneSchema.recordedModel("c", data)).isEqualTo(model);
    assertThat(LuceneSchema.indexId(data)).contains("id-1");
    assertThat(LuceneSchema.indexId(Map.of())).isEmpty();
  }

  @Test
  void commitDataThatIsNotOursOrOfAnotherSchemaOrCorruptIsRefused() {
    assertThatThrownBy(() -> LuceneSchema.recordedModel("c", Map.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("collection 'c' holds a Lucene index that Ragtime did not create");
    assertThatThrownBy(() -> LuceneSchema.recordedModel("c", Map.of("ragtime.schema", "2")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("collection 'c' has index schema version 2 but this Ragtime reads version 1");
    var corrupt = new HashMap<>(LuceneSchema.userData(MODEL, "i"));
    corrupt.put("ragtime.model.dimension", "two");
    assertThatThrownBy(() -> LuceneSchema.recordedModel("c", corrupt))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("collection 'c' has a corrupt model record {")
        .hasCauseInstanceOf(NumberFormatException.class);
  }

  @Test
  void onlyTheFirstChunkOfADocumentIsItsHeadAndCarriesTheHash() {
    var first = new IndexedChunk("d#0", 0, "first", UNIT, Map.of("type", "md"), "Title");
    var second = new IndexedChunk("d#1", 1, "second", UNIT, Map.of("type", "md"));
    List<Document> docs =
        LuceneSchema.toDocuments(new DocumentWrite("d", "h1", List.of(first, second)));

    assertThat(docs).hasSize(2);
    Document head = docs.get(0);
    Document other = docs.get(1);
    assertThat(head.getFields(LuceneSchema.HEAD)).hasSize(1);
    assertThat(other.getFields(LuceneSchema.HEAD)).isEmpty();
    assertThat(LuceneSchema.contentHash(head)).contains("h1");
    assertThat(LuceneSchema.contentHash(other)).isEmpty();
    // The context is a second, unstored text field; a chunk without context has only its text.
    assertThat(head.getFields(LuceneSchema.TEXT))
        .extracting(IndexableField::stringValue, f -> f.fieldType().stored())
        .containsExactly(tuple("Title", false), tuple("first", true));
    assertThat(other.getFields(LuceneSchema.TEXT)).hasSize(1);
    assertThat(other.get(LuceneSchema.CHUNK_ID)).isEqualTo("d#1");
    assertThat(other.get(LuceneSchema.DOC_ID)).isEqualTo("d");
    assertThat(other.get("meta.type")).isEqualTo("md");
    // Ids also as doc values (candidates are identified without stored fields), and the position.
    assertThat(other.getBinaryValue(LuceneSchema.DOC_ID_VALUES).utf8ToString()).isEqualTo("d");
    assertThat(other.getBinaryValue(LuceneSchema.CHUNK_ID_VALUES).utf8ToString()).isEqualTo("d#1");
    assertThat(other.getField(LuceneSchema.POSITION).numericValue()).isEqualTo(1);
  }

  @Test
  void aHitCarriesOnlyTheMetadataFieldsWithoutTheirPrefix() {
    var doc = new Document();
    doc.add(new StringField(LuceneSchema.DOC_ID, "d", Field.Store.YES));
    doc.add(new StringField(LuceneSchema.CHUNK_ID, "d#0", Field.Store.YES));
    doc.add(new StoredField(LuceneSchema.TEXT, "body"));
    doc.add(new StoredField(LuceneSchema.CONTENT_HASH, "h"));
    doc.add(new StringField("meta.type", "md", Field.Store.YES));
    doc.add(new StringField("meta.source", "/a.md", Field.Store.YES));

    Hit hit = LuceneSchema.toHit(doc, 0.5f);

    assertThat(hit)
        .isEqualTo(new Hit("d", "d#0", 0.5f, "body", Map.of("type", "md", "source", "/a.md")));
    assertThat(doc.getFields()).extracting(IndexableField::name).contains("content_hash");
  }

  @Test
  void luceneDotProductScoresMapBackToCosines() {
    assertThat(LuceneSchema.cosineFromScore(1f)).isEqualTo(1f);
    assertThat(LuceneSchema.cosineFromScore(0.5f)).isEqualTo(0f);
    assertThat(LuceneSchema.cosineFromScore(0f)).isEqualTo(-1f);
    assertThat(LuceneSchema.cosineFromScore(0.75f)).isEqualTo(0.5f);
  }
}
