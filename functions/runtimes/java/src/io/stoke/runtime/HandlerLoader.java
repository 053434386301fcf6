package io.stoke.runtime;

/** Finds the handler class named by STOKE_HANDLER and creates its single instance. */
final class HandlerLoader {

  private HandlerLoader() {}

  /**
   * Loads {@code className} (fully qualified, or simple for a class in the default package).
   *
   * @throws IllegalStateException naming the class and the reason when it cannot be used
   */
  static Handler load(String className, ClassLoader loader) {
    Class<?> type;
    try {
      type = Class.forName(className, true, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException("handler class " + className + " cannot be loaded: " + e, e);
    }
    if (!Handler.class.isAssignableFrom(type)) {
      throw new IllegalStateException(
          "handler class " + className + " does not implement " + Handler.class.getName());
    }
    try {
      return (Handler) type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException(
          "handler class "
              + className
              + " cannot be instantiated with a public no-argument"
              + " constructor: "
              + cause,
          e);
    }
  }
}
