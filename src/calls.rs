//! The catalogue of library functions, system calls and constants a scenario may use: their
//! C signatures (for diagnostics), arities (for the checker) and identities (for the VM).
//!
//! Semantics are given on each call's implementation in `vm/` (library calls, run inside the
//! process) or `kernel/` (system calls, which are scheduling points).

use crate::errno;

/// Every function a scenario can call without defining it.
///
/// The names are the POSIX / C library names; `Spawn` is scenario sugar and `Send`/`Receive`
/// the textbook's abstract message passing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum Call {
    // Processes.
    Fork,
    Exit,
    UnderscoreExit,
    Abort,
    /// What `assert` (from the built-in `<assert.h>`) calls when its expression is false.
    AssertFail,
    Atexit,
    Wait,
    Waitpid,
    Getpid,
    Getppid,
    Execl,
    Execlp,
    Execle,
    Execv,
    Execvp,
    Execve,
    Sleep,
    Usleep,
    System,
    // Status macros, evaluated in the process.
    Wifexited,
    Wexitstatus,
    Wifsignaled,
    Wtermsig,
    Wifstopped,
    // stdio.
    Printf,
    Fprintf,
    Dprintf,
    Sprintf,
    Snprintf,
    Puts,
    Fputs,
    Putchar,
    Fputc,
    Fflush,
    Setvbuf,
    Setbuf,
    Perror,
    Getchar,
    Fgets,
    Scanf,
    // Strings and memory.
    Strlen,
    Strcpy,
    Strncpy,
    Strcmp,
    Strncmp,
    Strcat,
    Strncat,
    Strchr,
    Strrchr,
    Strstr,
    Strdup,
    Strerror,
    Memset,
    Memcpy,
    Memmove,
    Memcmp,
    Malloc,
    Calloc,
    Realloc,
    Free,
    Atoi,
    Atol,
    Abs,
    Rand,
    Srand,
    Time,
    Isatty,
    // File descriptors and IPC.
    Pipe,
    Read,
    Write,
    Close,
    Dup,
    Dup2,
    Mkfifo,
    Open,
    Unlink,
    Lseek,
    Sigprocmask,
    Sigsuspend,
    Sigpending,
    Sigismember,
    Strtol,
    Strtoll,
    Strtoul,
    Strtoull,
    Strtok,
    Sscanf,
    Ftok,
    Msgget,
    Msgsnd,
    Msgrcv,
    Msgctl,
    Shmget,
    Shmat,
    Shmdt,
    Shmctl,
    ShmOpen,
    ShmUnlink,
    Ftruncate,
    Mmap,
    Munmap,
    Socket,
    Socketpair,
    Bind,
    Listen,
    Accept,
    Connect,
    Send,
    Recv,
    // Signals.
    Kill,
    Signal,
    Sigaction,
    Sigemptyset,
    Sigfillset,
    Sigaddset,
    Sigdelset,
    Raise,
    Pause,
    Alarm,
    // Threads and synchronisation.
    PthreadCreate,
    PthreadJoin,
    PthreadExit,
    PthreadSelf,
    PthreadMutexInit,
    PthreadMutexLock,
    PthreadMutexUnlock,
    PthreadMutexDestroy,
    PthreadMutexTrylock,
    PthreadEqual,
    PthreadDetach,
    PthreadAttrInit,
    PthreadAttrDestroy,
    PthreadCondInit,
    PthreadCondWait,
    PthreadCondSignal,
    PthreadCondBroadcast,
    PthreadCondDestroy,
    SemInit,
    SemWait,
    SemTrywait,
    SemPost,
    SemDestroy,
    SemOpen,
    SemClose,
    SemUnlink,
    SemGetvalue,
    // The textbook's message passing (no POSIX name).
    Mailbox,
    MsgReceive,
    MsgTrySend,
    MsgTryReceive,
}

