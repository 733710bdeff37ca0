/* ps: a process listing in the shape of procps' default output (this process only). */
int main() {
    printf("    PID TTY          TIME CMD\n");
    printf("%7d pts/0    00:00:00 ps\n", getpid());
    return 0;
}
