//! The few preprocessor directives that are not items: `#if`/`#ifdef`/`#ifndef`/`#else`/
//! `#endif`, whose excluded lines are blanked so spans stay valid.
