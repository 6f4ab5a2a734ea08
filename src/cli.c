/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cli.h"
#include "debuginfo.h"
#include "httpd.h"
#include "msg.h"
#include "parse.h"
#include "sink.h"
#include "xmalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STACK_SIZE_MIN		4096
#define STACK_SIZE_MAX		(1024 * 1024)
#define STACK_SIZE_DEFAULT	(32 * 1024)

/*
 * Where debug information comes from: the options of every command that
 * names frames, in their --help before -h.
 */
#define DEBUGINFO_HELP \
	"      --debug-dir=DIR    look for separate debug files in DIR too, by\n" \
	"                         build-id and by .gnu_debuglink, before\n" \
	"                         /usr/lib/debug; repeatable (PIDPROF_DEBUG_DIR:\n" \
	"                         more, colon-separated)\n" \
	"      --debuginfod[=URLS]  fetch missing debug files from these servers\n" \
	"                         (space- or comma-separated; default:\n" \
	"                         DEBUGINFOD_URLS, which alone turns it on too),\n" \
	"                         before any thread is traced\n" \
	"      --no-debuginfod    not even with DEBUGINFOD_URLS set\n" \
	"      --debuginfod-timeout=TIME  give a file up after TIME (default 10s)\n" \
	"      --debuginfod-budget=TIME   fetch for TIME at most in all\n" \
	"                         (default 30s)\n"

enum {
	OPT_DEBUG_DIR = 0x200,
	OPT_DEBUGINFOD,
	OPT_NO_DEBUGINFOD,
	OPT_DEBUGINFOD_TIMEOUT,
	OPT_DEBUGINFOD_BUDGET,
};

/* The options of struct pid_args, for commands that take every one of
 * them (-p is each command's own: its short option is in optstring). */
enum {
	OPT_PID_NAME = 0x280,
	OPT_PID_PIDFILE,
	OPT_PID_CHILDREN,
	OPT_PID_MAX_PROCESSES,
};

#define PIDARGS_LONGOPTS \
	{ "pid", required_argument, NULL, 'p' }, \
	{ "name", required_argument, NULL, OPT_PID_NAME }, \
	{ "pidfile", required_argument, NULL, OPT_PID_PIDFILE }, \
	{ "children", no_argument, NULL, OPT_PID_CHILDREN }
/* Commands that follow the children they fork: how many at most. */
#define PIDARGS_FOLLOW_LONGOPTS \
	{ "max-processes", required_argument, NULL, OPT_PID_MAX_PROCESSES }

#define PIDARGS_CASES \
	case 'p': \
	case OPT_PID_NAME: \
	case OPT_PID_PIDFILE: \
	case OPT_PID_CHILDREN: \
	case OPT_PID_MAX_PROCESSES

/* --name to --max-processes, for the commands that follow processes
 * that appear later (serve, push; record says more). */
#define PIDARGS_FOLLOW_HELP \
	"      --name=NAME        every process whose name or executable's\n" \
	"                         file name is NAME, and those that appear\n" \
	"                         later; repeatable\n" \
	"      --pidfile=FILE     the process whose id FILE holds; repeatable\n" \
	"      --children         also every process they fork, from its\n" \
	"                         first instruction and again after each\n" \
	"                         execve, and those forked already\n" \
	"      --max-processes=N  follow N processes at most in the run\n" \
	"                         (default 256, the most); the later ones\n" \
	"                         are let go, with a warning\n"

#define DEBUGINFO_LONGOPTS \
	{ "debug-dir", required_argument, NULL, OPT_DEBUG_DIR }, \
	{ "debuginfod", optional_argument, NULL, OPT_DEBUGINFOD }, \
	{ "no-debuginfod", no_argument, NULL, OPT_NO_DEBUGINFOD }, \
	{ "debuginfod-timeout", required_argument, NULL, \
	  OPT_DEBUGINFOD_TIMEOUT }, \
	{ "debuginfod-budget", required_argument, NULL, \
	  OPT_DEBUGINFOD_BUDGET }

#define DEBUGINFO_CASES \
	case OPT_DEBUG_DIR: \
	case OPT_DEBUGINFOD: \
	case OPT_NO_DEBUGINFOD: \
	case OPT_DEBUGINFOD_TIMEOUT: \
	case OPT_DEBUGINFOD_BUDGET

static const char exit_status_help[] =
	"Exit status:\n"
	"  0   every thread's stack was captured and unwound completely\n"
	"  1   output written, but some stack is partial (a thread not\n"
	"      captured, unwinding stopped early, or truncated by\n"
	"      --stack-size)\n"
	"  2   fatal: nothing could be captured (no such process,\n"
	"      permission denied, ...)\n"
	"  64  usage error (bad option or value)\n";

static void
print_main_help(FILE *f)
{
	fprintf(f,
		"Usage: pidprof [-h|--help] [-V|--version] COMMAND [OPTIONS]\n"
		"\n"
		"Profile and inspect a running native process from the outside,\n"
		"by PID: no rebuild, no agent library, no restart.\n"
		"\n"
		"Commands:\n"
		"  record    sample a process (or a command) for a while and write\n"
		"            pprof, collapsed stacks or a flamegraph\n"
		"  top       a live view: the functions of the last second by\n"
		"            their own and total share, refreshed every second\n"
		"  dump      print every thread's stack now, with file:line and\n"
		"            inlined frames\n"
		"  heap      where the process's memory is, by category and\n"
		"            mapping (from /proc/PID/smaps); --watch to see it grow\n"
		"  threads   how many threads wait in each distinct stack\n"
		"  report    the top functions of a pprof file (ours, Go's, any),\n"
		"            or the file as collapsed stacks or a flame graph\n"
		"  diff      compare two pprof files; exit 1 when a function's\n"
		"            share grew past a threshold (a CI regression gate)\n"
		"  snapshot  one cron-safe capture of a process into a directory:\n"
		"            profiles, a memory row, old snapshots removed\n"
		"  trend     a snapshot directory's memory over time: a table\n"
		"            with growth per hour, leak suspects, an SVG chart\n"
		"  serve     stay attached and serve Go's /debug/pprof endpoints\n"
		"            (cpu, wall, heap, threads) over HTTP or HTTPS\n"
		"  push      profile a process without end and send a profile\n"
		"            every window to Pyroscope or Profefe\n"
		"  help      show this help, or a command's with help COMMAND\n"
		"\n"
		"Global options:\n"
		"  -h, --help     show this help\n"
		"  -V, --version  show the version and the libraries built in\n"
		"\n"
		"Run 'pidprof COMMAND --help' or 'pidprof help COMMAND' for the\n"
		"options and exit statuses of a command.\n"
		"\n"
		"Exit status (each command's --help gives its own table):\n"
		"  0   success\n"
		"  64  usage error (bad option or value, unknown command)\n");
}

static void
print_top_help(void)
{
	printf("Usage: pidprof top -p PID [OPTIONS]\n"
	       "\n"
	       "Sample the threads of process PID and show, every second, the\n"
	       "functions of the last second by their own share (at the top of\n"
	       "the stack) and their total share (anywhere on it).  On a terminal\n"
	       "the screen is redrawn; otherwise a line per second gives the top\n"
	       "five.  Ends on q, --duration, SIGINT, SIGTERM or SIGHUP, or when\n"
	       "the process exits; the process is let go on every one.\n"
	       "\n"
	       "Keys: q quit, w wall mode, c cpu mode, t sort by total, s sort by\n"
	       "own, p pause (and resume).\n"
	       "\n"
	       "Options:\n"
	       "  -p, --pid=PID          the process to watch\n"
	       "  -m, --mode=MODE        wall (default) or cpu, as for record\n"
	       "  -r, --rate=HZ          samples per second per thread, 1 to 250\n"
	       "                         (default 100; out of range is clamped)\n"
	       "  -d, --duration=TIME    stop after TIME (default: until q)\n"
	       "  -n, --rows=N           functions shown (default 20)\n"
	       "      --sampler=NAME     perf, ptrace or auto (the default), as for\n"
	       "                         record: auto takes perf events in cpu mode\n"
	       "                         where permitted, ptrace in wall mode\n"
	       "  -u, --unwinder=NAME    dwfl (libdw, the default) or libunwind\n"
	       "  -s, --stack-size=SIZE  bytes of stack copied per sample, 4K to 1M\n"
	       "                         (default 32K)\n"
	       DEBUGINFO_HELP
	       "  -h, --help             show this help\n"
	       "\n"
	       "Exit status:\n"
	       "  0   done: the process was let go\n"
	       "  2   fatal: nothing could be attached, or --sampler=perf is not\n"
	       "      permitted\n"
	       "  64  usage error (bad option or value)\n");
}

static void
print_dump_help(void)
{
	printf("Usage: pidprof dump -p PID[,PID...] [OPTIONS]\n"
	       "       pidprof dump --name NAME [OPTIONS]\n"
	       "\n"
	       "Print the stack of every thread of process PID, innermost frame\n"
	       "first: function, file:line, inlined frames, module.  Running\n"
	       "threads are stopped for a few microseconds each; sleeping threads\n"
	       "are read without being stopped.  Several processes are dumped\n"
	       "one after the other (with --json, one object per line).\n"
	       "\n"
	       "Options:\n"
	       "  -p, --pid=PID[,PID...] the process to inspect; repeat it or give\n"
	       "                         a list for several\n"
	       "      --name=NAME        every process whose name or executable's\n"
	       "                         file name is NAME; repeatable\n"
	       "      --pidfile=FILE     the process whose id FILE holds; repeatable\n"
	       "      --children         also every descendant of those processes\n"
	       "  -j, --json             write JSON instead of text\n"
	       "  -u, --unwinder=NAME    dwfl (libdw, the default) or libunwind\n"
	       "  -s, --stack-size=SIZE  bytes of stack copied per thread, with an\n"
	       "                         optional K or M suffix, 4K to 1M\n"
	       "                         (default 32K)\n"
	       "  -v, --verbose          capture statistics on stderr (stop time\n"
	       "                         per thread); twice for debug messages\n"
	       "  -q, --quiet            no warnings\n"
	       DEBUGINFO_HELP
	       "  -h, --help             show this help\n"
	       "\n"
	       "%s", exit_status_help);
}

static const char record_exit_help[] =
	"Exit status:\n"
	"  0   every output was written and holds samples\n"
	"  1   some output could not be written (the others were)\n"
	"  2   fatal: nothing could be attached or written, no sample\n"
	"      was taken, or --sampler=perf is not permitted\n"
	"  64  usage error (bad option or value)\n"
	"With -- COMMAND, a command that fails gives its own status instead\n"
	"(128+N when signal N killed it), so that a CI step fails with it.\n";

