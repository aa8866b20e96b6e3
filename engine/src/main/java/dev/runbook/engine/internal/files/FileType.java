package dev.runbook.engine.internal.files;

import java.util.Optional;

/** The kinds of file the file actions copy; anything else (FIFO, socket, device) is refused. */
public enum FileType {
  /** A regular file. */
  FILE("file"),
  /** A directory. */
  DIRECTORY("dir"),
  /** A symbolic link, copied as a link and never followed. */
  SYMLINK("symlink");

  private final String manifestName;

  FileType(String manifestName) {
    this.manifestName = manifestName;
  }

  /** The name used in {@code manifest.json} and in tree digests: file, dir or symlink. */
  public String manifestName() {
    return manifestName;
  }

  /** The type with the given manifest name, if any. */
  public static Optional<FileType> ofManifestName(String name) {
    for (FileType type : values()) {
      if (type.manifestName.equals(name)) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }
}
