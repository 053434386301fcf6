package io.stoke.xds;

import com.google.protobuf.Message;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The version of each xDS resource type, derived from the resources' content: a type whose
 * resources did not change keeps its version, and a restarted control plane serves the same
 * versions for the same state.
 *
 * @param listeners LDS version
 * @param routes RDS version
 * @param clusters CDS version
 * @param endpoints EDS version
 */
public record XdsVersions(String listeners, String routes, String clusters, String endpoints) {

  /** The version of a type with no resources. */
  public static final String EMPTY = "empty";

  public XdsVersions {
    Objects.requireNonNull(listeners, "listeners");
    Objects.requireNonNull(routes, "routes");
    Objects.requireNonNull(clusters, "clusters");
    Objects.requireNonNull(endpoints, "endpoints");
  }

  /**
   * A version for {@code resources}: the first 16 hex digits of the SHA-256 of their serialized
   * forms, in order. The messages hold no map fields, so their serialization is deterministic.
   */
  public static String of(List<? extends Message> resources) {
    if (resources.isEmpty()) {
      return EMPTY;
    }
    MessageDigest digest = sha256();
    byte[] length = new byte[4];
    for (var resource : resources) {
      byte[] bytes = resource.toByteArray();
      // Length-prefix each resource so two lists never hash the same by shifting bytes.
      int n = bytes.length;
      length[0] = (byte) (n >>> 24);
      length[1] = (byte) (n >>> 16);
      length[2] = (byte) (n >>> 8);
      length[3] = (byte) n;
      digest.update(length);
      digest.update(bytes);
    }
    return HexFormat.of().formatHex(digest.digest(), 0, 8);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
