package io.stoke.orchestrator.docker;

/** The Docker labels Stoke puts on the images and containers it manages. */
public final class Labels {

  private Labels() {}

  public static final String MANAGED = "io.stoke.managed";

  /** The installation a container belongs to; see {@link Installation}. */
  public static final String INSTALLATION = "io.stoke.installation";

  public static final String FUNCTION = "io.stoke.function";
  public static final String VERSION = "io.stoke.version";
  public static final String INSTANCE = "io.stoke.instance";
  public static final String DIGEST = "io.stoke.digest";
  public static final String CONTENT_HASH = "io.stoke.content-hash";

  /**
   * Image labels have names of their own: a container inherits its image's labels, so an image
   * labelled {@link #MANAGED} would make every container of it — a user's own {@code docker run}
   * included — look like an instance Stoke manages (and reconcile would remove it).
   */
  public static final String IMAGE_MANAGED = "io.stoke.image.managed";

  public static final String IMAGE_FUNCTION = "io.stoke.image.function";
  public static final String IMAGE_VERSION = "io.stoke.image.version";

  /** Part of every content hash: images labelled by an older scheme are rebuilt once. */
  public static final String SCHEME = "labels-2";
}
