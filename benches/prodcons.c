/* P producers (argv[1]) each send M items (argv[2]) as 2-byte messages (producer, index)
 * through one pipe to a consumer that checks per-producer order; pipe capacity K messages
 * is set with --config pipe_capacity=2K (SPIN twin: prodcons.pml). One outcome: "ok". */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int p = 2, m = 2;
    if (argc > 2) {
        p = atoi(argv[1]);
        m = atoi(argv[2]);
    }
    int fd[2];
    pipe(fd);
    for (int i = 0; i < p; i++) {
        if (fork() == 0) {
            close(fd[0]);
            for (int j = 0; j < m; j++) {
                char msg[2];
                msg[0] = i;
                msg[1] = j;
                write(fd[1], msg, 2);
            }
            exit(0);
        }
    }
    close(fd[1]);
    int next[64];
    for (int i = 0; i < p; i++)
        next[i] = 0;
    int ok = 1;
    char msg[2];
    while (read(fd[0], msg, 2) == 2) {
        if (msg[1] != next[msg[0]])
            ok = 0;
        next[msg[0]] = msg[1] + 1;
    }
    while (wait(NULL) > 0)
        ;
    printf(ok ? "ok\n" : "out of order\n");
    return 0;
}
