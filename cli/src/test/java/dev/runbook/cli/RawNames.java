package dev.runbook.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes and describes trees by the bytes of their names, through python3's {@code os} module on
 * bytes: no JDK name encoding and no runbook code sits between a test and what the kernel holds.
 */
final class RawNames {
  private RawNames() {}

  /**
   * Creates under {@code root}: Latin-1 {@code caf\xE9} and {@code caf\xEA} (one byte apart, alike
   * as U+FFFD), UTF-8 {@code caf\xC3\xA9}, a directory {@code d\xFF} holding {@code \x80x}, and a
   * link {@code l\xE9} whose text is {@code caf\xE9}; every file owned by uid/gid 1234, each with
   * its own content.
   */
  static void make(Path root) throws IOException, InterruptedException {
    python(
        """
        import os, sys
        r = os.fsencode(sys.argv[1])
        os.makedirs(r, exist_ok=True)
        for n in [b'caf\\xe9', b'caf\\xea', b'caf\\xc3\\xa9']:
            p = os.path.join(r, n)
            open(p, 'wb').write(b'content of ' + n)
            os.chown(p, 1234, 1234)
            os.utime(p, (1000000000, 1000000000))
        os.mkdir(os.path.join(r, b'd\\xff'))
        open(os.path.join(r, b'd\\xff', b'\\x80x'), 'wb').write(b'deep')
        os.symlink(b'caf\\xe9', os.path.join(r, b'l\\xe9'))
        """,
        root.toString());
  }

  /**
   * Every entry under {@code root}, sorted, one per line: the hex of its relative path's bytes,
   * kind, mode, uid, gid, mtime in nanoseconds (not for directories: restoring into one changes
   * it), and a file's content or a link's text as hex.
   */
  static String describe(Path root) throws IOException, InterruptedException {
    return python(
        """
        import os, sys, stat
        r = os.fsencode(sys.argv[1])
        out = []
        for d, dirs, files in os.walk(r):
            for n in dirs + files:
                p = os.path.join(d, n)
                s = os.lstat(p)
                rel = os.path.relpath(p, r).hex()
                meta = '%o %d %d' % (stat.S_IMODE(s.st_mode), s.st_uid, s.st_gid)
                if stat.S_ISLNK(s.st_mode):
                    out.append(rel + ' link ' + meta + ' ' + os.readlink(p).hex())
                elif stat.S_ISDIR(s.st_mode):
                    out.append(rel + ' dir ' + meta)
                else:
                    data = open(p, 'rb').read().hex()
                    out.append(rel + ' file ' + meta + ' ' + str(s.st_mtime_ns) + ' ' + data)
        print('\\n'.join(sorted(out)))
        """,
        root.toString());
  }

  private static String python(String script, String arg) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(List.of("python3", "-c", script, arg)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("python3 failed: " + out);
    }
    return out;
  }
}
