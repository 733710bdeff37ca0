/* sort: read standard input and write its lines in byte order. */
char text[65536];
char *lines[4096];

int main() {
    long len = 0, n;
    int count = 0, i, j;
    while ((n = read(0, text + len, sizeof(text) - 1 - len)) > 0)
        len += n;
    text[len] = 0;
    char *p = text;
    while (*p && count < 4096) {
        lines[count++] = p;
        while (*p && *p != '\n')
            p++;
        if (*p == '\n')
            *p++ = 0;
    }
    for (i = 1; i < count; i++)
        for (j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
            char *t = lines[j];
            lines[j] = lines[j - 1];
            lines[j - 1] = t;
        }
    for (i = 0; i < count; i++)
        printf("%s\n", lines[i]);
    return 0;
}
