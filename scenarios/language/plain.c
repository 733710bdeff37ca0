/* A plain C file, no scenario parts: scn runs it as it is. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    pid_t pid = fork();
    if (pid == 0) {
        printf("child\n");
        exit(EXIT_SUCCESS);
    }
    waitpid(pid, NULL, 0);
    printf("parent\n");
    return EXIT_SUCCESS;
}
