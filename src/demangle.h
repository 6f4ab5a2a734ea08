/*
 * Readable names of mangled symbols: C++ (Itanium ABI) and Rust, legacy
 * (_ZN...17h<hash>E) and v0 (_R...), without the hash.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_DEMANGLE_H
# define PIDPROF_DEMANGLE_H

/* The demangled @name (malloc'd), or NULL when it is not mangled. */
char *pp_demangle(const char *name);

#endif /* !PIDPROF_DEMANGLE_H */
