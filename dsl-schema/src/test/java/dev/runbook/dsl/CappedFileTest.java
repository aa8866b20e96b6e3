package dev.runbook.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class CappedFileTest {
  @TempDir Path dir;

  @Test
  void aFileUpToTheCapIsReadWhole() throws IOException {
    Path file = dir.resolve("f");
    Files.write(file, new byte[100]);
    assertThat(CappedFile.read(file, 100)).hasSize(100);
  }

  @Test
  void aRegularFileOverTheCapIsRefusedWithItsSize() throws IOException {
    Path file = dir.resolve("f");
    Files.write(file, new byte[3 << 20]);
    assertThatThrownBy(() -> CappedFile.read(file, 1 << 20))
        .isInstanceOf(CappedFile.TooLarge.class)
        .hasMessage(file + ": is 3 MiB, larger than the limit of 1 MiB");
  }

  @Test
  @Timeout(10)
  void anEndlessDeviceWhoseSizeIsZeroIsRefusedBeforeAByteIsRead() {
    // Files.size says 0 for /dev/zero; reading it "whole" would never end
    assertThatThrownBy(() -> CappedFile.read(Path.of("/dev/zero"), 1 << 20))
        .isInstanceOf(CappedFile.NotRegularFile.class)
        .hasMessage("/dev/zero: is a character device, not a regular file");
  }

  @Test
  @Timeout(10)
  void aLinkToAnEndlessDeviceIsRefusedToo() throws IOException {
    Path link = Files.createSymbolicLink(dir.resolve("params.yaml"), Path.of("/dev/urandom"));
    assertThatThrownBy(() -> CappedFile.read(link, 1 << 20))
        .isInstanceOf(CappedFile.NotRegularFile.class)
        .hasMessageContaining("params.yaml: is a character device");
  }

  @Test
  @Timeout(10)
  void aFifoIsRefusedWithoutOpeningIt() throws Exception {
    Path fifo = dir.resolve("fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(mkfifo.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(mkfifo.exitValue()).isZero();
    long start = System.nanoTime();
    // opening a FIFO for reading blocks until a writer comes: none will
    assertThatThrownBy(() -> CappedFile.read(fifo, 1 << 20))
        .isInstanceOf(CappedFile.NotRegularFile.class)
        .hasMessage(fifo + ": is a FIFO (named pipe), not a regular file");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void aDirectoryIsRefusedAsOne() {
    assertThatThrownBy(() -> CappedFile.read(dir, 1 << 20))
        .isInstanceOf(CappedFile.NotRegularFile.class)
        .hasMessage(dir + ": is a directory, not a regular file");
  }
}
