//! The programs of the simulated file system (`/bin/ls`, `/bin/echo`, …), written in the
//! scenario language itself so `exec` runs them on the same VM as the scenario.

/// `(path, C source)` of every built-in program. `execlp` finds them by bare name too.
pub const PROGRAMS: &[(&str, &str)] = &[
    ("/bin/cat", include_str!("bin/cat.c")),
    ("/bin/echo", include_str!("bin/echo.c")),
    ("/bin/false", include_str!("bin/false.c")),
    ("/bin/grep", include_str!("bin/grep.c")),
    ("/bin/ls", include_str!("bin/ls.c")),
    // `more` pages a terminal; with no terminal to page, it copies as `cat` does.
    ("/bin/more", include_str!("bin/cat.c")),
    ("/bin/ps", include_str!("bin/ps.c")),
    ("/bin/sleep", include_str!("bin/sleep.c")),
    ("/bin/sort", include_str!("bin/sort.c")),
    ("/bin/true", include_str!("bin/true.c")),
    ("/usr/bin/wc", include_str!("bin/wc.c")),
];
