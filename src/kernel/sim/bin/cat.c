/* cat [FILE]...: copy each FILE (standard input for none or "-") to standard output, as
   GNU cat does; a missing file is reported and makes the exit status 1. */
int copy(int fd) {
    char buf[4096];
    long n;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        write(1, buf, n);
    return n < 0 ? -1 : 0;
}

int main(int argc, char *argv[]) {
    int status = 0;
    if (argc < 2)
        return copy(0) < 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-") == 0) {
            copy(0);
            continue;
        }
        int fd = open(argv[i], O_RDONLY);
        if (fd < 0) {
            fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
            status = 1;
            continue;
        }
        copy(fd);
        close(fd);
    }
    return status;
}
