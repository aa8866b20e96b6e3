package dev.runbook.engine.internal.process;

import java.util.Arrays;

/** A growable byte array, reused between chunks; not thread-safe. */
final class ByteBuf {
  private byte[] bytes;
  private int size;

  ByteBuf(int capacity) {
    bytes = new byte[capacity];
  }

  byte[] array() {
    return bytes;
  }

  int size() {
    return size;
  }

  void clear() {
    size = 0;
  }

  void append(byte[] b, int off, int len) {
    ensure(size + len);
    System.arraycopy(b, off, bytes, size, len);
    size += len;
  }

  /** Keeps only the bytes from {@code from} on, moved to the front. */
  void dropFront(int from) {
    System.arraycopy(bytes, from, bytes, 0, size - from);
    size -= from;
  }

  int lastIndexOf(byte b) {
    for (int i = size - 1; i >= 0; i--) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private void ensure(int capacity) {
    if (capacity > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(capacity, bytes.length * 2));
    }
  }
}
