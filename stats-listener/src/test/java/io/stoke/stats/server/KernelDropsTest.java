package io.stoke.stats.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelDropsTest {

  // Shaped like /proc/net/udp on Linux 6.x: port 8125 is 1FBD, 8126 is 1FBE.
  private static final String UDP =
      """
         sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
        101: 0100007F:1FBD 00000000:0000 07 00000000:00034000 00:00000000 00000000     0        0 48213 2 0000000000000000 7731
        102: 0100007F:1FBE 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 48214 2 0000000000000000 0
        230: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1201 2 0000000000000000 5
      """;
  private static final String UDP6 =
      """
        sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
        12: 00000000000000000000000000000000:1FBD 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 48300 2 0000000000000000 3
      """;
  private static final String SNMP =
      """
      Ip: Forwarding DefaultTTL
      Ip: 1 64
      Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
      Udp: 901 2 7735 880 7734 0 0 0 0
      UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
      UdpLite: 0 0 0 0 0 0 0 0 0
      """;

  @Test
  void readsTheDropsColumnOfTheSocketOnAPortInBothFamilies(@TempDir Path procNet) throws Exception {
    Files.writeString(procNet.resolve("udp"), UDP);
    Files.writeString(procNet.resolve("udp6"), UDP6);
    var drops = new KernelDrops(procNet);

    assertThat(drops.socketDrops(8125)).hasValue(7731 + 3);
    assertThat(drops.socketDrops(8126)).hasValue(0);
    assertThat(drops.socketDrops(9999)).isEmpty();
  }

  @Test
  void readsTheNamespaceWideReceiveBufferErrorsOfUdpNotUdpLite(@TempDir Path procNet)
      throws Exception {
    Files.writeString(procNet.resolve("snmp"), SNMP);

    assertThat(new KernelDrops(procNet).receiveBufferErrors()).hasValue(7734);
  }

  @Test
  void reportsNothingWhereProcNetIsMissing(@TempDir Path empty) {
    var drops = new KernelDrops(empty);

    assertThat(drops.socketDrops(8125)).isEmpty();
    assertThat(drops.receiveBufferErrors()).isEmpty();
  }
}
