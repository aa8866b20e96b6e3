package dev.runbook.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SizesTest {
  private static final long KIB = 1024;
  private static final long MIB = KIB * 1024;
  private static final long GIB = MIB * 1024;

  @Test
  void bytesBelowOneKibibyteAreCountedInBytes() {
    assertThat(Sizes.format(0)).isEqualTo("0 B");
    assertThat(Sizes.format(1023)).isEqualTo("1023 B");
  }

  @Test
  void wholeAmountsHaveNoDecimal() {
    assertThat(Sizes.format(KIB)).isEqualTo("1 KiB");
    assertThat(Sizes.format(512 * MIB)).isEqualTo("512 MiB");
    assertThat(Sizes.format(2 * GIB)).isEqualTo("2 GiB");
  }

  @Test
  void fractionsKeepOneDecimalRoundedDown() {
    assertThat(Sizes.format(GIB + GIB / 4)).isEqualTo("1.2 GiB");
    assertThat(Sizes.format(2 * GIB - 1)).isEqualTo("1.9 GiB");
    assertThat(Sizes.format(1536)).isEqualTo("1.5 KiB");
  }

  @Test
  void theLargestCountIsFormattedInExbibytesWithoutOverflow() {
    assertThat(Sizes.format(Long.MAX_VALUE)).isEqualTo("7.9 EiB");
    assertThat(Sizes.format(1L << 60)).isEqualTo("1 EiB");
  }

  @Test
  void exactCountsAreGroupedByThousands() {
    assertThat(Sizes.exact(2 * GIB)).isEqualTo("2,147,483,648 bytes");
  }

  @Test
  void negativeCountsAreRejected() {
    assertThatThrownBy(() -> Sizes.format(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSizeTheRunbookWritesInBinaryUnitsReadsTheSameWhenFormatted() {
    assertThat(Sizes.format(Sizes.parse("512MiB").orElseThrow())).isEqualTo("512 MiB");
    assertThat(Sizes.format(Sizes.parse("1.5GiB").orElseThrow())).isEqualTo("1.5 GiB");
  }
}
