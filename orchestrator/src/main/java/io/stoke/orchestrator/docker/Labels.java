package io.stoke.orchestrator.docker;

/** The Docker labels Stoke puts on the images and containers it manages. */
public final class Labels {

  private Labels() {}

  public static final String MANAGED = "io.stoke.managed";
  public static final String FUNCTION = "io.stoke.function";
  public static final String VERSION = "io.stoke.version";
  public static final String INSTANCE = "io.stoke.instance";
  public static final String DIGEST = "io.stoke.digest";
  public static final String CONTENT_HASH = "io.stoke.content-hash";
}
