package dev.ragtime.provider;

/**
 * The provider rejected the request as invalid: HTTP 400 (other than too large), 401, 403, 404, 422
 * or another 4xx that retrying will not cure; also a 429 saying the account's quota or credit is
 * used up ({@code insufficient_quota}), and 501 or 505. The message holds the status and the
 * provider's own message.
 */
public final class ProviderRejectedException extends NonRetryableEmbeddingException {
  private static final long serialVersionUID = 1L;

  public ProviderRejectedException(String message, int status, String endpoint) {
    super(message, status, endpoint, null);
  }

  /**
   * True when the rejection may be caused by one particular input (400 or 422) rather than by the
   * request as a whole (authentication, unknown model, wrong URL).
   */
  public boolean inputSpecific() {
    int s = status().orElse(0);
    return s == 400 || s == 422;
  }
}
