package io.stoke.state;

/**
 * Size limits of the state service, each named in the error a client gets when it passes one.
 *
 * @param maxKeyBytes longest key, in UTF-8 bytes
 * @param maxValueBytes largest value, in UTF-8 bytes
 * @param maxKeysPerFunction most keys one function may hold
 * @param maxPathBytes longest coordination path, in UTF-8 bytes
 * @param maxNodeDataBytes largest data of one coordination node, in UTF-8 bytes
 * @param maxNodesPerFunction most coordination nodes one function may hold
 * @param maxMultiOps most operations in one multi
 * @param maxBodyBytes largest request body
 * @param maxListPage most keys one list call returns
 */
public record StateLimits(
    int maxKeyBytes,
    int maxValueBytes,
    int maxKeysPerFunction,
    int maxPathBytes,
    int maxNodeDataBytes,
    int maxNodesPerFunction,
    int maxMultiOps,
    int maxBodyBytes,
    int maxListPage) {

  private static final String PREFIX = "stoke.state.limits.";

  public StateLimits {
    check("max-key-bytes", maxKeyBytes, 1, 4096);
    check("max-value-bytes", maxValueBytes, 1, 16 << 20);
    check("max-keys-per-function", maxKeysPerFunction, 1, 1_000_000);
    check("max-path-bytes", maxPathBytes, 2, 4096);
    check("max-node-data-bytes", maxNodeDataBytes, 0, 16 << 20);
    check("max-nodes-per-function", maxNodesPerFunction, 1, 1_000_000);
    check("max-multi-ops", maxMultiOps, 1, 1000);
    check("max-list-page", maxListPage, 1, 10_000);
    // A body carries a value or node data plus its JSON envelope (escaping may double it).
    check("max-body-bytes", maxBodyBytes, 1024, 64 << 20);
  }

  /** The defaults of {@code application.yml}. */
  public static StateLimits defaults() {
    return new StateLimits(512, 1 << 20, 10_000, 1024, 1 << 20, 10_000, 100, 4 << 20, 1000);
  }

  private static void check(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          PREFIX + key + " = " + value + ", must be in [" + min + ", " + max + "]");
    }
  }
}