static void
print_record_help(void)
{
	printf("Usage: pidprof record -p PID[,PID...] [OPTIONS]\n"
	       "       pidprof record --name NAME [OPTIONS]\n"
	       "       pidprof record [OPTIONS] -- COMMAND [ARGS...]\n"
	       "\n"
	       "Sample the threads of process PID, or of COMMAND started from its\n"
	       "first instruction, until --duration ends, the process exits, or\n"
	       "SIGINT, SIGTERM or SIGHUP; then write every output.  Those signals\n"
	       "are passed on to COMMAND, and the outputs are written once it has\n"
	       "exited; after --duration, pidprof waits for it.  COMMAND gets\n"
	       "SIGKILL if pidprof dies.\n"
	       "\n"
	       "Options:\n"
	       "  -p, --pid=PID[,PID...] the process to sample; repeat it or give a\n"
	       "                         list for several processes in one profile\n"
	       "                         (labels pid and process_name on each sample)\n"
	       "      --name=NAME        every process whose name or executable's\n"
	       "                         file name is NAME, and those that appear\n"
	       "                         later; repeatable\n"
	       "      --pidfile=FILE     the process whose id FILE holds; repeatable\n"
	       "      --children         also every process they (or COMMAND) fork,\n"
	       "                         from its first instruction and again after\n"
	       "                         each execve, and those forked already\n"
	       "      --max-processes=N  follow N processes at most in the run\n"
	       "                         (default 256, the most); the later ones\n"
	       "                         are let go, with a warning\n"
	       "  -o, --output=FILE      write a profile to FILE; repeatable; the\n"
	       "                         format comes from the name: .pb.gz .pb\n"
	       "                         .pprof (pprof), .folded .collapsed .txt\n"
	       "                         (collapsed stacks), .svg (flamegraph),\n"
	       "                         .speedscope.json (speedscope)\n"
	       "                         (default: pidprof-PID.pb.gz)\n"
	       "  -f, --format=FORMAT    pprof, collapsed, svg or speedscope, for the\n"
	       "                         -o options that follow it\n"
	       "  -d, --duration=TIME    stop after TIME (500ms, 10s, 2m, 1h;\n"
	       "                         default: until the process exits)\n"
	       "  -r, --rate=HZ          samples per second per thread, 1 to 250\n"
	       "                         (default 100; out of range is clamped)\n"
	       "  -m, --mode=MODE        wall: every thread, on or off CPU, weighted\n"
	       "                         by wall time (default); cpu: only threads\n"
	       "                         that ran, weighted by the CPU they used\n"
	       "      --idle             wall mode: keep the samples of threads asleep\n"
	       "                         (the default)\n"
	       "      --no-idle          wall mode: leave them out; the summary says\n"
	       "                         how many\n"
	       "      --group-by=thread  collapsed and SVG outputs: a root frame\n"
	       "                         'thread NAME (TID)' per thread\n"
	       "      --group-by=process a root frame 'process NAME (PID)' per\n"
	       "                         process (always, with several processes)\n"
	       "      --sampler=NAME     perf (the kernel's CPU clock takes the\n"
	       "                         samples, no thread is stopped), ptrace\n"
	       "                         (each sample a ptrace stop), or auto (perf\n"
	       "                         in cpu mode where perf_event_open is\n"
	       "                         permitted, else ptrace; the default); says\n"
	       "                         which and why\n"
	       "  -u, --unwinder=NAME    dwfl (libdw, the default) or libunwind\n"
	       "  -s, --stack-size=SIZE  bytes of stack copied per sample, 4K to 1M\n"
	       "                         (default 32K; at most 65528 with perf)\n"
	       "  -q, --quiet            no status line, summary or warnings\n"
	       "  -v, --verbose          more messages; twice for debug messages\n"
	       DEBUGINFO_HELP
	       "  -h, --help             show this help\n"
	       "\n"
	       "%s", record_exit_help);
}

static const char heap_exit_help[] =
	"Exit status:\n"
	"  0   every output was written\n"
	"  1   some output could not be written, or of several processes\n"
	"      some could not be read (the others were)\n"
	"  2   fatal: no such process, permission denied, smaps unreadable\n"
	"  64  usage error (bad option or value)\n";

static void
print_heap_help(void)
{
	printf("Usage: pidprof heap -p PID[,PID...] [OPTIONS]\n"
	       "       pidprof heap --name NAME [OPTIONS]\n"
	       "\n"
	       "Read /proc/PID/smaps and show where the memory of process PID is,\n"
	       "by category (heap, anonymous, stack, file, shared, other) and\n"
	       "mapping.  Nothing is attached or stopped.  Without -o, a table is\n"
	       "printed.  Several processes: a table each, or one profile whose\n"
	       "samples carry pid and process_name labels.\n"
	       "\n"
	       "Options:\n"
	       "  -p, --pid=PID[,PID...] the process to read; repeat it or give a\n"
	       "                         list for several (not with --watch)\n"
	       "      --name=NAME        every process whose name or executable's\n"
	       "                         file name is NAME; repeatable\n"
	       "      --pidfile=FILE     the process whose id FILE holds; repeatable\n"
	       "      --children         also every descendant of those processes\n"
	       "  -o, --output=FILE      write to FILE; repeatable; the format comes\n"
	       "                         from the name as for record (.pb.gz .folded\n"
	       "                         .svg), or from -f\n"
	       "  -f, --format=FORMAT    pprof, collapsed, svg or table, for the -o\n"
	       "                         options that follow it\n"
	       "  -w, --watch=INTERVAL   read again every INTERVAL (500ms, 10s, 1m),\n"
	       "                         until --count readings, the process exits,\n"
	       "                         or SIGINT/SIGTERM; then print each\n"
	       "                         category's growth and flag steady growers;\n"
	       "                         one process only\n"
	       "  -n, --count=N          with --watch: stop after N readings\n"
	       "  -t, --tsv=FILE         with --watch: append a row per category and\n"
	       "                         reading to FILE (time, category, rss, pss,\n"
	       "                         anon, swap, threads)\n"
	       "  -q, --quiet            no messages but errors\n"
	       "  -v, --verbose          with --tsv: a line per reading on stderr\n"
	       "                         (on a terminal, a status line without it)\n"
	       "  -h, --help             show this help\n"
	       "\n"
	       "%s", heap_exit_help);
}

static void
print_threads_help(void)
{
	printf("Usage: pidprof threads -p PID[,PID...] [OPTIONS]\n"
	       "       pidprof threads --name NAME [OPTIONS]\n"
	       "\n"
	       "Take the stack of every thread of process PID (as dump does) and\n"
	       "count the threads in each distinct stack, largest group first: a\n"
	       "thread leak shows as a group that grows.  Without -o, text is\n"
	       "printed.  Several processes: text and JSON a block each (JSON an\n"
	       "object per line), the other formats one profile whose samples\n"
	       "carry pid and process_name labels.\n"
	       "\n"
	       "Options:\n"
	       "  -p, --pid=PID[,PID...] the process to inspect; repeat it or give\n"
	       "                         a list for several\n"
	       "      --name=NAME        every process whose name or executable's\n"
	       "                         file name is NAME; repeatable\n"
	       "      --pidfile=FILE     the process whose id FILE holds; repeatable\n"
	       "      --children         also every descendant of those processes\n"
	       "  -o, --output=FILE      write to FILE; repeatable; the format comes\n"
	       "                         from the name (.pb.gz .folded .svg .json),\n"
	       "                         or from -f\n"
	       "  -f, --format=FORMAT    pprof, collapsed, svg, text or json, for the\n"
	       "                         -o options that follow it\n"
	       "  -j, --json             JSON on standard output instead of text\n"
	       "  -u, --unwinder=NAME    dwfl (libdw, the default) or libunwind\n"
	       "  -s, --stack-size=SIZE  bytes of stack copied per thread, 4K to 1M\n"
	       "                         (default 32K)\n"
	       "  -q, --quiet            no warnings\n"
	       DEBUGINFO_HELP
	       "  -h, --help             show this help\n"
	       "\n"
	       "%s", exit_status_help);
}

static void
print_report_help(void)
{
	printf("Usage: pidprof report FILE [OPTIONS]\n"
	       "\n"
	       "Read a pprof file, gzipped or not, written by pidprof, by Go's\n"
	       "runtime/pprof or by go tool pprof, and print its top functions:\n"
	       "flat and cumulative value, and their share of the total.  With\n"
	       "-o, convert it instead, through the same writers as record.\n"
	       "\n"
	       "Options:\n"
	       "  -n, --top=N            rows of the table (default 10)\n"
	       "  -t, --sample-type=TYPE the sample type to show (cpu, wall,\n"
	       "                         samples, inuse_space...); default: the\n"
	       "                         file's default, else its last\n"
	       "  -o, --output=FILE      write FILE instead; repeatable; the format\n"
	       "                         comes from the name (.pb.gz .folded .svg\n"
	       "                         .speedscope.json)\n"
	       "                         or from -f\n"
	       "  -f, --format=FORMAT    pprof, collapsed, svg or speedscope, for the\n"
	       "                         -o options that follow it\n"
	       "      --thread=THREAD    only the samples of THREAD: a thread id or\n"
	       "                         name (labels thread_id, thread_name)\n"
	       "      --group-by=thread  a table per thread; in collapsed and SVG\n"
	       "                         output, a root frame 'thread NAME (TID)'\n"
	       "      --group-by=process a table per process (labels pid and\n"
	       "                         process_name); a root frame\n"
	       "                         'process NAME (PID)'\n"
	       "  -q, --quiet            no messages but errors\n"
	       "  -h, --help             show this help\n"
	       "\n"
	       "Exit status:\n"
	       "  0   done\n"
	       "  1   some output could not be written (the others were)\n"
	       "  2   the file cannot be read, is not a valid pprof profile, or\n"
	       "      has no such sample type\n"
	       "  64  usage error (bad option or value)\n");
}

static void
print_diff_help(void)
{
	printf("Usage: pidprof diff BASE NEW [OPTIONS]\n"
	       "\n"
	       "Compare two pprof files as shares of their totals (so runs of\n"
	       "different lengths compare), list the functions whose flat or\n"
	       "cumulative share moved most, and exit 1 when any function's\n"
	       "share grew by more than the threshold.\n"
	       "\n"
	       "Options:\n"
	       "  -t, --sample-type=TYPE the sample type to compare; default: the\n"
	       "                         base file's default, else its last\n"
	       "  -T, --threshold=POINTS percentage points a share may grow before\n"
	       "                         it counts as a regression (default 5)\n"
	       "  -n, --top=N            rows to list (default 10)\n"
	       "  -f, --format=FORMAT    text (default), markdown (for a pull\n"
	       "                         request comment) or json\n"
	       "  -o, --output=FILE.svg  also draw a differential flame graph:\n"
	       "                         NEW's stacks, a frame red where its\n"
	       "                         share grew, blue where it shrank\n"
	       "  -q, --quiet            no messages but errors\n"
	       "  -h, --help             show this help\n"
	       "\n"
	       "Exit status:\n"
	       "  0   no function's share grew past the threshold\n"
	       "  1   some function's share grew past the threshold\n"
	       "  2   a file cannot be read, is not a valid pprof profile, or\n"
	       "      lacks the sample type; or the flame graph cannot be\n"
	       "      written\n"
	       "  64  usage error (bad option or value)\n");
}

static const char push_exit_help[] =
	"Exit status:\n"
	"  0   ran to the end (the process exited, or SIGINT or SIGTERM):\n"
	"      every profile was delivered or waits in the spool directory\n"
	"  1   some profile was lost: refused by a sink (an answer other\n"
	"      than 408, 429 or 5xx), dropped from a full spool, or not\n"
	"      delivered at the end without --spool-dir\n"
	"  2   fatal: nothing could be attached, the spool directory\n"
	"      cannot be used or is not pidprof's own (a link, another\n"
	"      user's, or writable by others), or --sampler=perf is not\n"
	"      permitted\n"
	"  64  usage error (bad option or value), or a bad configuration\n"
	"      file\n";

