package dev.runbook.dsl.model;

import java.util.Objects;

/**
 * A 1-based position in a source file.
 *
 * @param file the file as the user named it, never null
 * @param line 1-based line, or 0 when the whole file is meant
 * @param column 1-based column, or 0 when the whole line is meant
 */
public record SourceLocation(String file, int line, int column) {
  public SourceLocation {
    Objects.requireNonNull(file, "file");
  }

  /** The location of a file as a whole (for problems such as "file not found"). */
  public static SourceLocation ofFile(String file) {
    return new SourceLocation(file, 0, 0);
  }

  @Override
  public String toString() {
    if (line == 0) {
      return file;
    }
    return column == 0 ? file + ":" + line : file + ":" + line + ":" + column;
  }
}