/// How a call is carried out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    /// Runs inside the process (C library code): not a scheduling point by itself, though
    /// it may end in a system call (e.g. `printf` flushing a line is a `write`).
    Library,
    /// A system call: the kernel performs it, and it is a scheduling point.
    System,
}

/// One catalogue entry.
#[derive(Clone, Copy, Debug)]
pub struct CallInfo {
    /// The call.
    pub call: Call,
    /// The name a scenario uses.
    pub name: &'static str,
    /// The C prototype, shown in diagnostics' help text.
    pub signature: &'static str,
    /// Fewest arguments accepted.
    pub min_args: usize,
    /// Most arguments accepted; `None` for variadic calls (`printf`, `execl`).
    pub max_args: Option<usize>,
    /// Library or system call.
    pub kind: CallKind,
}

macro_rules! catalogue {
    ($( $call:ident $name:literal $kind:ident $min:literal $max:tt $sig:literal ;)*) => {
        /// Every call, in catalogue order.
        pub const CALLS: &[CallInfo] = &[
            $( CallInfo {
                call: Call::$call,
                name: $name,
                signature: $sig,
                min_args: $min,
                max_args: catalogue!(@max $max),
                kind: CallKind::$kind,
            }, )*
        ];
    };
    (@max _) => { None };
    (@max $n:literal) => { Some($n) };
}