static void
print_push_help(void)
{
	printf("Usage: pidprof push -p PID [OPTIONS] SINK...\n"
	       "       pidprof push [OPTIONS] SINK... -- COMMAND [ARGS...]\n"
	       "       pidprof push -c FILE [OPTIONS]\n"
	       "\n"
	       "Profile process PID without end, and every window (aligned to the\n"
	       "wall clock) send one profile of each type to every sink that wants\n"
	       "it.  Uploads run beside the sampler, which never waits for them;\n"
	       "what a sink cannot take is retried, and kept in the spool meanwhile.\n"
	       "Ends when the process exits, or on SIGINT or SIGTERM: the last,\n"
	       "partial window is sent too.  SIGHUP reads the -c file again and\n"
	       "applies it from the next window, without detaching.\n"
	       "\n"
	       "Options:\n"
	       "  -p, --pid=PID[,PID...] the process to profile (or give -- COMMAND);\n"
	       "                         repeat it or give a list for several, pushed\n"
	       "                         as one profile (labels pid and process_name;\n"
	       "                         memory: the first process's)\n"
	       PIDARGS_FOLLOW_HELP
	       "  -c, --config=FILE      settings from FILE: 'key = value' lines whose\n"
	       "                         keys are these long options, [sink NAME]\n"
	       "                         sections, ${VAR} from the environment; the\n"
	       "                         command line's options come after it\n"
	       "  -m, --mode=MODE        wall (default) or cpu, as for record\n"
	       "  -r, --rate=HZ          samples per second per thread, 1 to 250\n"
	       "                         (default 100; out of range is clamped)\n"
	       "      --idle             wall mode: keep the samples of threads asleep\n"
	       "                         (the default)\n"
	       "      --no-idle          wall mode: leave them out, for every sink\n"
	       "      --sampler=NAME     perf, ptrace or auto (the default), as for\n"
	       "                         record: auto takes perf events in cpu mode\n"
	       "                         where permitted, ptrace in wall mode; read\n"
	       "                         at the start only\n"
	       "      --window=TIME      the length of a window, 1s to 1h (default 10s)\n"
	       "      --spool-dir=DIR    keep the profiles a sink cannot take yet in\n"
	       "                         DIR (created, mode 0700) and send them at the\n"
	       "                         next start too (default: in memory only);\n"
	       "                         DIR must be pidprof's user's own\n"
	       "      --spool-max=SIZE   at most SIZE of waiting profiles; beyond it\n"
	       "                         the oldest are dropped (default 256M)\n"
	       "  -q, --quiet            no status line, summary or notices\n"
	       "  -v, --verbose          a line per window; twice for debug messages\n"
	       "  -h, --help             show this help\n"
	       "\n"
	       "Sinks (repeatable; the sink settings after one are its own):\n"
	       "      --pyroscope=URL    Grafana Pyroscope: POST URL/ingest\n"
	       "      --profefe=URL      Profefe: POST URL/api/0/profiles\n"
	       "\n"
	       "Sink settings (before the first sink: the defaults of every sink):\n"
	       "      --app=NAME         application (service) name; default: the\n"
	       "                         process's name\n"
	       "      --tag=KEY=VALUE    a label of every profile; repeatable; an\n"
	       "                         empty VALUE removes an inherited tag\n"
	       "      --types=LIST       of cpu or wall (the mode's), memory, threads\n"
	       "                         (default: the mode's and memory)\n"
	       "      --auth-token-env=VAR   send 'Authorization: Bearer' with the\n"
	       "                         token in variable VAR (default:\n"
	       "                         PIDPROF_AUTH_TOKEN, when it is set)\n"
	       "      --basic-user=USER  HTTP basic authentication (Grafana Cloud)\n"
	       "      --basic-password-env=VAR   its password is in variable VAR\n"
	       "                         (default PIDPROF_BASIC_PASSWORD)\n"
	       "      --tenant=ID        send X-Scope-OrgID: ID\n"
	       "      --header='NAME: VALUE'   an extra header, sent last; repeatable\n"
	       "      --connect-timeout=TIME   to connect (default 5s)\n"
	       "      --timeout=TIME     for a whole request (default 15s)\n"
	       "\n"
	       "Debug information (command line only, not in the -c file):\n"
	       DEBUGINFO_HELP
	       "\n"
	       "%s", push_exit_help);
}

static void
print_snapshot_help(void)
{
	printf("Usage: pidprof snapshot (-p PID[,PID...] | -P FILE | -N NAME)... -D DIR\n"
	       "                        [OPTIONS]\n"
	       "\n"
	       "Take one snapshot of a process into directory DIR, for cron: a\n"
	       "pprof file per type, named NAME-PID-YYYYMMDDTHHMMSSZ-TYPE.pb.gz\n"
	       "(UTC), written atomically and readable by its owner only (0600);\n"
	       "the memory reading appended to DIR/memory.tsv (time, category,\n"
	       "rss, pss, anon, swap, threads, pid: see pidprof trend); then old\n"
	       "snapshots of NAME removed as --keep and --max-age say.  NAME is\n"
	       "--name, else the process's name.  A run that finds DIR locked by\n"
	       "another exits at once.\n"
	       "\n"
	       "Several processes make one snapshot named after the first: its\n"
	       "cpu and wall profiles hold them all, each sample labelled with its\n"
	       "pid and process_name.  memory and threads are of one process: the\n"
	       "default types are then cpu alone.  A process that is gone is left\n"
	       "out with a warning.\n"
	       "\n"
	       "Options:\n"
	       "  -p, --pid=PID[,PID...] the process; repeat it, or give a list,\n"
	       "                         for several\n"
	       "  -P, --pidfile=FILE     the process whose id is the first line of\n"
	       "                         FILE; repeatable\n"
	       "  -N, --name=NAME        every process whose name (comm) or\n"
	       "                         executable's file name is exactly NAME;\n"
	       "                         repeatable\n"
	       "      --children         also every descendant of those processes\n"
	       "  -D, --dir=DIR          the snapshot directory (created with mode\n"
	       "                         0700 if missing); required\n"
	       "  -t, --types=LIST       what to capture, comma separated: cpu,\n"
	       "                         wall, memory, threads (default\n"
	       "                         cpu,memory,threads; cpu for several\n"
	       "                         processes)\n"
	       "  -d, --duration=TIME    how long cpu and wall sample, each\n"
	       "                         (default 5s)\n"
	       "      --idle             wall: keep the samples of threads asleep\n"
	       "                         (the default)\n"
	       "      --no-idle          wall: leave them out\n"
	       "      --sampler=NAME     perf, ptrace or auto (the default), as for\n"
	       "                         record: auto takes perf events for cpu\n"
	       "                         where permitted, ptrace for wall; with -v,\n"
	       "                         says which\n"
	       "  -k, --keep=N           keep the N newest snapshots of NAME, this\n"
	       "                         one included; remove older ones\n"
	       "  -a, --max-age=AGE      remove snapshots of NAME, and memory.tsv\n"
	       "                         rows, older than AGE (90m, 12h, 30d)\n"
	       "  -v, --verbose          name each file written and removed\n"
	       "  -q, --quiet            no warnings\n"
	       DEBUGINFO_HELP
	       "  -h, --help             show this help\n"
	       "\n"
	       "Crontab line, every 5 minutes, a day kept:\n"
	       "  */5 * * * * pidprof snapshot -N api -D /var/lib/pidprof/api -k 288\n"
	       "\n"
	       "Exit status:\n"
	       "  0   every type was captured completely and written (an idle\n"
	       "      process's cpu profile has no sample, and a comment saying so)\n"
	       "  1   some type is missing or partial (a stack incomplete, the\n"
	       "      process exited in the window), or memory.tsv or the removal\n"
	       "      of old snapshots failed; the other files were written\n"
	       "  2   fatal: nothing could be written, or --sampler=perf is not\n"
	       "      permitted\n"
	       "  3   no target: no such process, an unreadable pidfile, or no\n"
	       "      process named NAME; of several, not one left; nothing was\n"
	       "      written\n"
	       "  64  usage error (bad option or value), or memory or threads\n"
	       "      asked of several processes\n"
	       "  75  another snapshot holds DIR's lock; nothing was written\n");
}

static void
print_trend_help(void)
{
	printf("Usage: pidprof trend DIR|FILE.tsv [OPTIONS]\n"
	       "\n"
	       "Read the memory readings of a snapshot directory (DIR/memory.tsv)\n"
	       "or a heap --tsv file, and print them as a table: each category's\n"
	       "rss and the thread count per reading, each one's growth per hour\n"
	       "(least squares), and the categories that are leak suspects by the\n"
	       "rule of heap --watch.  When the pid changes (a restart), growth and\n"
	       "suspects are judged on the last process's readings.\n"
	       "\n"
	       "Options:\n"
	       "  -o, --output=FILE.svg  also draw a line chart of each category and\n"
	       "                         of the threads over time: a self-contained\n"
	       "                         SVG for a browser\n"
	       "      --fail-on-suspect  exit with status 1 when a category is a\n"
	       "                         leak suspect (for cron alerting)\n"
	       "  -q, --quiet            no messages but errors\n"
	       "  -h, --help             show this help\n"
	       "\n"
	       "Exit status:\n"
	       "  0   done (with --fail-on-suspect: and no leak suspect)\n"
	       "  1   the chart or the table could not be written; or, with\n"
	       "      --fail-on-suspect, a category is a leak suspect\n"
	       "  2   the file cannot be read, is not a memory TSV, or has no\n"
	       "      reading\n"
	       "  64  usage error (bad option or value)\n");
}

