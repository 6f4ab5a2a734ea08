/*
 * pidprof: the only main().  Parse, run the command, return its status.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "common.h"
#include "attach.h"
#include "cli.h"
#include "debuginfo.h"
#include "diff.h"
#include "dump.h"
#include "heap.h"
#include "push.h"
#include "record.h"
#include "report.h"
#include "serve.h"
#include "snapdir.h"
#include "threads.h"
#include "trend.h"

#include <signal.h>

int
main(int argc, char **argv)
{
	struct cli cli;

	/* A closed pipe must end a write with EPIPE, not kill us while
	 * attached to a target. */
	signal(SIGPIPE, SIG_IGN);
	/* Tracee stops are read from a signalfd; every thread must block
	 * SIGCHLD, so block it before any thread exists. */
	target_block_sigchld();

	cli_parse(argc, argv, &cli);
	if (cli.command != CLI_EXIT)
		debuginfo_setup();
	switch (cli.command) {
	case CLI_DUMP:
		return dump_run(&cli.dump);
	case CLI_RECORD:
		return record_run(&cli.record);
	case CLI_HEAP:
		return heap_run(&cli.heap);
	case CLI_THREADS:
		return threads_run(&cli.threads);
	case CLI_REPORT:
		return report_run(&cli.report);
	case CLI_DIFF:
		return diff_run(&cli.diff);
	case CLI_PUSH: {
		int rc = push_run(&cli.push);

		push_opts_free(&cli.push);
		return rc;
	}
	case CLI_SERVE:
		return serve_run(&cli.serve);
	case CLI_SNAPSHOT:
		return snapshot_run(&cli.snapshot);
	case CLI_TREND:
		return trend_run(&cli.trend);
	case CLI_TOP:
		return top_run(&cli.top);
	case CLI_EXIT:
	default:
		return cli.exit_status;
	}
}
