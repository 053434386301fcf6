package io.stoke.orchestrator.image;

/** What preparing one function's image came to. */
public sealed interface ImageBuild {

  String function();

  /** The image was built now. */
  record Built(String function, String image, String contentHash) implements ImageBuild {}

  /** An image with the same content hash already existed. */
  record Unchanged(String function, String image, String contentHash) implements ImageBuild {}

  /** The function names a prebuilt image; nothing to build. */
  record Prebuilt(String function, String image) implements ImageBuild {}

  /** The build failed; the function cannot run. */
  record Failed(String function, String step, String reason) implements ImageBuild {
    /** A one-line explanation naming the function and the failing step. */
    public String describe() {
      return "image build of function "
          + function
          + " failed"
          + (step.isEmpty() ? "" : " at '" + step + "'")
          + ": "
          + reason;
    }
  }

  default boolean usable() {
    return !(this instanceof Failed);
  }
}
