package dev.ragtime.postgres;

import dev.ragtime.embed.ModelInfo;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexContract;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The index contract against PostgreSQL. One database for the class (creating and migrating one per
 * test would dominate the run); each test gets a store of its own through a collection-name prefix,
 * which is what the contract asks of {@link #open}.
 */
class PgIndexTest extends IndexContract {
  private static final AtomicInteger TESTS = new AtomicInteger();
  private static PgTestDatabase testDatabase;
  private static PgDatabase database;

  private String prefix;

  @BeforeAll
  static void startDatabase() {
    testDatabase = PgTestDatabase.create();
    database = PgDatabase.open(testDatabase.settings());
  }

  @AfterAll
  static void stopDatabase() {
    if (database != null) {
      database.close();
    }
    if (testDatabase != null) {
      testDatabase.close();
    }
  }

  @BeforeEach
  void newStore() {
    prefix = "t" + TESTS.incrementAndGet() + "_";
  }

  @Override
  protected Index open(String name, ModelInfo model) {
    return new PrefixedName(PgCollections.on(database).open(prefix + name, model), name);
  }
}
