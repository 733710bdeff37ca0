/* wc [FILE]...: lines, words and bytes of each FILE (standard input for none), then a
   total line for several, as GNU wc prints them: numbers 7 wide for standard input,
   otherwise as wide as the total byte count; a missing file is reported and makes the
   exit status 1. */
long counts[3];
long totals[3];

int count(int fd) {
    char buf[4096];
    long n, i;
    int in_word = 0;
    counts[0] = counts[1] = counts[2] = 0;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        for (i = 0; i < n; i++) {
            char c = buf[i];
            counts[2]++;
            if (c == '\n')
                counts[0]++;
            if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f') {
                in_word = 0;
            } else if (!in_word) {
                in_word = 1;
                counts[1]++;
            }
        }
    }
    for (i = 0; i < 3; i++)
        totals[i] += counts[i];
    return n < 0 ? -1 : 0;
}

void show(long *c, int width, char *name) {
    printf("%*ld %*ld %*ld", width, c[0], width, c[1], width, c[2]);
    if (name)
        printf(" %s", name);
    printf("\n");
}

int main(int argc, char *argv[]) {
    if (argc < 2) {
        count(0);
        show(counts, 7, NULL);
        return 0;
    }
    int status = 0;
    long size = 0;
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY);
        if (fd >= 0) {
            size += lseek(fd, 0, SEEK_END);
            close(fd);
        }
    }
    int width = 1;
    for (long s = size; s >= 10; s /= 10)
        width++;
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY);
        if (fd < 0) {
            fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno));
            status = 1;
            continue;
        }
        count(fd);
        close(fd);
        show(counts, width, argv[i]);
    }
    if (argc > 2)
        show(totals, width, "total");
    return status;
}
