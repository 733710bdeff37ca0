/* cat (and more): copy standard input to standard output (the simulator has no files to name). */
int main(int argc, char *argv[]) {
    char buf[4096];
    long n;
    if (argc > 1 && strcmp(argv[1], "-") != 0) {
        fprintf(stderr, "%s: %s: No such file or directory\n", argv[0], argv[1]);
        return 1;
    }
    while ((n = read(0, buf, sizeof(buf))) > 0)
        write(1, buf, n);
    return 0;
}
