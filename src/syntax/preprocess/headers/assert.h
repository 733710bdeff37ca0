/* <assert.h> (C11 7.2): with NDEBUG defined, assert does nothing; otherwise a false
   assertion prints "prog: file:line: function: Assertion `expression' failed." on
   stderr and aborts, as glibc does. */
#undef assert
#ifdef NDEBUG
#define assert(expression) ((void) 0)
#else
#define assert(expression) ((expression) ? (void) 0 : __assert_fail(#expression, __FILE__, __LINE__, __func__))
#endif