catalogue! {
    Fork "fork" System 0 0 "pid_t fork(void)";
    Exit "exit" Library 1 1 "void exit(int status)";
    UnderscoreExit "_exit" System 1 1 "void _exit(int status)";
    Abort "abort" Library 0 0 "void abort(void)";
    Atexit "atexit" Library 1 1 "int atexit(void (*function)(void))";
    Wait "wait" System 1 1 "pid_t wait(int *wstatus)";
    Waitpid "waitpid" System 3 3 "pid_t waitpid(pid_t pid, int *wstatus, int options)";
    Getpid "getpid" System 0 0 "pid_t getpid(void)";
    Getppid "getppid" System 0 0 "pid_t getppid(void)";
    Execl "execl" System 1 _ "int execl(const char *path, const char *arg, ... /*, (char *) NULL */)";
    Execlp "execlp" System 1 _ "int execlp(const char *file, const char *arg, ... /*, (char *) NULL */)";
    Execle "execle" System 1 _ "int execle(const char *path, const char *arg, ... /*, (char *) NULL, char *const envp[] */)";
    Execv "execv" System 2 2 "int execv(const char *path, char *const argv[])";
    Execvp "execvp" System 2 2 "int execvp(const char *file, char *const argv[])";
    Execve "execve" System 3 3 "int execve(const char *path, char *const argv[], char *const envp[])";
    Sleep "sleep" System 1 1 "unsigned int sleep(unsigned int seconds)";
    Usleep "usleep" System 1 1 "int usleep(useconds_t usec)";
    System "system" Library 1 1 "int system(const char *command)";
    Wifexited "WIFEXITED" Library 1 1 "int WIFEXITED(int wstatus)";
    Wexitstatus "WEXITSTATUS" Library 1 1 "int WEXITSTATUS(int wstatus)";
    Wifsignaled "WIFSIGNALED" Library 1 1 "int WIFSIGNALED(int wstatus)";
    Wtermsig "WTERMSIG" Library 1 1 "int WTERMSIG(int wstatus)";
    Wifstopped "WIFSTOPPED" Library 1 1 "int WIFSTOPPED(int wstatus)";
    Printf "printf" Library 1 _ "int printf(const char *format, ...)";
    Fprintf "fprintf" Library 2 _ "int fprintf(FILE *stream, const char *format, ...)";
    Dprintf "dprintf" Library 2 _ "int dprintf(int fd, const char *format, ...)";
    Sprintf "sprintf" Library 2 _ "int sprintf(char *str, const char *format, ...)";
    Snprintf "snprintf" Library 3 _ "int snprintf(char *str, size_t size, const char *format, ...)";
    Puts "puts" Library 1 1 "int puts(const char *s)";
    Fputs "fputs" Library 2 2 "int fputs(const char *s, FILE *stream)";
    Putchar "putchar" Library 1 1 "int putchar(int c)";
    Fputc "fputc" Library 2 2 "int fputc(int c, FILE *stream)";
    Fflush "fflush" Library 1 1 "int fflush(FILE *stream)";
    Setvbuf "setvbuf" Library 4 4 "int setvbuf(FILE *stream, char *buf, int mode, size_t size)";
    Setbuf "setbuf" Library 2 2 "void setbuf(FILE *stream, char *buf)";
    Perror "perror" Library 1 1 "void perror(const char *s)";
    Getchar "getchar" Library 0 0 "int getchar(void)";
    Fgets "fgets" Library 3 3 "char *fgets(char *s, int size, FILE *stream)";
    Scanf "scanf" Library 1 _ "int scanf(const char *format, ...)";
    Strlen "strlen" Library 1 1 "size_t strlen(const char *s)";
    Strcpy "strcpy" Library 2 2 "char *strcpy(char *dest, const char *src)";
    Strncpy "strncpy" Library 3 3 "char *strncpy(char *dest, const char *src, size_t n)";
    Strcmp "strcmp" Library 2 2 "int strcmp(const char *s1, const char *s2)";
    Strncmp "strncmp" Library 3 3 "int strncmp(const char *s1, const char *s2, size_t n)";
    Strcat "strcat" Library 2 2 "char *strcat(char *dest, const char *src)";
    Strncat "strncat" Library 3 3 "char *strncat(char *dest, const char *src, size_t n)";
    Strchr "strchr" Library 2 2 "char *strchr(const char *s, int c)";
    Strrchr "strrchr" Library 2 2 "char *strrchr(const char *s, int c)";
    Strstr "strstr" Library 2 2 "char *strstr(const char *haystack, const char *needle)";
    Strdup "strdup" Library 1 1 "char *strdup(const char *s)";
    Strerror "strerror" Library 1 1 "char *strerror(int errnum)";
    Memset "memset" Library 3 3 "void *memset(void *s, int c, size_t n)";
    Memcpy "memcpy" Library 3 3 "void *memcpy(void *dest, const void *src, size_t n)";
    Memmove "memmove" Library 3 3 "void *memmove(void *dest, const void *src, size_t n)";
    Memcmp "memcmp" Library 3 3 "int memcmp(const void *s1, const void *s2, size_t n)";
    Malloc "malloc" Library 1 1 "void *malloc(size_t size)";
    Calloc "calloc" Library 2 2 "void *calloc(size_t nmemb, size_t size)";
    Realloc "realloc" Library 2 2 "void *realloc(void *ptr, size_t size)";
    Free "free" Library 1 1 "void free(void *ptr)";
    Atoi "atoi" Library 1 1 "int atoi(const char *nptr)";
    Atol "atol" Library 1 1 "long atol(const char *nptr)";
    Abs "abs" Library 1 1 "int abs(int j)";
    Rand "rand" Library 0 0 "int rand(void)";
    Srand "srand" Library 1 1 "void srand(unsigned int seed)";
    Time "time" Library 1 1 "time_t time(time_t *tloc)";
    Isatty "isatty" System 1 1 "int isatty(int fd)";
    Pipe "pipe" System 1 1 "int pipe(int pipefd[2])";
    Read "read" System 3 3 "ssize_t read(int fd, void *buf, size_t count)";
    Write "write" System 3 3 "ssize_t write(int fd, const void *buf, size_t count)";
    Close "close" System 1 1 "int close(int fd)";
    Dup "dup" System 1 1 "int dup(int oldfd)";
    Dup2 "dup2" System 2 2 "int dup2(int oldfd, int newfd)";
    Mkfifo "mkfifo" System 2 2 "int mkfifo(const char *pathname, mode_t mode)";
    Open "open" System 2 3 "int open(const char *pathname, int flags, /* mode_t mode */ ...)";
    Unlink "unlink" System 1 1 "int unlink(const char *pathname)";
    Ftok "ftok" Library 2 2 "key_t ftok(const char *pathname, int proj_id)";
    Msgget "msgget" System 2 2 "int msgget(key_t key, int msgflg)";
    Msgsnd "msgsnd" System 4 4 "int msgsnd(int msqid, const void *msgp, size_t msgsz, int msgflg)";
    Msgrcv "msgrcv" System 5 5 "ssize_t msgrcv(int msqid, void *msgp, size_t msgsz, long msgtyp, int msgflg)";
    Msgctl "msgctl" System 3 3 "int msgctl(int msqid, int cmd, struct msqid_ds *buf)";
    Shmget "shmget" System 3 3 "int shmget(key_t key, size_t size, int shmflg)";
    Shmat "shmat" System 3 3 "void *shmat(int shmid, const void *shmaddr, int shmflg)";
    Shmdt "shmdt" System 1 1 "int shmdt(const void *shmaddr)";
    Shmctl "shmctl" System 3 3 "int shmctl(int shmid, int cmd, struct shmid_ds *buf)";
    ShmOpen "shm_open" System 3 3 "int shm_open(const char *name, int oflag, mode_t mode)";
    ShmUnlink "shm_unlink" System 1 1 "int shm_unlink(const char *name)";
    Ftruncate "ftruncate" System 2 2 "int ftruncate(int fd, off_t length)";
    Mmap "mmap" System 6 6 "void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)";
    Munmap "munmap" System 2 2 "int munmap(void *addr, size_t length)";
    Socket "socket" System 3 3 "int socket(int domain, int type, int protocol)";
    Socketpair "socketpair" System 4 4 "int socketpair(int domain, int type, int protocol, int sv[2])";
    Bind "bind" System 3 3 "int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen)";
    Listen "listen" System 2 2 "int listen(int sockfd, int backlog)";
    Accept "accept" System 3 3 "int accept(int sockfd, struct sockaddr *addr, socklen_t *addrlen)";
    Connect "connect" System 3 3 "int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen)";
    Send "send" System 2 4 "ssize_t send(int sockfd, const void *buf, size_t len, int flags)  /  send(mailbox, message)";
    Recv "recv" System 4 4 "ssize_t recv(int sockfd, void *buf, size_t len, int flags)";
    Kill "kill" System 2 2 "int kill(pid_t pid, int sig)";
    Signal "signal" System 2 2 "sighandler_t signal(int signum, sighandler_t handler)";
    Sigaction "sigaction" System 3 3 "int sigaction(int signum, const struct sigaction *act, struct sigaction *oldact)";
    Sigemptyset "sigemptyset" Library 1 1 "int sigemptyset(sigset_t *set)";
    Sigfillset "sigfillset" Library 1 1 "int sigfillset(sigset_t *set)";
    Sigaddset "sigaddset" Library 2 2 "int sigaddset(sigset_t *set, int signum)";
    Sigdelset "sigdelset" Library 2 2 "int sigdelset(sigset_t *set, int signum)";
    Raise "raise" System 1 1 "int raise(int sig)";
    Pause "pause" System 0 0 "int pause(void)";
    Alarm "alarm" System 1 1 "unsigned int alarm(unsigned int seconds)";
    PthreadCreate "pthread_create" System 4 4 "int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start_routine)(void *), void *arg)";
    PthreadJoin "pthread_join" System 2 2 "int pthread_join(pthread_t thread, void **retval)";
    PthreadExit "pthread_exit" System 1 1 "void pthread_exit(void *retval)";
    PthreadSelf "pthread_self" Library 0 0 "pthread_t pthread_self(void)";
    PthreadMutexInit "pthread_mutex_init" Library 2 2 "int pthread_mutex_init(pthread_mutex_t *mutex, const pthread_mutexattr_t *attr)";
    PthreadMutexLock "pthread_mutex_lock" System 1 1 "int pthread_mutex_lock(pthread_mutex_t *mutex)";
    PthreadMutexUnlock "pthread_mutex_unlock" System 1 1 "int pthread_mutex_unlock(pthread_mutex_t *mutex)";
    PthreadMutexDestroy "pthread_mutex_destroy" Library 1 1 "int pthread_mutex_destroy(pthread_mutex_t *mutex)";
    PthreadMutexTrylock "pthread_mutex_trylock" System 1 1 "int pthread_mutex_trylock(pthread_mutex_t *mutex)";
    PthreadEqual "pthread_equal" Library 2 2 "int pthread_equal(pthread_t t1, pthread_t t2)";
    PthreadDetach "pthread_detach" Library 1 1 "int pthread_detach(pthread_t thread)";
    PthreadAttrInit "pthread_attr_init" Library 1 1 "int pthread_attr_init(pthread_attr_t *attr)";
    PthreadAttrDestroy "pthread_attr_destroy" Library 1 1 "int pthread_attr_destroy(pthread_attr_t *attr)";
    PthreadCondInit "pthread_cond_init" Library 2 2 "int pthread_cond_init(pthread_cond_t *cond, const pthread_condattr_t *attr)";
    PthreadCondWait "pthread_cond_wait" System 2 2 "int pthread_cond_wait(pthread_cond_t *cond, pthread_mutex_t *mutex)";
    PthreadCondSignal "pthread_cond_signal" System 1 1 "int pthread_cond_signal(pthread_cond_t *cond)";
    PthreadCondBroadcast "pthread_cond_broadcast" System 1 1 "int pthread_cond_broadcast(pthread_cond_t *cond)";
    PthreadCondDestroy "pthread_cond_destroy" Library 1 1 "int pthread_cond_destroy(pthread_cond_t *cond)";
    SemInit "sem_init" System 3 3 "int sem_init(sem_t *sem, int pshared, unsigned int value)";
    SemWait "sem_wait" System 1 1 "int sem_wait(sem_t *sem)";
    SemTrywait "sem_trywait" System 1 1 "int sem_trywait(sem_t *sem)";
    SemPost "sem_post" System 1 1 "int sem_post(sem_t *sem)";
    SemDestroy "sem_destroy" System 1 1 "int sem_destroy(sem_t *sem)";
    SemOpen "sem_open" System 2 4 "sem_t *sem_open(const char *name, int oflag, /* mode_t mode, unsigned int value */ ...)";
    SemClose "sem_close" System 1 1 "int sem_close(sem_t *sem)";
    SemUnlink "sem_unlink" System 1 1 "int sem_unlink(const char *name)";
    SemGetvalue "sem_getvalue" System 2 2 "int sem_getvalue(sem_t *sem, int *sval)";
    Mailbox "mailbox" System 1 1 "mailbox_t mailbox(int capacity)  /* -1 = unbounded, 0 = rendezvous */";
    MsgReceive "receive" System 2 2 "int receive(mailbox_t box, long *message)";
    MsgTrySend "try_send" System 2 2 "int try_send(mailbox_t box, long message)";
    MsgTryReceive "try_receive" System 2 2 "int try_receive(mailbox_t box, long *message)";
    AssertFail "__assert_fail" Library 4 4 "void __assert_fail(const char *assertion, const char *file, unsigned int line, const char *function)";
    Lseek "lseek" System 3 3 "off_t lseek(int fd, off_t offset, int whence)";
    Sigprocmask "sigprocmask" System 3 3 "int sigprocmask(int how, const sigset_t *set, sigset_t *oldset)";
    Sigsuspend "sigsuspend" System 1 1 "int sigsuspend(const sigset_t *mask)";
    Sigpending "sigpending" System 1 1 "int sigpending(sigset_t *set)";
    Sigismember "sigismember" Library 2 2 "int sigismember(const sigset_t *set, int signum)";
    Strtol "strtol" Library 3 3 "long strtol(const char *nptr, char **endptr, int base)";
    Strtoll "strtoll" Library 3 3 "long long strtoll(const char *nptr, char **endptr, int base)";
    Strtoul "strtoul" Library 3 3 "unsigned long strtoul(const char *nptr, char **endptr, int base)";
    Strtoull "strtoull" Library 3 3 "unsigned long long strtoull(const char *nptr, char **endptr, int base)";
    Strtok "strtok" Library 2 2 "char *strtok(char *str, const char *delim)";
    Sscanf "sscanf" Library 2 _ "int sscanf(const char *str, const char *format, ...)";
}

