package io.stoke.stats.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Datagrams the kernel dropped before the listener read them, from {@code /proc/net}: per socket,
 * the {@code drops} column of {@code udp} and {@code udp6} for the socket's local port (a bound UDP
 * port belongs to one socket in a network namespace, since the listener never sets SO_REUSEPORT);
 * and the namespace-wide {@code Udp: RcvbufErrors} of {@code snmp} (the whole host's outside a
 * container), which also counts other programs' sockets.
 */
final class KernelDrops {

  private static final Logger log = LoggerFactory.getLogger(KernelDrops.class);
  // Columns of /proc/net/udp: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout
  // inode ref pointer drops.
  private static final int LOCAL_ADDRESS = 1;
  private static final int DROPS = 12;

  private final Path procNet;

  /**
   * @param procNet the {@code /proc/net} directory (a test passes its own)
   */
  KernelDrops(Path procNet) {
    this.procNet = procNet;
  }

  /** Drops at the socket bound to {@code port}; empty where /proc/net/udp is not available. */
  OptionalLong socketDrops(int port) {
    OptionalLong v4 =
        read("udp").map(table -> socketDrops(table, port)).orElse(OptionalLong.empty());
    OptionalLong v6 =
        read("udp6").map(table -> socketDrops(table, port)).orElse(OptionalLong.empty());
    if (v4.isEmpty()) {
      return v6;
    }
    return OptionalLong.of(v4.getAsLong() + v6.orElse(0));
  }

  /** {@code Udp: RcvbufErrors} of the network namespace; empty where /proc/net/snmp is not. */
  OptionalLong receiveBufferErrors() {
    return read("snmp").map(KernelDrops::receiveBufferErrors).orElse(OptionalLong.empty());
  }

  /** The {@code drops} of the rows of one /proc/net/udp table whose local port is {@code port}. */
  static OptionalLong socketDrops(String table, int port) {
    String hexPort = String.format(":%04X", port);
    long drops = 0;
    boolean found = false;
    for (String line : table.lines().skip(1).toList()) {
      String[] columns = line.strip().split("\\s+");
      if (columns.length > DROPS && columns[LOCAL_ADDRESS].endsWith(hexPort)) {
        drops += Long.parseLong(columns[DROPS]);
        found = true;
      }
    }
    return found ? OptionalLong.of(drops) : OptionalLong.empty();
  }

  /**
   * {@code RcvbufErrors} from the two {@code Udp:} lines (names, then values) of /proc/net/snmp.
   */
  static OptionalLong receiveBufferErrors(String snmp) {
    var udp = snmp.lines().filter(line -> line.startsWith("Udp: ")).toList();
    if (udp.size() < 2) {
      return OptionalLong.empty();
    }
    String[] names = udp.get(0).split("\\s+");
    String[] values = udp.get(1).split("\\s+");
    for (int i = 1; i < Math.min(names.length, values.length); i++) {
      if (names[i].equals("RcvbufErrors")) {
        return OptionalLong.of(Long.parseLong(values[i]));
      }
    }
    return OptionalLong.empty();
  }

  private Optional<String> read(String file) {
    try {
      return Optional.of(Files.readString(procNet.resolve(file)));
    } catch (NoSuchFileException e) {
      // Not Linux, or no IPv6: the figure is simply not available.
      return Optional.empty();
    } catch (IOException e) {
      log.warn("cannot read {}; kernel drop figures unavailable", procNet.resolve(file), e);
      return Optional.empty();
    }
  }
}
