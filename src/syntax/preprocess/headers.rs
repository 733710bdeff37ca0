//! The built-in headers: the C library headers that define macros (`<assert.h>`) and the
//! textbooks' own headers (`"csapp.h"` of Bryant & O'Hallaron's *Computer Systems: A
//! Programmer's Perspective*, `"apue.h"` of Stevens & Rago's *Advanced Programming in the
//! UNIX Environment*, `"common_threads.h"` of Arpaci-Dusseau's *Operating
//! Systems: Three Easy Pieces*), so that their programs run as printed. Every other
//! header declares only library calls, types and constants the checker knows without it.

/// The text of header `name` (as written between `<>` or `""`, a leading `./` or
/// directories ignored), if it is a built-in one.
pub(super) fn find(name: &str) -> Option<&'static str> {
    let file = name.rsplit('/').next().unwrap_or(name);
    let text = match file {
        "assert.h" => include_str!("headers/assert.h"),
        "csapp.h" => include_str!("headers/csapp.h"),
        "apue.h" => include_str!("headers/apue.h"),
        "common_threads.h" => include_str!("headers/common_threads.h"),
        _ => return None,
    };
    Some(text)
}
