/* ls: list the simulated working directory: columns on a terminal, one per line otherwise. */
int main(int argc, char *argv[]) {
    const char *files[] = { "a.out", "main.c", "notes.txt" };
    int i;
    for (i = 0; i < 3; i++) {
        if (isatty(1))
            printf(i < 2 ? "%s  " : "%s\n", files[i]);
        else
            printf("%s\n", files[i]);
    }
    return 0;
}
