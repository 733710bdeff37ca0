/* false: do nothing, unsuccessfully. */
int main() { return 1; }
