package dev.ragtime.server.auth;

import dev.ragtime.server.http.ApiException;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one API key may do: read, or read and write, in every collection or only in the named ones.
 * {@link AccessFilter} puts the grant of each request's key on the request; routes and MCP tools
 * check it with {@link #requireRead} and {@link #requireWrite} and filter lists with {@link
 * #reaches}.
 *
 * @param write whether the key may change data (create, post, delete), besides reading it
 * @param collections the collections the key reaches; empty means every collection
 */
public record Grant(boolean write, Set<String> collections) {
  /** The rights of every request when access control is off. */
  public static final Grant FULL = new Grant(true, Set.of());

  /** The request attribute that holds the request's grant. */
  static final String ATTRIBUTE = Grant.class.getName();

  public Grant {
    collections = Set.copyOf(collections);
  }

  /** Whether the key reaches {@code collection}. */
  public boolean reaches(String collection) {
    return collections.isEmpty() || collections.contains(collection);
  }

  /**
   * Refuses a key that does not reach {@code collection}.
   *
   * @throws ApiException 403 naming the collections the key does reach
   */
  public void requireRead(String collection) {
    if (!reaches(collection)) {
      throw ApiException.forbidden(
          "this API key may not use collection '"
              + collection
              + "'; it is limited to "
              + new TreeSet<>(collections));
    }
  }

  /**
   * Refuses a key that may not change {@code collection}.
   *
   * @throws ApiException 403 when the key does not reach it or may only read
   */
  public void requireWrite(String collection) {
    requireRead(collection);
    requireWrite();
  }

  /**
   * Refuses a read-only key.
   *
   * @throws ApiException 403 saying that a read-write key is needed
   */
  public void requireWrite() {
    if (!write) {
      throw ApiException.forbidden(
          "this API key may only read; changing data needs a key with rights rw");
    }
  }

  /**
   * The grant {@link AccessFilter} put on the request.
   *
   * @throws IllegalStateException if there is none (the filter is not installed: a defect)
   */
  public static Grant of(Context ctx) {
    return of(ctx.req());
  }

  /**
   * The grant {@link AccessFilter} put on the request.
   *
   * @throws IllegalStateException if there is none (the filter is not installed: a defect)
   */
  public static Grant of(HttpServletRequest request) {
    Object grant = Objects.requireNonNull(request, "request").getAttribute(ATTRIBUTE);
    if (grant instanceof Grant g) {
      return g;
    }
    throw new IllegalStateException("the request carries no access grant; AccessFilter must run");
  }
}
