/*
 * floor N JOURNAL [setsid]: the least work a step of a durable runbook engine does, N times:
 * append an intent line to JOURNAL and fdatasync it, posix_spawn `sh -c true` and wait for it,
 * append a result line and fdatasync it. The C baseline of the runbook benchmark (bench/run).
 *
 * With `setsid`, the child is `setsid -- sh -c true`: the step in a session of its own the way a
 * JVM can put it there (it has no setsid() of its own to call between fork and exec), at the
 * price of a second exec per step.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void record(int fd, long seq, const char *type, long step) {
  char line[128];
  int n = snprintf(line, sizeof line, "{\"seq\":%ld,\"type\":\"%s\",\"step\":\"s%ld\"}\n",
                   seq, type, step);
  if (write(fd, line, n) != n || fdatasync(fd) != 0) {
    perror("floor: journal");
    exit(1);
  }
}

int main(int argc, char **argv) {
  int session = argc == 4 && strcmp(argv[3], "setsid") == 0;
  if (argc != 3 && !session) {
    fprintf(stderr, "usage: floor N JOURNAL [setsid]\n");
    return 2;
  }
  long n = atol(argv[1]);
  int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
  if (fd < 0) {
    perror("floor: open");
    return 1;
  }
  char *plain[] = {"sh", "-c", "true", NULL};
  char *in_session[] = {"setsid", "--", "/bin/sh", "-c", "true", NULL};
  char **child = session ? in_session : plain;
  const char *program = session ? "/usr/bin/setsid" : "/bin/sh";
  for (long i = 1; i <= n; i++) {
    record(fd, i * 2 - 1, "step_started", i);
    pid_t pid;
    int err = posix_spawn(&pid, program, NULL, NULL, child, environ);
    if (err != 0) {
      fprintf(stderr, "floor: posix_spawn: %s\n", strerror(err));
      return 1;
    }
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fprintf(stderr, "floor: %s failed\n", program);
      return 1;
    }
    record(fd, i * 2, "step_succeeded", i);
  }
  return close(fd);
}
