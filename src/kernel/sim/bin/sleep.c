/* sleep N: pause for N seconds (virtual time in the simulator). */
int main(int argc, char *argv[]) {
    if (argc < 2) {
        fprintf(stderr, "sleep: missing operand\n");
        return 1;
    }
    sleep(atoi(argv[1]));
    return 0;
}
