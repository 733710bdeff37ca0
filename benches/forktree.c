/* A parent forks N children (argv[1], default 4); each prints one distinct line; the parent
 * waits for them all and prints "done". Distinct outputs: N! (SPIN twin: forktree.pml). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int n = 4;
    if (argc > 1)
        n = atoi(argv[1]);
    for (int i = 0; i < n; i++) {
        if (fork() == 0) {
            printf("child %d\n", i);
            exit(0);
        }
    }
    while (wait(NULL) > 0)
        ;
    printf("done\n");
    return 0;
}