static void
print_serve_help(void)
{
	printf("Usage: pidprof serve -p PID [OPTIONS]\n"
	       "       pidprof serve --name NAME [OPTIONS]\n"
	       "\n"
	       "Stay attached to process PID and answer the endpoints of Go's\n"
	       "net/http/pprof for it, so that go tool pprof, curl or a scraper can\n"
	       "pull profiles.  Threads are sampled only while a cpu or wall profile\n"
	       "is being taken; concurrent requests share one sampler.  A profile\n"
	       "request ends when its client hangs up; one that waits 10 s for its\n"
	       "turn (requests of the other mode running) gets 503 and Retry-After.\n"
	       "Several processes (a -p list, --name, --children) are served as\n"
	       "one: each sample of a profile and each thread carries the labels\n"
	       "pid and process_name; /debug/pprof/heap is the first process's.\n"
	       "\n"
	       "Endpoints (GET):\n"
	       "  /debug/pprof/                  index\n"
	       "  /debug/pprof/profile?seconds=N cpu profile over N seconds (1 to\n"
	       "                                 300, default 30)\n"
	       "  /debug/pprof/wall?seconds=N    wall-clock profile over N seconds\n"
	       "  /debug/pprof/heap              memory from smaps (debug=1: a table)\n"
	       "  /debug/pprof/threads           every thread's stack (debug=1: text\n"
	       "                                 grouped by stack)\n"
	       "  /debug/pprof/goroutine         the same, under the name Go tools\n"
	       "                                 and scrapers ask for\n"
	       "  /_status                       state as JSON\n"
	       "  /_metrics                      pidprof's metrics as JSON;\n"
	       "  /_metrics/prometheus           the same as Prometheus text\n"
	       "\n"
	       "Options:\n"
	       "  -p, --pid=PID[,PID...] the process to serve; repeat it or give a\n"
	       "                         list for several\n"
	       PIDARGS_FOLLOW_HELP
	       "  -l, --listen=ADDR:PORT address to listen on: IPv4, [IPv6] or\n"
	       "                         localhost, port 0 for any free one; or\n"
	       "                         unix:PATH, a socket created mode 0600\n"
	       "                         (default %s)\n"
	       "      --tls-cert=FILE    serve HTTPS with this PEM certificate (chain):\n"
	       "                         TLS 1.2 or 1.3 only, ECDHE key exchange (forward\n"
	       "                         secrecy), AES-GCM or ChaCha20-Poly1305\n"
	       "      --tls-key=FILE     and this PEM private key\n"
	       "      --client-ca=FILE   require a client certificate signed by this\n"
	       "                         PEM CA (mutual TLS); one with an extended key\n"
	       "                         usage must allow clientAuth\n"
	       "      --token-file=FILE  require 'Authorization: Bearer TOKEN' with the\n"
	       "                         token in FILE (default: $PIDPROF_SERVE_TOKEN,\n"
	       "                         if set)\n"
	       "      --public-status    serve /_status without the token\n"
	       "      --insecure         allow an address off this host without TLS\n"
	       "                         and a token or client certificate\n"
	       "      --max-connections=N  connections at once (default 32); when all\n"
	       "                         are taken, a new one closes the one whose\n"
	       "                         request head has been coming for longest (250 ms\n"
	       "                         or more), or is closed at once\n"
	       "      --timeout=TIME     close a connection idle for TIME (default 30s);\n"
	       "                         a request head must be whole within 10s (or\n"
	       "                         TIME if shorter) of the connection or of the\n"
	       "                         previous answer\n"
	       "  -r, --rate=HZ          samples per second per thread, 1 to 250\n"
	       "                         (default 100)\n"
	       "      --idle             /debug/pprof/wall: keep the samples of\n"
	       "                         threads asleep (the default)\n"
	       "      --no-idle          /debug/pprof/wall: leave them out\n"
	       "      --sampler=NAME     perf, ptrace or auto (the default), as for\n"
	       "                         record: auto takes perf events for cpu\n"
	       "                         profiles where permitted, ptrace for wall\n"
	       "  -u, --unwinder=NAME    dwfl (libdw, the default) or libunwind\n"
	       "  -s, --stack-size=SIZE  bytes of stack copied per sample, 4K to 1M\n"
	       "                         (default 32K)\n"
	       "  -q, --quiet            no messages but errors\n"
	       "  -v, --verbose          twice: log every request (never its token;\n"
	       "                         control characters escaped as \\xHH)\n"
	       DEBUGINFO_HELP
	       "  -h, --help             show this help\n"
	       "\n"
	       "Exit status:\n"
	       "  0   stopped by SIGINT, SIGTERM or SIGHUP; the process was detached\n"
	       "  2   fatal: cannot attach, listen, or read a certificate, key or\n"
	       "      token file, or --sampler=perf is not permitted\n"
	       "  3   the process exited (or called execve) while it was served;\n"
	       "      of several, the last of them\n"
	       "  64  usage error (bad option or value; an address off this host\n"
	       "      without TLS and authentication)\n",
	       SERVE_LISTEN_DEFAULT);
}

static void
print_version(void)
{
	printf("pidprof %s\n"
	       "unwinders: dwfl (libdw %s), libunwind (%s)\n"
	       "libraries: zlib %s, libcurl %s, %s\n",
	       PACKAGE_VERSION, LIBDW_VERSION, LIBUNWIND_VERSION,
	       ZLIB_VERSION_BUILT, LIBCURL_VERSION_BUILT, httpd_versions());
}

static void
usage_exit(struct cli *cli)
{
	cli->command = CLI_EXIT;
	cli->exit_status = EXIT_USAGE;
}

/* getopt's own messages are off (opterr = 0): report in our form. */
static void
bad_option(char **argv, int opt)
{
	const char *arg = argv[optind - 1];

	if (opt == ':')
		usage_error_msg("option '%s' needs a value", arg);
	else if (optopt && strncmp(arg, "--", 2) != 0)
		usage_error_msg("unknown option '-%c'", optopt);
	else
		usage_error_msg("unknown option '%s'", arg);
}

/* Shared option handlers: each reports a bad value itself. */
static bool
opt_pid(const char *arg, pid_t *pid)
{
	const char *why;

	if (parse_pid(arg, pid, &why) == 0)
		return true;
	usage_error_msg("invalid --pid argument: '%s': %s", arg, why);
	return false;
}

static bool
opt_unwinder(const char *arg, const struct unwinder_ops **u)
{
	*u = unwinder_by_name(arg);
	if (*u)
		return true;
	usage_error_msg("invalid --unwinder argument: '%s': expected dwfl or libunwind",
			arg);
	return false;
}

/* --mode: wall or cpu. */
static bool
opt_mode(const char *arg, enum sample_mode *out)
{
	if (strcmp(arg, "wall") == 0) {
		*out = MODE_WALL;
	} else if (strcmp(arg, "cpu") == 0) {
		*out = MODE_CPU;
	} else {
		usage_error_msg("invalid --mode argument: '%s': expected wall or cpu",
				arg);
		return false;
	}
	return true;
}

/* --sampler: auto, perf or ptrace. */
static bool
opt_sampler(const char *arg, enum sampler_kind *out)
{
	if (strcmp(arg, "auto") == 0) {
		*out = SAMPLER_AUTO;
	} else if (strcmp(arg, "perf") == 0) {
		*out = SAMPLER_PERF;
	} else if (strcmp(arg, "ptrace") == 0) {
		*out = SAMPLER_PTRACE;
	} else {
		usage_error_msg("invalid --sampler argument: '%s': expected auto, perf or ptrace",
				arg);
		return false;
	}
	return true;
}

/* --duration: a time such as 30s or 2m. */
static bool
opt_duration(const char *arg, uint64_t *out)
{
	const char *why;

	if (parse_duration(arg, out, &why) < 0) {
		usage_error_msg("invalid --duration argument: '%s': %s", arg,
				why);
		return false;
	}
	return true;
}

/* --rate: out of range is clamped, with a warning. */
static bool
opt_rate(const char *arg, int *out)
{
	const char *why;
	long rate;

	if (parse_int(arg, &rate, &why) < 0) {
		usage_error_msg("invalid --rate argument: '%s': %s", arg, why);
		return false;
	}
	if (rate < RATE_MIN || rate > RATE_MAX) {
		long clamped = rate < RATE_MIN ? RATE_MIN : RATE_MAX;

		warning_msg("rate %ld Hz is outside %d..%d Hz: using %ld Hz",
			    rate, RATE_MIN, RATE_MAX, clamped);
		rate = clamped;
	}
	*out = (int) rate;
	return true;
}

/* A whole number of 1 or more, for --@name. */
static bool
opt_positive(const char *name, const char *arg, long *out)
{
	const char *why;

	if (parse_int(arg, out, &why) == 0) {
		if (*out >= 1)
			return true;
		why = "must be 1 or more";
	}
	usage_error_msg("invalid --%s argument: '%s': %s", name, arg, why);
	return false;
}

/*
 * What every command that takes -p checks once its options are read: no
 * stray argument, a process given, and not pidprof itself (only @traced
 * commands attach).
 */
static bool
check_target(const char *cmd, int argc, char **argv, bool have_pid,
	     pid_t pid, bool traced)
{
	if (optind < argc) {
		usage_error_msg("unexpected argument '%s'", argv[optind]);
		return false;
	}
	if (!have_pid) {
		usage_error_msg("%s needs a process: use -p PID", cmd);
		return false;
	}
	if (traced && pid == getpid()) {
		usage_error_msg("refusing to attach to pidprof itself (pid %d)",
				(int) pid);
		return false;
	}
	return true;
}

/* The formats a command can write: a set of bits 1 << format. */
#define FMT(f)		(1u << (f))
#define FMTS_PROFILE	(FMT(FORMAT_PPROF) | FMT(FORMAT_COLLAPSED) | \
			 FMT(FORMAT_FLAMEGRAPH))
#define FMTS_THREADS	(FMTS_PROFILE | FMT(FORMAT_TEXT) | FMT(FORMAT_JSON))
/* What record and report write: also speedscope, a profile per thread. */
#define FMTS_SAMPLED	(FMTS_PROFILE | FMT(FORMAT_SPEEDSCOPE))

/* "pprof, collapsed or svg": the names of the formats in @allowed. */
static void
format_names(unsigned int allowed, char *buf, size_t size)
{
	size_t len = 0, n = 0, i, k = 0;
	int f;

	for (f = FORMAT_PPROF; f <= FORMAT_SPEEDSCOPE; f++)
		n += !!(allowed & FMT(f));
	buf[0] = '\0';
	for (f = FORMAT_PPROF; f <= FORMAT_SPEEDSCOPE && len < size; f++) {
		if (!(allowed & FMT(f)))
			continue;
		i = ++k;
		len += snprintf(buf + len, size - len, "%s%s",
				i == 1 ? "" : i == n ? " or " : ", ",
				output_format_name(f));
	}
}

/* -f NAME: the format of the -o options after it, one of @allowed. */
static bool
opt_format(const char *arg, unsigned int allowed, enum output_format *out)
{
	enum output_format f = output_format_by_name(arg);
	char names[96];

	if (f && (allowed & FMT(f))) {
		*out = f;
		return true;
	}
	format_names(allowed, names, sizeof(names));
	usage_error_msg("invalid --format argument: '%s': expected %s", arg,
			names);
	return false;
}

/*
 * Adds -o @path with @format (or the one its name implies), refused
 * unless @cmd can write it: before anything is attached or recorded.
 */
static bool
add_output(const char *cmd, struct output *outs, size_t *n, size_t max,
	   const char *path, enum output_format format, unsigned int allowed)
{
	struct output *out;
	char names[96];

	if (*n == max) {
		usage_error_msg("too many outputs (at most %zu)", max);
		return false;
	}
	format_names(allowed, names, sizeof(names));
	if (!format)
		format = output_format_by_path(path);
	if (!format) {
		usage_error_msg("cannot tell the format of '%s' from its name: use --format (%s) before -o",
				path, names);
		return false;
	}
	if (!(allowed & FMT(format))) {
		usage_error_msg("invalid --output argument: '%s': %s cannot write %s output (it writes %s)",
				path, cmd, output_format_name(format), names);
		return false;
	}
	out = &outs[(*n)++];
	out->path = path;
	out->format = format;
	return true;
}

static bool parse_stack_size(const char *arg, size_t *out);

/* --debug-dir, --debuginfod and their kin. */
static bool
opt_debuginfo(int opt, const char *arg)
{
	const char *name = opt == OPT_DEBUGINFOD_TIMEOUT ?
			   "debuginfod-timeout" : "debuginfod-budget";
	struct pp_err err;
	const char *why;
	uint64_t ns;

	switch (opt) {
	case OPT_DEBUG_DIR:
		if (debuginfo_add_dir(arg, &err) == 0)
			return true;
		usage_error_msg("invalid --debug-dir argument: %s", err.text);
		return false;
	case OPT_DEBUGINFOD:
		if (debuginfo_use_debuginfod(arg, &err) == 0)
			return true;
		usage_error_msg("--debuginfod: %s", err.text);
		return false;
	case OPT_NO_DEBUGINFOD:
		debuginfo_no_debuginfod();
		return true;
	default:
		if (parse_duration(arg, &ns, &why) < 0) {
			usage_error_msg("invalid --%s argument: '%s': %s",
					name, arg, why);
			return false;
		}
		if (ns < 1000000000ULL) {
			usage_error_msg("invalid --%s argument: '%s': at least 1s",
					name, arg);
			return false;
		}
		if (opt == OPT_DEBUGINFOD_TIMEOUT)
			debuginfo_set_timeout(ns, 0);
		else
			debuginfo_set_timeout(0, ns);
		return true;
	}
}

