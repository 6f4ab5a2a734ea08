/*
 * Where the debug information of a module is found: separate debug
 * files by build-id and by .gnu_debuglink (CRC checked) in the
 * directories of --debug-dir and PIDPROF_DEBUG_DIR, then under
 * /usr/lib/debug; and debuginfod, asked only on purpose (--debuginfod
 * or DEBUGINFOD_URLS), before any thread of the process is traced,
 * with a timeout per file and a budget for all of them.  libdw itself
 * never asks a server: DEBUGINFOD_URLS is taken out of the environment.
 *
 * The settings are the program's, made once while the options are read.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_DEBUGINFO_H
# define PIDPROF_DEBUGINFO_H

# include "common.h"
# include "err.h"

# include <elfutils/libdwfl.h>

# define DEBUGINFOD_TIMEOUT_DEFAULT_NS	(10 * 1000000000ULL)
# define DEBUGINFOD_BUDGET_DEFAULT_NS	(30 * 1000000000ULL)

/* --debug-dir DIR: an existing directory, searched before the others. */
int debuginfo_add_dir(const char *dir, struct pp_err *err);
/* --debuginfod[=URLS]: @urls NULL takes DEBUGINFOD_URLS. */
int debuginfo_use_debuginfod(const char *urls, struct pp_err *err);
/* --no-debuginfod: no server, even with DEBUGINFOD_URLS set. */
void debuginfo_no_debuginfod(void);
void debuginfo_set_timeout(uint64_t per_file_ns, uint64_t budget_ns);
/* -q: no status lines and no warnings from the fetches. */
void debuginfo_quiet(void);
/*
 * After the options: adds PIDPROF_DEBUG_DIR's directories, turns
 * debuginfod on when DEBUGINFOD_URLS is set (unless told otherwise),
 * and removes DEBUGINFOD_URLS from the environment.  Call it before any
 * thread is started.
 */
void debuginfo_setup(void);

/* For Dwfl_Callbacks: the search path and the find_debuginfo hook,
 * which also answers with the files debuginfod gave. */
char **debuginfo_path(void);
int debuginfo_find(Dwfl_Module *mod, void **userdata, const char *modname,
		   Dwarf_Addr base, const char *file_name,
		   const char *debuglink_file, GElf_Word debuglink_crc,
		   char **debuginfo_file_name);

/*
 * Asks debuginfod for the debug files of the modules of @dwfl that have
 * no DWARF of their own and none found locally; does nothing when
 * debuginfod is off.  A status line shows each download; the first
 * failure or timeout is one warning, and no other file is asked for.
 * The process must not be traced meanwhile.
 */
void debuginfo_fetch(Dwfl *dwfl);
/* Whether debuginfo_fetch() may ask a server at all. */
bool debuginfo_fetching(void);

#endif /* !PIDPROF_DEBUGINFO_H */
