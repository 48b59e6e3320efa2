package org.studioworker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Close codes and the error-code → close-code mapping of PROTOCOL.md §3. */
final class CloseCodesTest {
  @Test
  void closeCodesHaveTheirContractValues() {
    assertThat(CloseCodes.NORMAL).isEqualTo(1000);
    assertThat(CloseCodes.AUTH_FAILED).isEqualTo(4001);
    assertThat(CloseCodes.PROTOCOL_VIOLATION).isEqualTo(4002);
    assertThat(CloseCodes.DUPLICATE_WORKER).isEqualTo(4003);
    assertThat(CloseCodes.WORKER_DELETED).isEqualTo(4004);
  }

  @ParameterizedTest
  @CsvSource({
    "auth_failed, 4001",
    "protocol_violation, 4002",
    "duplicate_worker, 4003",
    "worker_deleted, 4004",
    "internal_error, 1000"
  })
  void eachErrorCodeIsFollowedByItsCloseCode(String wire, int closeCode) {
    assertThat(ErrorCode.fromWire(wire))
        .hasValueSatisfying(code -> assertThat(code.closeCode()).isEqualTo(closeCode));
  }

  @Test
  void everyErrorCodeIsCovered() {
    assertThat(ErrorCode.values()).hasSize(5);
    assertThat(ErrorCode.fromWire("AUTH_FAILED")).isEmpty();
  }
}
