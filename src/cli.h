/*
 * The command line: getopt_long tables, --help and --version.  The only
 * place that knows how options are spelled.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_CLI_H
# define PIDPROF_CLI_H

# include "common.h"
# include "diff.h"
# include "dump.h"
# include "heap.h"
# include "push.h"
# include "record.h"
# include "report.h"
# include "serve.h"
# include "snapdir.h"
# include "threads.h"
# include "top.h"
# include "trend.h"

enum cli_command {
	CLI_EXIT,	/* nothing to run: exit with cli.exit_status */
	CLI_DUMP,
	CLI_RECORD,
	CLI_HEAP,
	CLI_THREADS,
	CLI_REPORT,
	CLI_DIFF,
	CLI_PUSH,
	CLI_SERVE,
	CLI_SNAPSHOT,
	CLI_TREND,
	CLI_TOP,
};

struct cli {
	enum cli_command command;
	int exit_status;
	struct dump_opts dump;
	struct record_opts record;
	struct heap_opts heap;
	struct threads_opts threads;
	struct report_opts report;
	struct diff_opts diff;
	struct push_opts push;
	struct serve_opts serve;
	struct snapdir_opts snapshot;
	struct trend_opts trend;
	struct top_opts top;
	char *default_output;	/* owned: the -o chosen when none was given */
};

/* Parses argv; prints help, version and usage errors itself. */
void cli_parse(int argc, char **argv, struct cli *cli);

#endif /* !PIDPROF_CLI_H */
