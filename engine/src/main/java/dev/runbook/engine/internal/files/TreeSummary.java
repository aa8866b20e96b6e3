package dev.runbook.engine.internal.files;

import java.util.Collection;

/**
 * Counts over a copied, backed-up or restored tree.
 *
 * @param files regular files
 * @param directories directories, the root included when it is one
 * @param symlinks symbolic links
 * @param bytes total size of the files
 */
public record TreeSummary(long files, long directories, long symlinks, long bytes) {
  /** Counts the given entries. */
  public static TreeSummary of(Collection<FileEntry> entries) {
    long files = 0;
    long directories = 0;
    long symlinks = 0;
    long bytes = 0;
    for (FileEntry entry : entries) {
      switch (entry.type()) {
        case FILE -> {
          files++;
          bytes += entry.size();
        }
        case DIRECTORY -> directories++;
        case SYMLINK -> symlinks++;
      }
    }
    return new TreeSummary(files, directories, symlinks, bytes);
  }
}
