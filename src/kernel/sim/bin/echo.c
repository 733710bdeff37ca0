/* echo [-n] [string ...]: write the arguments, separated by spaces. */
int main(int argc, char *argv[]) {
    int first = 1, newline = 1, i = 1;
    if (argc > 1 && strcmp(argv[1], "-n") == 0) {
        newline = 0;
        i = 2;
    }
    for (; i < argc; i++) {
        if (!first)
            putchar(' ');
        fputs(argv[i], stdout);
        first = 0;
    }
    if (newline)
        putchar('\n');
    return 0;
}
