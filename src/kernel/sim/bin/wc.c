/* wc: count lines, words and bytes of standard input, as GNU wc prints them. */
int main() {
    char buf[4096];
    long n, i, lines = 0, words = 0, bytes = 0;
    int in_word = 0;
    while ((n = read(0, buf, sizeof(buf))) > 0) {
        for (i = 0; i < n; i++) {
            char c = buf[i];
            bytes++;
            if (c == '\n')
                lines++;
            if (c == ' ' || c == '\n' || c == '\t') {
                in_word = 0;
            } else if (!in_word) {
                in_word = 1;
                words++;
            }
        }
    }
    printf("%7ld %7ld %7ld\n", lines, words, bytes);
    return 0;
}
