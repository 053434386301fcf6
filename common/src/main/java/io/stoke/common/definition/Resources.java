package io.stoke.common.definition;

/**
 * Resource limits of one instance of a function.
 *
 * @param memoryBytes memory limit in bytes; swap is set equal, so the container never swaps
 * @param cpus CPU share, in cores (0.5 = half a core)
 * @param pids maximum number of processes and threads in the container
 */
public record Resources(long memoryBytes, double cpus, int pids) {

  public static final long MIN_MEMORY = 6L * 1024 * 1024;
  public static final long MAX_MEMORY = 64L * 1024 * 1024 * 1024;
  public static final Resources DEFAULT = new Resources(256L * 1024 * 1024, 1.0, 256);

  public Resources {
    Checks.inRange("resources.memory", memoryBytes, MIN_MEMORY, MAX_MEMORY);
    if (!(cpus > 0 && cpus <= 64)) {
      throw new IllegalArgumentException("resources.cpus = " + cpus + ", must be in (0, 64]");
    }
    Checks.inRange("resources.pids", pids, 16, 32768);
  }
}