/* --group-by: thread or process, once each. */
static bool
opt_group_by(const char *arg, bool *by_thread, bool *by_process)
{
	if (strcmp(arg, "process") == 0) {
		*by_process = true;
		return true;
	}
	if (strcmp(arg, "thread") == 0) {
		*by_thread = true;
		return true;
	}
	usage_error_msg("invalid --group-by argument: '%s': expected process or thread",
			arg);
	return false;
}

/* -p PID[,PID...]: appended to @pids (at most @max in all). */
static bool
opt_pid_list(const char *arg, pid_t *pids, size_t *n, size_t max)
{
	char *copy = xstrdup(arg), *tok, *save = NULL;
	bool ok = true;

	for (tok = strtok_r(copy, ",", &save); tok && ok;
	     tok = strtok_r(NULL, ",", &save)) {
		pid_t pid;
		size_t i;

		if (!opt_pid(tok, &pid)) {
			ok = false;
			break;
		}
		for (i = 0; i < *n && pids[i] != pid; i++)
			;
		if (i < *n)
			continue;	/* named twice: sampled once */
		if (*n == max) {
			usage_error_msg("too many processes: %zu at most",
					max);
			ok = false;
			break;
		}
		pids[(*n)++] = pid;
	}
	if (ok && !*n) {
		usage_error_msg("invalid --pid argument: '%s': no process id",
				arg);
		ok = false;
	}
	free(copy);
	return ok;
}

/* --name NAME or --pidfile FILE (@is_name says which): appended to
 * @names or @pidfiles, PIDSEL_MAX_SOURCES of both at most. */
static bool
opt_pid_source(bool is_name, const char *arg, const char **names,
	       size_t *nnames, const char **pidfiles, size_t *npidfiles)
{
	if (!*arg) {
		usage_error_msg("invalid --%s argument: empty",
				is_name ? "name" : "pidfile");
		return false;
	}
	if (*nnames + *npidfiles == PIDSEL_MAX_SOURCES) {
		usage_error_msg("too many --name and --pidfile options: %d at most",
				PIDSEL_MAX_SOURCES);
		return false;
	}
	if (is_name)
		names[(*nnames)++] = arg;
	else
		pidfiles[(*npidfiles)++] = arg;
	return true;
}

/* No process given twice is pidprof itself. */
static bool
not_self(const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == getpid()) {
			usage_error_msg("refusing to attach to pidprof itself (pid %d)",
					(int) pids[i]);
			return false;
		}
	return true;
}

/* One of PIDARGS_CASES (@c) into @a; *@have_pid: a process was named. */
static bool
opt_pid_args(int c, const char *arg, struct pid_args *a, bool *have_pid)
{
	long n;

	switch (c) {
	case 'p':
		*have_pid = true;
		return opt_pid_list(arg, a->pids, &a->npids, PIDSEL_MAX_PIDS);
	case OPT_PID_NAME:
	case OPT_PID_PIDFILE:
		*have_pid = true;
		return opt_pid_source(c == OPT_PID_NAME, arg, a->names,
				      &a->nnames, a->pidfiles, &a->npidfiles);
	case OPT_PID_CHILDREN:
		a->children = true;
		return true;
	default:
		if (!opt_positive("max-processes", arg, &n))
			return false;
		if (n > PIDSEL_MAX_PIDS) {
			usage_error_msg("invalid --max-processes argument: '%s': %d at most",
					arg, PIDSEL_MAX_PIDS);
			return false;
		}
		a->max_processes = (size_t) n;
		return true;
	}
}

static void
parse_dump(int argc, char **argv, struct cli *cli)
{
	static const char optstring[] = "+:p:ju:s:vqh";
	static const struct option longopts[] = {
		PIDARGS_LONGOPTS,
		{ "json",	no_argument,		NULL, 'j' },
		{ "unwinder",	required_argument,	NULL, 'u' },
		{ "stack-size",	required_argument,	NULL, 's' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "help",	no_argument,		NULL, 'h' },
		DEBUGINFO_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct dump_opts *o = &cli->dump;
	bool have_pid = false;
	int c, verbose = 0;

	memset(o, 0, sizeof(*o));
	o->unwinder = &unwinder_dwfl;
	o->stack_size = STACK_SIZE_DEFAULT;
	cli->command = CLI_DUMP;
	optind = 0;	/* 0, not 1: glibc then resets its whole state */
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		switch (c) {
		PIDARGS_CASES:
			if (!opt_pid_args(c, optarg, &o->who, &have_pid))
				return usage_exit(cli);
			break;
		case 'j':
			o->json = true;
			break;
		case 'u':
			if (!opt_unwinder(optarg, &o->unwinder))
				return usage_exit(cli);
			break;
		case 's':
			if (!parse_stack_size(optarg, &o->stack_size))
				return usage_exit(cli);
			break;
		case 'v':
			verbose++;
			break;
		case 'q':
			o->quiet = true;
			debuginfo_quiet();
			break;
		case 'h':
			print_dump_help();
			cli->command = CLI_EXIT;
			cli->exit_status = EXIT_COMPLETE;
			return;
		DEBUGINFO_CASES:
			if (!opt_debuginfo(c, optarg))
				return usage_exit(cli);
			break;
		default:
			bad_option(argv, c);
			return usage_exit(cli);
		}
	}
	if (!check_target("dump", argc, argv, have_pid, 0, true) ||
	    !not_self(o->who.pids, o->who.npids))
		return usage_exit(cli);
	msg_set_verbose(verbose);
}

static bool
parse_stack_size(const char *arg, size_t *out)
{
	const char *why;
	uint64_t size;

	if (parse_size(arg, STACK_SIZE_MIN, STACK_SIZE_MAX, &size, &why) == 0) {
		*out = size;
		return true;
	}
	if (strcmp(why, "out of range") == 0)
		usage_error_msg("invalid --stack-size argument: '%s': out of range (%d..%d bytes)",
				arg, STACK_SIZE_MIN, STACK_SIZE_MAX);
	else
		usage_error_msg("invalid --stack-size argument: '%s': %s", arg,
				why);
	return false;
}

static void
parse_top(int argc, char **argv, struct cli *cli)
{
	enum { OPT_SAMPLER = 0x100 };
	static const char optstring[] = "+:p:m:r:d:n:u:s:h";
	static const struct option longopts[] = {
		{ "sampler",	required_argument,	NULL, OPT_SAMPLER },
		{ "pid",	required_argument,	NULL, 'p' },
		{ "mode",	required_argument,	NULL, 'm' },
		{ "rate",	required_argument,	NULL, 'r' },
		{ "duration",	required_argument,	NULL, 'd' },
		{ "rows",	required_argument,	NULL, 'n' },
		{ "unwinder",	required_argument,	NULL, 'u' },
		{ "stack-size",	required_argument,	NULL, 's' },
		{ "help",	no_argument,		NULL, 'h' },
		DEBUGINFO_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct top_opts *o = &cli->top;
	struct sampler_opts *so = &o->sampler;
	bool have_pid = false;
	int c;

	memset(o, 0, sizeof(*o));
	so->mode = MODE_WALL;
	so->sampler = SAMPLER_AUTO;
	so->rate_hz = 100;
	so->unwinder = &unwinder_dwfl;
	so->stack_size = STACK_SIZE_DEFAULT;
	o->rows = 20;
	cli->command = CLI_TOP;
	optind = 0;	/* 0, not 1: glibc then resets its whole state */
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!opt_pid(optarg, &so->pid))
				return usage_exit(cli);
			have_pid = true;
			break;
		case 'm':
			if (!opt_mode(optarg, &so->mode))
				return usage_exit(cli);
			break;
		case 'r':
			if (!opt_rate(optarg, &so->rate_hz))
				return usage_exit(cli);
			break;
		case 'd':
			if (!opt_duration(optarg, &so->duration_ns))
				return usage_exit(cli);
			break;
		case 'n':
			if (!opt_positive("rows", optarg, &o->rows))
				return usage_exit(cli);
			break;
		case OPT_SAMPLER:
			if (!opt_sampler(optarg, &so->sampler))
				return usage_exit(cli);
			break;
		case 'u':
			if (!opt_unwinder(optarg, &so->unwinder))
				return usage_exit(cli);
			break;
		case 's':
			if (!parse_stack_size(optarg, &so->stack_size))
				return usage_exit(cli);
			break;
		case 'h':
			print_top_help();
			cli->command = CLI_EXIT;
			cli->exit_status = EXIT_COMPLETE;
			return;
		DEBUGINFO_CASES:
			if (!opt_debuginfo(c, optarg))
				return usage_exit(cli);
			break;
		default:
			bad_option(argv, c);
			return usage_exit(cli);
		}
	}
	if (!check_target("top", argc, argv, have_pid, so->pid, true))
		return usage_exit(cli);
}

