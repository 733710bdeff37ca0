/* true: do nothing, successfully. */
int main() { return 0; }