/// Looks a call up by the name a scenario uses.
pub fn lookup(name: &str) -> Option<&'static CallInfo> {
    CALLS.iter().find(|info| info.name == name)
}

/// The catalogue entry of `call`.
pub fn info(call: Call) -> &'static CallInfo {
    CALLS
        .iter()
        .find(|info| info.call == call)
        .expect("every Call variant has a catalogue entry")
}

/// A predefined name: `NULL`, `stdout`, `SIGINT`, `WNOHANG`, `O_RDONLY`, …
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Constant {
    /// An integer constant with its Linux x86-64 value.
    Int(i64),
    /// One of the three standard streams (`stdin` = 0, `stdout` = 1, `stderr` = 2).
    Stream(u8),
}

/// Predefined constants with their Linux x86-64 values (from the glibc headers).
pub const CONSTANTS: &[(&str, Constant)] = &[
    ("NULL", Constant::Int(0)),
    ("true", Constant::Int(1)),
    ("false", Constant::Int(0)),
    ("EXIT_SUCCESS", Constant::Int(0)),
    ("EXIT_FAILURE", Constant::Int(1)),
    ("EOF", Constant::Int(-1)),
    ("stdin", Constant::Stream(0)),
    ("stdout", Constant::Stream(1)),
    ("stderr", Constant::Stream(2)),
    ("STDIN_FILENO", Constant::Int(0)),
    ("STDOUT_FILENO", Constant::Int(1)),
    ("STDERR_FILENO", Constant::Int(2)),
    ("WNOHANG", Constant::Int(1)),
    ("WUNTRACED", Constant::Int(2)),
    ("_IOFBF", Constant::Int(0)),
    ("_IOLBF", Constant::Int(1)),
    ("_IONBF", Constant::Int(2)),
    ("BUFSIZ", Constant::Int(8192)),
    ("PIPE_BUF", Constant::Int(4096)),
    ("O_RDONLY", Constant::Int(0)),
    ("O_WRONLY", Constant::Int(1)),
    ("O_RDWR", Constant::Int(2)),
    ("O_CREAT", Constant::Int(0o100)),
    ("O_EXCL", Constant::Int(0o200)),
    ("O_TRUNC", Constant::Int(0o1000)),
    ("O_APPEND", Constant::Int(0o2000)),
    ("O_NONBLOCK", Constant::Int(0o4000)),
    ("SEEK_SET", Constant::Int(0)),
    ("SEEK_CUR", Constant::Int(1)),
    ("SEEK_END", Constant::Int(2)),
    ("S_IRWXU", Constant::Int(0o700)),
    ("S_IRUSR", Constant::Int(0o400)),
    ("S_IWUSR", Constant::Int(0o200)),
    ("S_IXUSR", Constant::Int(0o100)),
    ("S_IRWXG", Constant::Int(0o70)),
    ("S_IRGRP", Constant::Int(0o40)),
    ("S_IWGRP", Constant::Int(0o20)),
    ("S_IXGRP", Constant::Int(0o10)),
    ("S_IRWXO", Constant::Int(0o7)),
    ("S_IROTH", Constant::Int(0o4)),
    ("S_IWOTH", Constant::Int(0o2)),
    ("S_IXOTH", Constant::Int(0o1)),
    ("IPC_PRIVATE", Constant::Int(0)),
    ("IPC_CREAT", Constant::Int(0o1000)),
    ("IPC_EXCL", Constant::Int(0o2000)),
    ("IPC_NOWAIT", Constant::Int(0o4000)),
    ("IPC_RMID", Constant::Int(0)),
    ("IPC_SET", Constant::Int(1)),
    ("IPC_STAT", Constant::Int(2)),
    ("MSG_NOERROR", Constant::Int(0o10000)),
    ("PROT_NONE", Constant::Int(0)),
    ("PROT_READ", Constant::Int(1)),
    ("PROT_WRITE", Constant::Int(2)),
    ("MAP_SHARED", Constant::Int(1)),
    ("MAP_PRIVATE", Constant::Int(2)),
    ("MAP_ANONYMOUS", Constant::Int(0x20)),
    ("MAP_ANON", Constant::Int(0x20)),
    ("MAP_FAILED", Constant::Int(-1)),
    ("AF_UNIX", Constant::Int(1)),
    ("AF_LOCAL", Constant::Int(1)),
    ("PF_UNIX", Constant::Int(1)),
    ("SOCK_STREAM", Constant::Int(1)),
    ("SOCK_DGRAM", Constant::Int(2)),
    ("SIGHUP", Constant::Int(1)),
    ("SIGINT", Constant::Int(2)),
    ("SIGQUIT", Constant::Int(3)),
    ("SIGILL", Constant::Int(4)),
    ("SIGABRT", Constant::Int(6)),
    ("SIGFPE", Constant::Int(8)),
    ("SIGKILL", Constant::Int(9)),
    ("SIGUSR1", Constant::Int(10)),
    ("SIGSEGV", Constant::Int(11)),
    ("SIGUSR2", Constant::Int(12)),
    ("SIGPIPE", Constant::Int(13)),
    ("SIGALRM", Constant::Int(14)),
    ("SIGTERM", Constant::Int(15)),
    ("SIGCHLD", Constant::Int(17)),
    ("SIGCONT", Constant::Int(18)),
    ("SIGSTOP", Constant::Int(19)),
    ("SIGTSTP", Constant::Int(20)),
    ("SA_NOCLDSTOP", Constant::Int(1)),
    ("SA_SIGINFO", Constant::Int(4)),
    ("SA_RESTART", Constant::Int(0x1000_0000)),
    ("SA_NODEFER", Constant::Int(0x4000_0000)),
    ("SA_RESETHAND", Constant::Int(0x8000_0000)),
    ("SIG_BLOCK", Constant::Int(0)),
    ("SIG_UNBLOCK", Constant::Int(1)),
    ("SIG_SETMASK", Constant::Int(2)),
    ("SIG_DFL", Constant::Int(0)),
    ("SIG_IGN", Constant::Int(1)),
    ("SIG_ERR", Constant::Int(-1)),
    ("PTHREAD_MUTEX_INITIALIZER", Constant::Int(0)),
    ("PTHREAD_COND_INITIALIZER", Constant::Int(0)),
    ("SEM_FAILED", Constant::Int(0)),
    ("UNBOUNDED", Constant::Int(-1)),
    ("EPERM", Constant::Int(errno::EPERM as i64)),
    ("EBUSY", Constant::Int(errno::EBUSY as i64)),
    ("EDEADLK", Constant::Int(errno::EDEADLK as i64)),
    ("ENOENT", Constant::Int(errno::ENOENT as i64)),
    ("ESRCH", Constant::Int(errno::ESRCH as i64)),
    ("EINTR", Constant::Int(errno::EINTR as i64)),
    ("ENXIO", Constant::Int(errno::ENXIO as i64)),
    ("E2BIG", Constant::Int(errno::E2BIG as i64)),
    ("EBADF", Constant::Int(errno::EBADF as i64)),
    ("ECHILD", Constant::Int(errno::ECHILD as i64)),
    ("EAGAIN", Constant::Int(errno::EAGAIN as i64)),
    ("ENOMEM", Constant::Int(errno::ENOMEM as i64)),
    ("EACCES", Constant::Int(errno::EACCES as i64)),
    ("EEXIST", Constant::Int(errno::EEXIST as i64)),
    ("EINVAL", Constant::Int(errno::EINVAL as i64)),
    ("EISDIR", Constant::Int(errno::EISDIR as i64)),
    ("ESPIPE", Constant::Int(errno::ESPIPE as i64)),
    ("EMFILE", Constant::Int(errno::EMFILE as i64)),
    ("EPIPE", Constant::Int(errno::EPIPE as i64)),
    ("ERANGE", Constant::Int(errno::ERANGE as i64)),
    ("ENOSYS", Constant::Int(errno::ENOSYS as i64)),
    ("ENOMSG", Constant::Int(errno::ENOMSG as i64)),
    ("EIDRM", Constant::Int(errno::EIDRM as i64)),
    ("ENOTSOCK", Constant::Int(errno::ENOTSOCK as i64)),
    ("EADDRINUSE", Constant::Int(errno::EADDRINUSE as i64)),
    ("EISCONN", Constant::Int(errno::EISCONN as i64)),
    ("ENOTCONN", Constant::Int(errno::ENOTCONN as i64)),
    ("ECONNREFUSED", Constant::Int(errno::ECONNREFUSED as i64)),
    ("RAND_MAX", Constant::Int(2147483647)),
];

