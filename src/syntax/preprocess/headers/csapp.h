/* "csapp.h" and csapp.c of Computer Systems: A Programmer's Perspective (3rd ed.):
   the error-reporting functions and the wrappers of the calls the simulator has; each
   wrapper reports a failed call with unix_error (which exits with status 0, as csapp.c
   does). The Sio functions write with write(2), bypassing stdio. */
#ifndef __CSAPP_H__
#define __CSAPP_H__

#define DEF_MODE (S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)
#define DEF_UMASK (S_IWGRP | S_IWOTH)
#define MAXLINE 8192
#define MAXBUF 8192

typedef void handler_t(int);

void unix_error(char *msg) {
    fprintf(stderr, "%s: %s\n", msg, strerror(errno));
    exit(0);
}

void posix_error(int code, char *msg) {
    fprintf(stderr, "%s: %s\n", msg, strerror(code));
    exit(0);
}

void app_error(char *msg) {
    fprintf(stderr, "%s\n", msg);
    exit(0);
}

pid_t Fork(void) {
    pid_t pid;
    if ((pid = fork()) < 0)
        unix_error("Fork error");
    return pid;
}

void Execve(const char *filename, char *const argv[], char *const envp[]) {
    if (execve(filename, argv, envp) < 0)
        unix_error("Execve error");
}

pid_t Wait(int *status) {
    pid_t pid;
    if ((pid = wait(status)) < 0)
        unix_error("Wait error");
    return pid;
}

pid_t Waitpid(pid_t pid, int *iptr, int options) {
    pid_t retpid;
    if ((retpid = waitpid(pid, iptr, options)) < 0)
        unix_error("Waitpid error");
    return retpid;
}

void Kill(pid_t pid, int signum) {
    if (kill(pid, signum) < 0)
        unix_error("Kill error");
}

void Pause(void) {
    (void) pause();
}

unsigned int Sleep(unsigned int secs) {
    return sleep(secs);
}

unsigned int Alarm(unsigned int seconds) {
    return alarm(seconds);
}

handler_t *Signal(int signum, handler_t *handler) {
    struct sigaction action, old_action;
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (sigaction(signum, &action, &old_action) < 0)
        unix_error("Signal error");
    return old_action.sa_handler;
}

void Sigemptyset(sigset_t *set) {
    if (sigemptyset(set) < 0)
        unix_error("Sigemptyset error");
}

void Sigfillset(sigset_t *set) {
    if (sigfillset(set) < 0)
        unix_error("Sigfillset error");
}

void Sigaddset(sigset_t *set, int signum) {
    if (sigaddset(set, signum) < 0)
        unix_error("Sigaddset error");
}

void Sigdelset(sigset_t *set, int signum) {
    if (sigdelset(set, signum) < 0)
        unix_error("Sigdelset error");
}

void Sigprocmask(int how, const sigset_t *set, sigset_t *oldset) {
    if (sigprocmask(how, set, oldset) < 0)
        unix_error("Sigprocmask error");
}

int Sigismember(const sigset_t *set, int signum) {
    int rc;
    if ((rc = sigismember(set, signum)) < 0)
        unix_error("Sigismember error");
    return rc;
}

int Sigsuspend(const sigset_t *set) {
    int rc = sigsuspend(set); /* always returns -1 */
    if (errno != EINTR)
        unix_error("Sigsuspend error");
    return rc;
}

ssize_t sio_puts(char s[]) {
    return write(STDOUT_FILENO, s, strlen(s));
}

ssize_t sio_putl(long v) {
    char s[128];
    sprintf(s, "%ld", v);
    return sio_puts(s);
}

void sio_error(char s[]) {
    sio_puts(s);
    _exit(1);
}

ssize_t Sio_puts(char s[]) {
    ssize_t n;
    if ((n = sio_puts(s)) < 0)
        sio_error("Sio_puts error");
    return n;
}

ssize_t Sio_putl(long v) {
    ssize_t n;
    if ((n = sio_putl(v)) < 0)
        sio_error("Sio_putl error");
    return n;
}

void Sio_error(char s[]) {
    sio_error(s);
}

int Open(const char *pathname, int flags, mode_t mode) {
    int rc;
    if ((rc = open(pathname, flags, mode)) < 0)
        unix_error("Open error");
    return rc;
}

ssize_t Read(int fd, void *buf, size_t count) {
    ssize_t rc;
    if ((rc = read(fd, buf, count)) < 0)
        unix_error("Read error");
    return rc;
}

ssize_t Write(int fd, const void *buf, size_t count) {
    ssize_t rc;
    if ((rc = write(fd, buf, count)) < 0)
        unix_error("Write error");
    return rc;
}

void Close(int fd) {
    if (close(fd) < 0)
        unix_error("Close error");
}

int Dup2(int fd1, int fd2) {
    int rc;
    if ((rc = dup2(fd1, fd2)) < 0)
        unix_error("Dup2 error");
    return rc;
}

void Pipe(int fd[2]) {
    if (pipe(fd) < 0)
        unix_error("Pipe error");
}

void *Mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset) {
    void *ptr;
    if ((ptr = mmap(addr, len, prot, flags, fd, offset)) == MAP_FAILED)
        unix_error("mmap error");
    return ptr;
}

void Munmap(void *start, size_t length) {
    if (munmap(start, length) < 0)
        unix_error("munmap error");
}

char *Fgets(char *ptr, int n, FILE *stream) {
    return fgets(ptr, n, stream);
}

void Fputs(const char *ptr, FILE *stream) {
    if (fputs(ptr, stream) == EOF)
        unix_error("Fputs error");
}

void *Malloc(size_t size) {
    void *p;
    if ((p = malloc(size)) == NULL)
        unix_error("Malloc error");
    return p;
}

void *Realloc(void *ptr, size_t size) {
    void *p;
    if ((p = realloc(ptr, size)) == NULL)
        unix_error("Realloc error");
    return p;
}

void *Calloc(size_t nmemb, size_t size) {
    void *p;
    if ((p = calloc(nmemb, size)) == NULL)
        unix_error("Calloc error");
    return p;
}

void Free(void *ptr) {
    free(ptr);
}

void Pthread_create(pthread_t *tidp, pthread_attr_t *attrp, void *(*routine)(void *), void *argp) {
    int rc;
    if ((rc = pthread_create(tidp, attrp, routine, argp)) != 0)
        posix_error(rc, "Pthread_create error");
}

void Pthread_join(pthread_t tid, void **thread_return) {
    int rc;
    if ((rc = pthread_join(tid, thread_return)) != 0)
        posix_error(rc, "Pthread_join error");
}

void Pthread_exit(void *retval) {
    pthread_exit(retval);
}

pthread_t Pthread_self(void) {
    return pthread_self();
}

void Sem_init(sem_t *sem, int pshared, unsigned int value) {
    if (sem_init(sem, pshared, value) < 0)
        unix_error("Sem_init error");
}

void P(sem_t *sem) {
    if (sem_wait(sem) < 0)
        unix_error("P error");
}

void V(sem_t *sem) {
    if (sem_post(sem) < 0)
        unix_error("V error");
}

#endif