static void
parse_record(int argc, char **argv, struct cli *cli)
{
	enum { OPT_IDLE = 0x100, OPT_NO_IDLE, OPT_GROUP_BY, OPT_SAMPLER };
	static const char optstring[] = "+:p:o:f:d:r:m:u:s:qvh";
	static const struct option longopts[] = {
		{ "idle",	no_argument,		NULL, OPT_IDLE },
		{ "no-idle",	no_argument,		NULL, OPT_NO_IDLE },
		{ "group-by",	required_argument,	NULL, OPT_GROUP_BY },
		{ "sampler",	required_argument,	NULL, OPT_SAMPLER },
		PIDARGS_LONGOPTS,
		PIDARGS_FOLLOW_LONGOPTS,
		{ "output",	required_argument,	NULL, 'o' },
		{ "format",	required_argument,	NULL, 'f' },
		{ "duration",	required_argument,	NULL, 'd' },
		{ "rate",	required_argument,	NULL, 'r' },
		{ "mode",	required_argument,	NULL, 'm' },
		{ "unwinder",	required_argument,	NULL, 'u' },
		{ "stack-size",	required_argument,	NULL, 's' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "help",	no_argument,		NULL, 'h' },
		DEBUGINFO_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct record_opts *o = &cli->record;
	struct sampler_opts *so = &o->sampler;
	enum output_format format = FORMAT_NONE;
	bool have_pid = false;
	int c, verbose = 0;

	memset(o, 0, sizeof(*o));
	o->who.max_processes = RECORD_MAX_PIDS;
	so->mode = MODE_WALL;
	so->sampler = SAMPLER_AUTO;
	so->rate_hz = 100;
	so->unwinder = &unwinder_dwfl;
	so->stack_size = STACK_SIZE_DEFAULT;
	cli->command = CLI_RECORD;
	optind = 0;	/* 0, not 1: glibc then resets its whole state */
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		switch (c) {
		PIDARGS_CASES:
			if (!opt_pid_args(c, optarg, &o->who, &have_pid))
				return usage_exit(cli);
			so->pid = o->who.pids[0];
			break;
		case 'o':
			if (!add_output("record", o->outputs, &o->noutputs,
					RECORD_MAX_OUTPUTS, optarg, format,
					FMTS_SAMPLED))
				return usage_exit(cli);
			break;
		case 'f':
			if (!opt_format(optarg, FMTS_SAMPLED, &format))
				return usage_exit(cli);
			break;
		case 'd':
			if (!opt_duration(optarg, &so->duration_ns))
				return usage_exit(cli);
			break;
		case 'r':
			if (!opt_rate(optarg, &so->rate_hz))
				return usage_exit(cli);
			break;
		case 'm':
			if (!opt_mode(optarg, &so->mode))
				return usage_exit(cli);
			break;
		case 'u':
			if (!opt_unwinder(optarg, &so->unwinder))
				return usage_exit(cli);
			break;
		case 's':
			if (!parse_stack_size(optarg, &so->stack_size))
				return usage_exit(cli);
			break;
		case OPT_IDLE:
			so->no_idle = false;
			break;
		case OPT_NO_IDLE:
			so->no_idle = true;
			break;
		case OPT_GROUP_BY:
			if (!opt_group_by(optarg, &o->group_by_thread,
						 &o->group_by_process))
				return usage_exit(cli);
			break;
		case OPT_SAMPLER:
			if (!opt_sampler(optarg, &so->sampler))
				return usage_exit(cli);
			break;
		case 'q':
			o->quiet = true;
			debuginfo_quiet();
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			print_record_help();
			cli->command = CLI_EXIT;
			cli->exit_status = EXIT_COMPLETE;
			return;
		DEBUGINFO_CASES:
			if (!opt_debuginfo(c, optarg))
				return usage_exit(cli);
			break;
		default:
			bad_option(argv, c);
			return usage_exit(cli);
		}
	}
	if (optind < argc)
		so->argv = argv + optind;
	if (have_pid == !!so->argv) {
		usage_error_msg(have_pid ?
				"record takes -p PID or a command, not both" :
				"record needs a process: use -p PID or -- COMMAND");
		return usage_exit(cli);
	}
	if (!not_self(o->who.pids, o->who.npids))
		return usage_exit(cli);
	if (!o->noutputs) {
		const char *base = so->argv ? strrchr(so->argv[0], '/') : NULL;

		cli->default_output =
			have_pid && !o->who.npids && o->who.nnames ?
			xasprintf("pidprof-%s.pb.gz", o->who.names[0]) :
			have_pid && !o->who.npids ?
			xstrdup("pidprof.pb.gz") :
			have_pid ?
			xasprintf("pidprof-%d.pb.gz", (int) so->pid) :
			xasprintf("pidprof-%s.pb.gz",
				  base ? base + 1 : so->argv[0]);
		o->outputs[0].path = cli->default_output;
		o->outputs[0].format = FORMAT_PPROF;
		o->noutputs = 1;
	}
	so->status_line = !o->quiet && isatty(STDERR_FILENO);
	msg_set_verbose(verbose);
}

static void
parse_heap(int argc, char **argv, struct cli *cli)
{
	static const char optstring[] = "+:p:o:f:w:n:t:qvh";
	static const struct option longopts[] = {
		PIDARGS_LONGOPTS,
		{ "output",	required_argument,	NULL, 'o' },
		{ "format",	required_argument,	NULL, 'f' },
		{ "watch",	required_argument,	NULL, 'w' },
		{ "count",	required_argument,	NULL, 'n' },
		{ "tsv",	required_argument,	NULL, 't' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct heap_opts *o = &cli->heap;
	enum output_format format = FORMAT_NONE;
	const char *why;
	bool have_pid = false;
	int c;

	memset(o, 0, sizeof(*o));
	cli->command = CLI_HEAP;
	optind = 0;	/* 0, not 1: glibc then resets its whole state */
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		switch (c) {
		PIDARGS_CASES:
			if (!opt_pid_args(c, optarg, &o->who, &have_pid))
				return usage_exit(cli);
			break;
		case 'o':
			if (!add_output("heap", o->outputs, &o->noutputs,
					HEAP_MAX_OUTPUTS, optarg, format,
					FMTS_PROFILE | FMT(FORMAT_TABLE)))
				return usage_exit(cli);
			break;
		case 'f':
			if (!opt_format(optarg,
					FMTS_PROFILE | FMT(FORMAT_TABLE),
					&format))
				return usage_exit(cli);
			break;
		case 'w':
			if (parse_duration(optarg, &o->watch_ns, &why) < 0) {
				usage_error_msg("invalid --watch argument: '%s': %s",
						optarg, why);
				return usage_exit(cli);
			}
			break;
		case 'n':
			if (!opt_positive("count", optarg, &o->count))
				return usage_exit(cli);
			break;
		case 't':
			o->tsv = optarg;
			break;
		case 'q':
			o->quiet = true;
			debuginfo_quiet();
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			print_heap_help();
			cli->command = CLI_EXIT;
			cli->exit_status = EXIT_COMPLETE;
			return;
		default:
			bad_option(argv, c);
			return usage_exit(cli);
		}
	}
	if (!check_target("heap", argc, argv, have_pid, 0, false))
		return usage_exit(cli);
	/* Growth and its TSV are one process's. */
	if (o->watch_ns && o->who.npids + o->who.npidfiles > 1) {
		usage_error_msg("--watch reads one process: give one -p or --pidfile");
		return usage_exit(cli);
	}
	if (!o->watch_ns && (o->count || o->tsv)) {
		usage_error_msg("--count and --tsv need --watch");
		return usage_exit(cli);
	}
	if (o->verbose && o->quiet) {
		usage_error_msg("--verbose and --quiet exclude each other");
		return usage_exit(cli);
	}
	o->status_line = o->tsv && !o->quiet && !o->verbose &&
			 isatty(STDERR_FILENO);
	if (!o->noutputs && !o->watch_ns) {
		o->outputs[0].path = "-";
		o->outputs[0].format = format ? format : FORMAT_TABLE;
		o->noutputs = 1;
	}
}

static void
parse_threads(int argc, char **argv, struct cli *cli)
{
	static const char optstring[] = "+:p:o:f:ju:s:qh";
	static const struct option longopts[] = {
		PIDARGS_LONGOPTS,
		{ "output",	required_argument,	NULL, 'o' },
		{ "format",	required_argument,	NULL, 'f' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "unwinder",	required_argument,	NULL, 'u' },
		{ "stack-size",	required_argument,	NULL, 's' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "help",	no_argument,		NULL, 'h' },
		DEBUGINFO_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct threads_opts *o = &cli->threads;
	enum output_format format = FORMAT_NONE;
	bool have_pid = false, json = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->unwinder = &unwinder_dwfl;
	o->stack_size = STACK_SIZE_DEFAULT;
	cli->command = CLI_THREADS;
	optind = 0;	/* 0, not 1: glibc then resets its whole state */
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		switch (c) {
		PIDARGS_CASES:
			if (!opt_pid_args(c, optarg, &o->who, &have_pid))
				return usage_exit(cli);
			break;
		case 'o':
			if (!add_output("threads", o->outputs, &o->noutputs,
					THREADS_MAX_OUTPUTS, optarg, format,
					FMTS_THREADS))
				return usage_exit(cli);
			break;
		case 'f':
			if (!opt_format(optarg, FMTS_THREADS, &format))
				return usage_exit(cli);
			break;
		case 'j':
			json = true;
			break;
		case 'u':
			if (!opt_unwinder(optarg, &o->unwinder))
				return usage_exit(cli);
			break;
		case 's':
			if (!parse_stack_size(optarg, &o->stack_size))
				return usage_exit(cli);
			break;
		case 'q':
			o->quiet = true;
			debuginfo_quiet();
			break;
		case 'h':
			print_threads_help();
			cli->command = CLI_EXIT;
			cli->exit_status = EXIT_COMPLETE;
			return;
		DEBUGINFO_CASES:
			if (!opt_debuginfo(c, optarg))
				return usage_exit(cli);
			break;
		default:
			bad_option(argv, c);
			return usage_exit(cli);
		}
	}
	if (!check_target("threads", argc, argv, have_pid, 0, true) ||
	    !not_self(o->who.pids, o->who.npids))
		return usage_exit(cli);
	if (json || !o->noutputs) {
		if (!add_output("threads", o->outputs, &o->noutputs,
				THREADS_MAX_OUTPUTS, "-", json ? FORMAT_JSON :
				format ? format : FORMAT_TEXT, FMTS_THREADS))
			return usage_exit(cli);
	}
}

static void
parse_report(int argc, char **argv, struct cli *cli)
{
	/* Options may follow the file: no "+", getopt permutes. */
	enum { OPT_THREAD = 0x100, OPT_GROUP_BY };
	static const char optstring[] = ":n:t:o:f:qh";
	static const struct option longopts[] = {
		{ "thread",	required_argument,	NULL, OPT_THREAD },
		{ "group-by",	required_argument,	NULL, OPT_GROUP_BY },
		{ "top",		required_argument,	NULL, 'n' },
		{ "sample-type",	required_argument,	NULL, 't' },
		{ "output",		required_argument,	NULL, 'o' },
		{ "format",		required_argument,	NULL, 'f' },
		{ "quiet",		no_argument,		NULL, 'q' },
		{ "help",		no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct report_opts *o = &cli->report;
	enum output_format format = FORMAT_NONE;
	int c;

	memset(o, 0, sizeof(*o));
	o->top = 10;
	cli->command = CLI_REPORT;
	optind = 0;	/* 0, not 1: glibc then resets its whole state */
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!opt_positive("top", optarg, &o->top))
				return usage_exit(cli);
			break;
		case 't':
			o->sample_type = optarg;
			break;
		case OPT_THREAD:
			if (!*optarg) {
				usage_error_msg("invalid --thread argument: empty");
				return usage_exit(cli);
			}
			o->thread = optarg;
			break;
		case OPT_GROUP_BY:
			if (!opt_group_by(optarg, &o->group_by_thread,
						 &o->group_by_process))
				return usage_exit(cli);
			break;
		case 'o':
			if (!add_output("report", o->outputs, &o->noutputs,
					REPORT_MAX_OUTPUTS, optarg, format,
					FMTS_SAMPLED))
				return usage_exit(cli);
			break;
		case 'f':
			if (!opt_format(optarg, FMTS_SAMPLED, &format))
				return usage_exit(cli);
			break;
		case 'q':
			o->quiet = true;
			debuginfo_quiet();
			break;
		case 'h':
			print_report_help();
			cli->command = CLI_EXIT;
			cli->exit_status = EXIT_COMPLETE;
			return;
		default:
			bad_option(argv, c);
			return usage_exit(cli);
		}
	}
	if (optind + 1 != argc) {
		usage_error_msg(optind == argc ?
				"report needs a pprof file" :
				"report takes one pprof file");
		return usage_exit(cli);
	}
	o->input = argv[optind];
}

