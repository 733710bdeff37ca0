/* "apue.h" of Advanced Programming in the UNIX Environment: the constants and error
   functions its programs use. err_sys and err_ret add strerror(errno); err_sys,
   err_quit and err_exit exit with status 1, err_dump aborts. */
#ifndef _APUE_H
#define _APUE_H

#define MAXLINE 4096
#define FILE_MODE (S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH)
#define DIR_MODE (FILE_MODE | S_IXUSR | S_IXGRP | S_IXOTH)

#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))

#define err_msg(...) (fflush(stdout), fprintf(stderr, __VA_ARGS__), fprintf(stderr, "\n"), fflush(stderr))
#define err_quit(...) (err_msg(__VA_ARGS__), exit(1))
#define err_ret(...) (fflush(stdout), fprintf(stderr, __VA_ARGS__), fprintf(stderr, ": %s\n", strerror(errno)), fflush(stderr))
#define err_sys(...) (err_ret(__VA_ARGS__), exit(1))
#define err_dump(...) (err_ret(__VA_ARGS__), abort())
#define err_exit(error, ...) (fflush(stdout), fprintf(stderr, __VA_ARGS__), fprintf(stderr, ": %s\n", strerror(error)), exit(1))
#define err_cont(error, ...) (fflush(stdout), fprintf(stderr, __VA_ARGS__), fprintf(stderr, ": %s\n", strerror(error)))

#endif
