/* N processes (argv[1], default 3) each do `tmp = counter; counter = tmp + 1` on a shared
 * counter, as a separate load and store; the parent prints the final value once all are
 * done. Final values 1..N (SPIN twin: race_lean.pml). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int n = 3;
    if (argc > 1)
        n = atoi(argv[1]);
    int *counter = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    *counter = 0;
    for (int i = 0; i < n; i++) {
        if (fork() == 0) {
            int tmp = *counter;
            *counter = tmp + 1;
            exit(0);
        }
    }
    while (wait(NULL) > 0)
        ;
    printf("%d\n", *counter);
    return 0;
}