static void
parse_diff(int argc, char **argv, struct cli *cli)
{
	/* Options may follow the files: no "+", getopt permutes. */
	static const char optstring[] = ":t:T:n:f:o:qh";
	static const struct option longopts[] = {
		{ "sample-type",	required_argument,	NULL, 't' },
		{ "threshold",		required_argument,	NULL, 'T' },
		{ "top",		required_argument,	NULL, 'n' },
		{ "format",		required_argument,	NULL, 'f' },
		{ "output",		required_argument,	NULL, 'o' },
		{ "quiet",		no_argument,		NULL, 'q' },
		{ "help",		no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct diff_opts *o = &cli->diff;
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->threshold = 5;
	o->top = 10;
	cli->command = CLI_DIFF;
	optind = 0;	/* 0, not 1: glibc then resets its whole state */
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			o->sample_type = optarg;
			break;
		case 'T':
			o->threshold = strtod(optarg, &end);
			if (*optarg == '\0' || *end || o->threshold < 0 ||
			    o->threshold > 100) {
				usage_error_msg("invalid --threshold argument: '%s': expected percentage points from 0 to 100",
						optarg);
				return usage_exit(cli);
			}
			break;
		case 'n':
			if (!opt_positive("top", optarg, &o->top))
				return usage_exit(cli);
			break;
		case 'f':
			if (strcmp(optarg, "text") == 0) {
				o->format = DIFF_TEXT;
			} else if (strcmp(optarg, "markdown") == 0) {
				o->format = DIFF_MARKDOWN;
			} else if (strcmp(optarg, "json") == 0) {
				o->format = DIFF_JSON;
			} else {
				usage_error_msg("invalid --format argument: '%s': expected text, markdown or json",
						optarg);
				return usage_exit(cli);
			}
			break;
		case 'o':
			if (output_format_by_path(optarg) !=
			    FORMAT_FLAMEGRAPH) {
				usage_error_msg("invalid --output argument: '%s': diff draws an SVG flame graph: the name must end in .svg",
						optarg);
				return usage_exit(cli);
			}
			o->svg = optarg;
			break;
		case 'q':
			o->quiet = true;
			debuginfo_quiet();
			break;
		case 'h':
			print_diff_help();
			cli->command = CLI_EXIT;
			cli->exit_status = EXIT_COMPLETE;
			return;
		default:
			bad_option(argv, c);
			return usage_exit(cli);
		}
	}
	if (optind + 2 != argc) {
		usage_error_msg("diff takes two pprof files: BASE NEW");
		return usage_exit(cli);
	}
	o->base = argv[optind];
	o->new = argv[optind + 1];
}

/* The long name of an option read by getopt_long. */
static const char *
long_name(const struct option *longopts, int c, int index)
{
	size_t i;

	if (index >= 0)
		return longopts[index].name;
	for (i = 0; longopts[i].name; i++)
		if (longopts[i].val == c)
			return longopts[i].name;
	return "?";
}

/*
 * A password in a URL on the command line would show in the process
 * list: keep a copy and overwrite it in argv (which /proc/PID/cmdline
 * shows) with '*'.  Returns the copy, or @arg when it has none.
 */
static const char *
hide_url_password(struct push_opts *o, char *arg)
{
	struct url_parts u;
	char *copy;

	if (url_split(arg, &u) < 0 || !u.has_password || !u.password_len)
		return arg;
	copy = xstrdup(arg);
	o->owned = xgrow(o->owned, &o->owned_cap, o->nowned + 1,
			 sizeof(*o->owned));
	o->owned[o->nowned++] = copy;
	memset(arg + u.password, '*', u.password_len);
	return copy;
}

static void
parse_push(int argc, char **argv, struct cli *cli)
{
	enum {
		OPT_WINDOW = 0x100, OPT_SPOOL_DIR, OPT_SPOOL_MAX,
		OPT_PYROSCOPE, OPT_PROFEFE, OPT_APP, OPT_TAG, OPT_TYPES,
		OPT_TOKEN_ENV, OPT_BASIC_USER, OPT_PASSWORD_ENV, OPT_TENANT,
		OPT_HEADER, OPT_CONNECT_TIMEOUT, OPT_TIMEOUT, OPT_IDLE,
		OPT_NO_IDLE, OPT_SAMPLER,
	};
	static const char optstring[] = "+:p:c:m:r:qvh";
	static const struct option longopts[] = {
		PIDARGS_LONGOPTS,
		PIDARGS_FOLLOW_LONGOPTS,
		{ "config",		required_argument, NULL, 'c' },
		{ "mode",		required_argument, NULL, 'm' },
		{ "rate",		required_argument, NULL, 'r' },
		{ "idle",		no_argument,	   NULL, OPT_IDLE },
		{ "no-idle",		no_argument,	   NULL, OPT_NO_IDLE },
		{ "sampler",		required_argument, NULL, OPT_SAMPLER },
		{ "window",		required_argument, NULL, OPT_WINDOW },
		{ "spool-dir",	required_argument, NULL, OPT_SPOOL_DIR },
		{ "spool-max",	required_argument, NULL, OPT_SPOOL_MAX },
		{ "quiet",		no_argument,	   NULL, 'q' },
		{ "verbose",		no_argument,	   NULL, 'v' },
		{ "help",		no_argument,	   NULL, 'h' },
		{ "pyroscope",	required_argument, NULL, OPT_PYROSCOPE },
		{ "profefe",		required_argument, NULL, OPT_PROFEFE },
		{ "app",		required_argument, NULL, OPT_APP },
		{ "tag",		required_argument, NULL, OPT_TAG },
		{ "types",		required_argument, NULL, OPT_TYPES },
		{ "auth-token-env", required_argument, NULL, OPT_TOKEN_ENV },
		{ "basic-user",	required_argument, NULL, OPT_BASIC_USER },
		{ "basic-password-env", required_argument, NULL,
			OPT_PASSWORD_ENV },
		{ "tenant",		required_argument, NULL, OPT_TENANT },
		{ "header",		required_argument, NULL, OPT_HEADER },
		{ "connect-timeout", required_argument, NULL,
			OPT_CONNECT_TIMEOUT },
		{ "timeout",		required_argument, NULL, OPT_TIMEOUT },
		DEBUGINFO_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct push_opts *o = &cli->push;
	struct push_config scratch;
	struct push_plan plan;
	struct pp_err err;
	bool have_pid = false;
	int c, index;

	memset(o, 0, sizeof(*o));
	push_config_init(&scratch);
	cli->command = CLI_PUSH;
	optind = 0;	/* 0, not 1: glibc then resets its whole state */
	opterr = 0;
	for (;;) {
		const char *key;

		index = -1;
		c = getopt_long(argc, argv, optstring, longopts, &index);
		if (c == -1)
			break;

		switch (c) {
		case 'h':
			print_push_help();
			push_config_free(&scratch);
			push_opts_free(o);
			cli->command = CLI_EXIT;
			cli->exit_status = EXIT_COMPLETE;
			return;
		case 'c':
			o->config_path = optarg;
			continue;
		DEBUGINFO_CASES:
			if (!opt_debuginfo(c, optarg))
				goto usage;
			continue;
		case ':':
		case '?':
			bad_option(argv, c);
			goto usage;
		default:
			break;
		}
		key = long_name(longopts, c, index);
		have_pid |= c == 'p' || c == OPT_PID_NAME ||
			    c == OPT_PID_PIDFILE;
		/* Checked now, applied (after the file's) when it runs. */
		if (push_config_set(&scratch, NULL, key,
				    c == 'q' || c == 'v' ? NULL : optarg,
				    &err) < 0) {
			usage_error_msg("invalid --%s argument: %s", key,
					err.text);
			goto usage;
		}
		o->args = xgrow(o->args, &o->args_cap, o->nargs + 1,
				sizeof(*o->args));
		o->args[o->nargs].key = key;
		o->args[o->nargs].value = c == 'q' || c == 'v' ? NULL : optarg;
		if (c == OPT_PYROSCOPE || c == OPT_PROFEFE)
			o->args[o->nargs].value = hide_url_password(o, optarg);
		o->nargs++;
	}
	if (optind < argc)
		o->argv = argv + optind;
	if (have_pid && o->argv) {
		usage_error_msg("push takes -p PID or a command, not both (nor --name, --pidfile)");
		goto usage;
	}
	if (!have_pid && !o->argv && !o->config_path) {
		usage_error_msg("push needs a process: use -p PID, --name NAME or -- COMMAND");
		goto usage;
	}
	if (!not_self(scratch.who.pids, scratch.who.npids))
		goto usage;
	/* Without a file, the command line must be complete. */
	if (!o->config_path) {
		if (push_config_resolve(&scratch, "pidprof", &plan, &err) < 0) {
			usage_error_msg("%s", err.text);
			goto usage;
		}
		push_plan_free(&plan);
	}
	push_config_free(&scratch);
	return;
usage:
	push_config_free(&scratch);
	push_opts_free(o);
	usage_exit(cli);
}

static void
parse_serve(int argc, char **argv, struct cli *cli)
{
	enum {
		OPT_TLS_CERT = 0x100,
		OPT_TLS_KEY,
		OPT_CLIENT_CA,
		OPT_TOKEN_FILE,
		OPT_PUBLIC_STATUS,
		OPT_INSECURE,
		OPT_MAX_CONNECTIONS,
		OPT_TIMEOUT,
		OPT_IDLE,
		OPT_NO_IDLE,
		OPT_SAMPLER,
	};
	static const char optstring[] = "+:p:l:r:u:s:qvh";
	static const struct option longopts[] = {
		PIDARGS_LONGOPTS,
		PIDARGS_FOLLOW_LONGOPTS,
		{ "listen",		required_argument, NULL, 'l' },
		{ "tls-cert",		required_argument, NULL, OPT_TLS_CERT },
		{ "tls-key",		required_argument, NULL, OPT_TLS_KEY },
		{ "client-ca",		required_argument, NULL,
					OPT_CLIENT_CA },
		{ "token-file",		required_argument, NULL,
					OPT_TOKEN_FILE },
		{ "public-status",	no_argument, NULL, OPT_PUBLIC_STATUS },
		{ "insecure",		no_argument, NULL, OPT_INSECURE },
		{ "max-connections",	required_argument, NULL,
					OPT_MAX_CONNECTIONS },
		{ "timeout",		required_argument, NULL, OPT_TIMEOUT },
		{ "rate",		required_argument, NULL, 'r' },
		{ "idle",		no_argument, NULL, OPT_IDLE },
		{ "sampler",		required_argument, NULL, OPT_SAMPLER },
		{ "no-idle",		no_argument, NULL, OPT_NO_IDLE },
		{ "unwinder",		required_argument, NULL, 'u' },
		{ "stack-size",		required_argument, NULL, 's' },
		{ "quiet",		no_argument, NULL, 'q' },
		{ "verbose",		no_argument, NULL, 'v' },
		{ "help",		no_argument, NULL, 'h' },
		DEBUGINFO_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct serve_opts *o = &cli->serve;
	const char *why;
	bool have_pid = false;
	uint64_t ns;
	long n;
	int c, verbose = 0;

	memset(o, 0, sizeof(*o));
	o->rate_hz = 100;
	o->sampler = SAMPLER_AUTO;
	o->unwinder = &unwinder_dwfl;
	o->stack_size = STACK_SIZE_DEFAULT;
	o->listen = SERVE_LISTEN_DEFAULT;
	o->http.max_connections = 32;
	o->http.timeout_s = 30;
	o->who.max_processes = PIDSEL_MAX_PIDS;
	cli->command = CLI_SERVE;
	optind = 0;	/* 0, not 1: glibc then resets its whole state */
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		switch (c) {
		PIDARGS_CASES:
			if (!opt_pid_args(c, optarg, &o->who, &have_pid))
				return usage_exit(cli);
			break;
		case 'l':
			o->listen = optarg;
			break;
		case OPT_TLS_CERT:
			o->http.tls_cert = optarg;
			break;
		case OPT_TLS_KEY:
			o->http.tls_key = optarg;
			break;
		case OPT_CLIENT_CA:
			o->http.client_ca = optarg;
			break;
		case OPT_TOKEN_FILE:
			o->token_file = optarg;
			break;
		case OPT_PUBLIC_STATUS:
			o->public_status = true;
			break;
		case OPT_INSECURE:
			o->insecure = true;
			break;
		case OPT_MAX_CONNECTIONS:
			if (!opt_positive("max-connections", optarg, &n))
				return usage_exit(cli);
			if (n > 1024) {
				usage_error_msg("invalid --max-connections argument: '%s': at most 1024",
						optarg);
				return usage_exit(cli);
			}
			o->http.max_connections = (unsigned int) n;
			break;
		case OPT_TIMEOUT:
			if (parse_duration(optarg, &ns, &why) < 0 ||
			    (ns < 1000000000ull && (why = "at least 1s")) ||
			    (ns > 3600000000000ull && (why = "at most 1h"))) {
				usage_error_msg("invalid --timeout argument: '%s': %s",
						optarg, why);
				return usage_exit(cli);
			}
			o->http.timeout_s = (unsigned int) (ns / 1000000000ull);
			break;
		case OPT_IDLE:
			o->no_idle = false;
			break;
		case OPT_NO_IDLE:
			o->no_idle = true;
			break;
		case OPT_SAMPLER:
			if (!opt_sampler(optarg, &o->sampler))
				return usage_exit(cli);
			break;
		case 'r':
			if (!opt_rate(optarg, &o->rate_hz))
				return usage_exit(cli);
			break;
		case 'u':
			if (!opt_unwinder(optarg, &o->unwinder))
				return usage_exit(cli);
			break;
		case 's':
			if (!parse_stack_size(optarg, &o->stack_size))
				return usage_exit(cli);
			break;
		case 'q':
			o->quiet = true;
			debuginfo_quiet();
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			print_serve_help();
			cli->command = CLI_EXIT;
			cli->exit_status = EXIT_COMPLETE;
			return;
		DEBUGINFO_CASES:
			if (!opt_debuginfo(c, optarg))
				return usage_exit(cli);
			break;
		default:
			bad_option(argv, c);
			return usage_exit(cli);
		}
	}
	if (!check_target("serve", argc, argv, have_pid, 0, true) ||
	    !not_self(o->who.pids, o->who.npids))
		return usage_exit(cli);
	o->pid = o->who.pids[0];
	if (http_listen_parse(o->listen, &o->http.listen, &why) < 0) {
		usage_error_msg("invalid --listen argument: '%s': %s",
				o->listen, why);
		return usage_exit(cli);
	}
	if (!o->http.tls_cert != !o->http.tls_key) {
		usage_error_msg("--tls-cert and --tls-key go together");
		return usage_exit(cli);
	}
	if (o->http.client_ca && !o->http.tls_cert) {
		usage_error_msg("--client-ca needs --tls-cert and --tls-key");
		return usage_exit(cli);
	}
	msg_set_verbose(verbose);
}

static void
parse_snapshot(int argc, char **argv, struct cli *cli)
{
	enum { OPT_IDLE = 0x100, OPT_NO_IDLE, OPT_SAMPLER };
	static const char optstring[] = "+:p:P:N:D:t:d:k:a:vqh";
	static const struct option longopts[] = {
		{ "idle",	no_argument,		NULL, OPT_IDLE },
		{ "no-idle",	no_argument,		NULL, OPT_NO_IDLE },
		{ "sampler",	required_argument,	NULL, OPT_SAMPLER },
		{ "pid",	required_argument,	NULL, 'p' },
		{ "pidfile",	required_argument,	NULL, 'P' },
		{ "name",	required_argument,	NULL, 'N' },
		{ "children",	no_argument,	NULL, OPT_PID_CHILDREN },
		{ "dir",	required_argument,	NULL, 'D' },
		{ "types",	required_argument,	NULL, 't' },
		{ "duration",	required_argument,	NULL, 'd' },
		{ "keep",	required_argument,	NULL, 'k' },
		{ "max-age",	required_argument,	NULL, 'a' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "help",	no_argument,		NULL, 'h' },
		DEBUGINFO_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct snapdir_opts *o = &cli->snapshot;
	const char *why;
	int c;
	bool have_duration = false, have_pid = false;

	memset(o, 0, sizeof(*o));
	o->types = SNAPDIR_DEFAULT_TYPES;
	o->duration_ns = 5000000000ull;
	o->sampler = SAMPLER_AUTO;
	o->unwinder = &unwinder_dwfl;
	o->stack_size = STACK_SIZE_DEFAULT;
	cli->command = CLI_SNAPSHOT;
	optind = 0;	/* 0, not 1: glibc then resets its whole state */
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
		case 'P':
		case 'N':
		case OPT_PID_CHILDREN:
			if (!opt_pid_args(c == 'P' ? OPT_PID_PIDFILE :
					  c == 'N' ? OPT_PID_NAME : c, optarg,
					  &o->who, &have_pid))
				return usage_exit(cli);
			break;
		case 'D':
			o->dir = optarg;
			break;
		case 't':
			o->types_given = true;
			if (snapdir_parse_types(optarg, &o->types, &why) < 0) {
				usage_error_msg("invalid --types argument: '%s': '%.*s' is not one of cpu, wall, memory, threads",
						optarg, (int) strcspn(why, ","),
						why);
				return usage_exit(cli);
			}
			break;
		case 'd':
			if (!opt_duration(optarg, &o->duration_ns))
				return usage_exit(cli);
			have_duration = true;
			break;
		case 'k':
			if (!opt_positive("keep", optarg, &o->keep))
				return usage_exit(cli);
			break;
		case 'a':
			if (parse_age(optarg, &o->max_age_s, &why) < 0) {
				usage_error_msg("invalid --max-age argument: '%s': %s",
						optarg, why);
				return usage_exit(cli);
			}
			break;
		case OPT_IDLE:
			o->no_idle = false;
			break;
		case OPT_NO_IDLE:
			o->no_idle = true;
			break;
		case OPT_SAMPLER:
			if (!opt_sampler(optarg, &o->sampler))
				return usage_exit(cli);
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'q':
			o->quiet = true;
			debuginfo_quiet();
			break;
		case 'h':
			print_snapshot_help();
			cli->command = CLI_EXIT;
			cli->exit_status = EXIT_COMPLETE;
			return;
		DEBUGINFO_CASES:
			if (!opt_debuginfo(c, optarg))
				return usage_exit(cli);
			break;
		default:
			bad_option(argv, c);
			return usage_exit(cli);
		}
	}
	if (optind < argc) {
		usage_error_msg("unexpected argument '%s'", argv[optind]);
		return usage_exit(cli);
	}
	if (!have_pid) {
		usage_error_msg("snapshot needs a process: use -p PID, --pidfile FILE or --name NAME");
		return usage_exit(cli);
	}
	if (!not_self(o->who.pids, o->who.npids))
		return usage_exit(cli);
	if (!o->dir || !*o->dir) {
		usage_error_msg("snapshot needs a directory: use --dir DIR");
		return usage_exit(cli);
	}
	if (have_duration && !(o->types & (SNAPDIR_CPU | SNAPDIR_WALL))) {
		usage_error_msg("--duration needs cpu or wall in --types");
		return usage_exit(cli);
	}
	if (o->verbose && o->quiet) {
		usage_error_msg("--verbose and --quiet exclude each other");
		return usage_exit(cli);
	}
}

