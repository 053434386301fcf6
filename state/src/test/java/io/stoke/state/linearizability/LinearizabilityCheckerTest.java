package io.stoke.state.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import io.stoke.state.linearizability.RegisterModel.Cas;
import io.stoke.state.linearizability.RegisterModel.Read;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {

  private final LinearizabilityChecker<Long, RegisterModel.Op> checker =
      new LinearizabilityChecker<>(new RegisterModel());

  private static Operation<RegisterModel.Op> op(
      int client, RegisterModel.Op op, long from, long to) {
    return new Operation<>(client, op, from, to);
  }

  @Test
  void acceptsOverlappingOperationsThatHaveALegalOrder() {
    var history =
        List.of(
            op(0, new Cas(0, 1, true), 0, 10),
            op(1, new Read(1), 1, 5), // overlaps the write: may see it
            op(2, new Read(0), 2, 12), // overlaps too: may miss it
            op(1, new Cas(0, 1, false), 6, 8),
            op(2, new Read(1), 13, 14));
    assertThat(checker.check(history)).isTrue();
  }

  @Test
  void rejectsAStaleReadAfterACompletedWrite() {
    var history =
        List.of(
            op(0, new Cas(0, 1, true), 0, 10),
            op(1, new Read(0), 11, 12)); // starts after the write finished, yet misses it
    assertThat(checker.check(history)).isFalse();
  }

  @Test
  void rejectsTwoSuccessfulCasFromTheSameValue() {
    var history =
        List.of(
            op(0, new Cas(0, 1, true), 0, 10),
            op(1, new Cas(0, 1, true), 1, 9),
            op(2, new Read(1), 20, 21));
    assertThat(checker.check(history)).isFalse();
  }

  @Test
  void rejectsAReadThatGoesBackInTime() {
    var history =
        List.of(
            op(0, new Cas(0, 1, true), 0, 2),
            op(0, new Cas(1, 2, true), 3, 20),
            op(1, new Read(2), 4, 5),
            op(2, new Read(1), 6, 7)); // after a read saw 2, nobody may see 1 again
    assertThat(checker.check(history)).isFalse();
  }

  @Test
  void anUnknownWriteMayHaveAppliedOrNot() {
    var applied =
        List.of(op(0, new Cas(0, 1, true), 0, Operation.UNKNOWN), op(1, new Read(1), 5, 6));
    var notApplied =
        List.of(op(0, new Cas(0, 1, true), 0, Operation.UNKNOWN), op(1, new Read(0), 5, 6));
    var appliedTooEarly =
        List.of(op(1, new Read(1), 0, 1), op(0, new Cas(0, 1, true), 2, Operation.UNKNOWN));
    assertThat(checker.check(applied)).isTrue();
    assertThat(checker.check(notApplied)).isTrue();
    assertThat(checker.check(appliedTooEarly)).isFalse();
  }

  @Test
  void checksALongConcurrentHistoryOfIncrements() {
    // 8 clients, each read then CAS, in overlapping rounds: a legal interleaving by construction.
    var history = new ArrayList<Operation<RegisterModel.Op>>();
    long value = 0;
    long t = 0;
    for (int round = 0; round < 500; round++) {
      for (int c = 0; c < 8; c++) {
        history.add(op(c, new Read(value), t, t + 20));
      }
      history.add(op(0, new Cas(value, value + 1, true), t + 21, t + 30));
      for (int c = 1; c < 8; c++) {
        history.add(op(c, new Cas(value, value + 1, false), t + 22, t + 40));
      }
      value++;
      t += 41;
    }
    assertThat(checker.check(history)).isTrue();
  }
}
