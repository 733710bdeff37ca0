/* grep PATTERN: write the lines of standard input that contain PATTERN. */
char text[65536];

int main(int argc, char *argv[]) {
    long len = 0, n;
    int found = 0;
    if (argc < 2) {
        fprintf(stderr, "Usage: grep PATTERN\n");
        return 2;
    }
    while ((n = read(0, text + len, sizeof(text) - 1 - len)) > 0)
        len += n;
    text[len] = 0;
    char *line = text;
    while (*line) {
        char *end = strchr(line, '\n');
        if (end)
            *end = 0;
        if (strstr(line, argv[1])) {
            printf("%s\n", line);
            found = 1;
        }
        if (!end)
            break;
        line = end + 1;
    }
    return found ? 0 : 1;
}