static void
parse_trend(int argc, char **argv, struct cli *cli)
{
	/* Options may follow the directory: no "+", getopt permutes. */
	enum { OPT_FAIL_ON_SUSPECT = 0x100 };
	static const char optstring[] = ":o:qh";
	static const struct option longopts[] = {
		{ "output",	required_argument,	NULL, 'o' },
		{ "fail-on-suspect", no_argument,	NULL,
					OPT_FAIL_ON_SUSPECT },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct trend_opts *o = &cli->trend;
	int c;

	memset(o, 0, sizeof(*o));
	cli->command = CLI_TREND;
	optind = 0;	/* 0, not 1: glibc then resets its whole state */
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (output_format_by_path(optarg) !=
			    FORMAT_FLAMEGRAPH) {
				usage_error_msg("invalid --output argument: '%s': trend draws an SVG chart: the name must end in .svg",
						optarg);
				return usage_exit(cli);
			}
			o->svg = optarg;
			break;
		case OPT_FAIL_ON_SUSPECT:
			o->fail_on_suspect = true;
			break;
		case 'q':
			o->quiet = true;
			debuginfo_quiet();
			break;
		case 'h':
			print_trend_help();
			cli->command = CLI_EXIT;
			cli->exit_status = EXIT_COMPLETE;
			return;
		default:
			bad_option(argv, c);
			return usage_exit(cli);
		}
	}
	if (optind + 1 != argc) {
		usage_error_msg(optind == argc ?
				"trend needs a snapshot directory or a TSV file" :
				"trend takes one snapshot directory or TSV file");
		return usage_exit(cli);
	}
	o->input = argv[optind];
}

void
cli_parse(int argc, char **argv, struct cli *cli)
{
	static const char optstring[] = "+:hV";
	static const struct option longopts[] = {
		{ "help",	no_argument,	NULL, 'h' },
		{ "version",	no_argument,	NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		const char *name;
		void (*parse)(int argc, char **argv, struct cli *cli);
	} commands[] = {
		{ "record",	parse_record },
		{ "dump",	parse_dump },
		{ "heap",	parse_heap },
		{ "threads",	parse_threads },
		{ "report",	parse_report },
		{ "diff",	parse_diff },
		{ "snapshot",	parse_snapshot },
		{ "trend",	parse_trend },
		{ "serve",	parse_serve },
		{ "push",	parse_push },
		{ "top",	parse_top },
	};
	const char *cmd;
	size_t i;
	int c;

	memset(cli, 0, sizeof(*cli));
	cli->command = CLI_EXIT;
	msg_set_command(NULL);
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			print_main_help(stdout);
			cli->exit_status = EXIT_COMPLETE;
			return;
		case 'V':
			print_version();
			cli->exit_status = EXIT_COMPLETE;
			return;
		default:
			bad_option(argv, c);
			return usage_exit(cli);
		}
	}
	if (optind >= argc) {
		print_main_help(stderr);
		return usage_exit(cli);
	}
	cmd = argv[optind];
	if (strcmp(cmd, "help") == 0) {
		char *hargv[3];

		if (optind + 1 >= argc) {
			print_main_help(stdout);
			cli->exit_status = EXIT_COMPLETE;
			return;
		}
		/* help COMMAND: that command's --help. */
		cmd = argv[optind + 1];
		if (optind + 2 < argc) {
			usage_error_msg("unexpected argument '%s'",
					argv[optind + 2]);
			return usage_exit(cli);
		}
		hargv[0] = argv[optind + 1];
		hargv[1] = (char *) "--help";
		hargv[2] = NULL;
		for (i = 0; i < ARRAY_SIZE(commands); i++)
			if (strcmp(cmd, commands[i].name) == 0)
				return commands[i].parse(2, hargv, cli);
	} else {
		for (i = 0; i < ARRAY_SIZE(commands); i++) {
			if (strcmp(cmd, commands[i].name) != 0)
				continue;
			msg_set_command(commands[i].name);
			return commands[i].parse(argc - optind, argv + optind,
						 cli);
		}
	}
	usage_error_msg("unknown command '%s'", cmd);
	usage_exit(cli);
}
