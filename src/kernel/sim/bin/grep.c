/* grep PATTERN [FILE]...: write the lines that contain PATTERN (a fixed string) of each
   FILE (standard input for none), prefixed with the file's name when there are several;
   exit status 0 if a line was found, 1 if none, 2 on a missing file. */
char text[65536];

int search(int fd, char *pattern, char *name) {
    long len = 0, n;
    int found = 0;
    while ((n = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
        len += n;
    text[len] = 0;
    char *line = text;
    while (*line) {
        char *end = strchr(line, '\n');
        if (end)
            *end = 0;
        if (strstr(line, pattern)) {
            if (name)
                printf("%s:", name);
            printf("%s\n", line);
            found = 1;
        }
        if (!end)
            break;
        line = end + 1;
    }
    return found;
}

int main(int argc, char *argv[]) {
    int found = 0, missing = 0;
    if (argc < 2) {
        fprintf(stderr, "Usage: grep PATTERN [FILE]...\n");
        return 2;
    }
    if (argc == 2)
        return search(0, argv[1], NULL) ? 0 : 1;
    for (int i = 2; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY);
        if (fd < 0) {
            fprintf(stderr, "grep: %s: %s\n", argv[i], strerror(errno));
            missing = 1;
            continue;
        }
        found |= search(fd, argv[1], argc > 3 ? argv[i] : NULL);
        close(fd);
    }
    return missing ? 2 : found ? 0 : 1;
}
