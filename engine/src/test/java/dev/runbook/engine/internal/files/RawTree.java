package dev.runbook.engine.internal.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes and lists trees whose names are arbitrary bytes with python3's {@code os} module on bytes,
 * so that neither the JDK's name encoding nor the code under test sits between a test and the names
 * the kernel holds.
 */
final class RawTree {
  private RawTree() {}

  /**
   * Creates, under {@code root}: files {@code caf\xE9} (Latin-1), {@code caf\xEA}, {@code
   * caf\xC3\xA9} (UTF-8 é), a directory {@code d\xFF} with a file {@code \x80x} in it, and a link
   * {@code l\xE9} to {@code caf\xE9}; each file's content names it.
   */
  static void makeNonUtf8Names(Path root) throws IOException, InterruptedException {
    python(
        "import os,sys\n"
            + "r=os.fsencode(sys.argv[1])\n"
            + "os.makedirs(r, exist_ok=True)\n"
            + "for n in [b'caf\\xe9', b'caf\\xea', b'caf\\xc3\\xa9']:\n"
            + "  open(os.path.join(r,n),'wb').write(b'content of '+n)\n"
            + "os.mkdir(os.path.join(r,b'd\\xff'))\n"
            + "open(os.path.join(r,b'd\\xff',b'\\x80x'),'wb').write(b'deep')\n"
            + "os.symlink(b'caf\\xe9', os.path.join(r,b'l\\xe9'))\n",
        root.toString());
  }

  /**
   * Every name under {@code root} as hex of its bytes, with a file's content or a link's text as
   * hex, sorted: {@code "6361668e9 file 636f..."}.
   */
  static String describe(Path root) throws IOException, InterruptedException {
    return python(
        "import os,sys\n"
            + "r=os.fsencode(sys.argv[1])\n"
            + "out=[]\n"
            + "for d,dirs,files in os.walk(r):\n"
            + "  for n in dirs+files:\n"
            + "    p=os.path.join(d,n); rel=os.path.relpath(p,r)\n"
            + "    if os.path.islink(p): out.append(rel.hex()+' link '+os.readlink(p).hex())\n"
            + "    elif os.path.isdir(p): out.append(rel.hex()+' dir')\n"
            + "    else: out.append(rel.hex()+' file '+open(p,'rb').read().hex())\n"
            + "print('\\n'.join(sorted(out)))\n",
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
