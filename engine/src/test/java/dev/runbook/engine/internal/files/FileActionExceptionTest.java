package dev.runbook.engine.internal.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FileActionExceptionTest {
  @Test
  void statesWhatWhichPathAndWhyWithoutTheJdksExceptionText() {
    Path env = Path.of("/opt/app/.env");

    FileActionException e =
        FileActionException.io("backup", "read", env, new AccessDeniedException(env.toString()));

    assertThat(e).hasMessage("backup: cannot read /opt/app/.env: permission denied");
    assertThat(e.path()).contains(env);
    assertThat(e.code()).isEqualTo(FileActionException.Code.IO_FAILURE);
  }

  @Test
  void turnsJdkReasonsIntoShortLowerCaseOnes() {
    assertThat(FileActionException.reason(new NoSuchFileException("/x")))
        .isEqualTo("no such file or directory");
    assertThat(
            FileActionException.reason(
                new FileSystemException("/x", null, "No space left on device")))
        .isEqualTo("no space left on device");
    assertThat(FileActionException.reason(new IOException("EIO"))).isEqualTo("EIO");
    assertThat(FileActionException.reason(new IOException())).isEqualTo("IOException");
  }
}