/// Looks a predefined constant up by name.
pub fn constant(name: &str) -> Option<Constant> {
    CONSTANTS.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

/// Typedef names every scenario knows without declaring them, with the C type they stand for
/// (LP64: `long` is 8 bytes). Opaque library types (`sem_t`, `pthread_t`) are sized as glibc
/// sizes them so `sizeof` agrees with the real kernel.
pub const BUILTIN_TYPEDEFS: &[(&str, &str)] = &[
    ("pid_t", "int"),
    ("size_t", "unsigned long"),
    ("ssize_t", "long"),
    ("off_t", "long"),
    ("key_t", "int"),
    ("mode_t", "unsigned int"),
    ("uid_t", "unsigned int"),
    ("time_t", "long"),
    ("useconds_t", "unsigned int"),
    ("socklen_t", "unsigned int"),
    ("sighandler_t", "void (*)(int)"),
    ("sig_atomic_t", "int"),
    ("sigset_t", "char[128]"),
    ("int8_t", "char"),
    ("uint8_t", "unsigned char"),
    ("int16_t", "short"),
    ("uint16_t", "unsigned short"),
    ("int32_t", "int"),
    ("uint32_t", "unsigned int"),
    ("int64_t", "long"),
    ("uint64_t", "unsigned long"),
    ("intptr_t", "long"),
    ("uintptr_t", "unsigned long"),
    ("pthread_t", "unsigned long"),
    ("pthread_attr_t", "char[56]"),
    ("pthread_mutex_t", "char[40]"),
    ("pthread_mutexattr_t", "char[4]"),
    ("pthread_cond_t", "char[48]"),
    ("pthread_condattr_t", "char[4]"),
    ("sem_t", "char[32]"),
    ("mailbox_t", "int"),
    ("FILE", "char[216]"),
];

/// Structs every scenario knows without declaring them (`struct sigaction`,
/// `struct sockaddr_un`), with their members as glibc lays them out on x86-64: `(tag,
/// [(member, type)])`, types written as in [`BUILTIN_TYPEDEFS`].
pub const BUILTIN_STRUCTS: &[(&str, &[(&str, &str)])] = &[
    (
        "sigaction",
        &[
            ("sa_handler", "void (*)(int)"),
            ("sa_mask", "char[128]"),
            ("sa_flags", "int"),
            ("sa_restorer", "void (*)(int)"),
        ],
    ),
    (
        "sockaddr",
        &[("sa_family", "unsigned short"), ("sa_data", "char[14]")],
    ),
    (
        "sockaddr_un",
        &[("sun_family", "unsigned short"), ("sun_path", "char[108]")],
    ),
];
