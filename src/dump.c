/*
 * pidprof dump: attach, take one snapshot of every thread, let go, then
 * unwind and symbolize the copies and print them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "dump.h"
#include "pidsel.h"
#include "capture.h"
#include "json.h"
#include "msg.h"
#include "procfs.h"
#include "sampler.h"
#include "symbols.h"
#include "syscalls.h"
#include "units.h"
#include "xmalloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
print_text_frame(size_t idx, uint64_t pc, const struct sym_frame *f)
{
	const char *m;

	printf("  #%zu  0x%016llx in %s", idx, (unsigned long long) pc,
	       f->function ? f->function : "??");
	if (f->file && f->line > 0)
		printf(" at %s:%d", f->file, f->line);
	else if (f->file)
		printf(" at %s", f->file);
	if (f->inlined)
		printf(" (inlined)");
	m = f->module ? module_basename(f->module) : "?";
	/* "[vdso]", "[jit]" are bracketed already. */
	printf(m[0] == '[' ? " %s\n" : " [%s]\n", m);
}

static void
print_json_frame(bool *first, uint64_t pc, const struct sym_frame *f)
{
	printf("%s{\"pc\":\"0x%llx\",\"function\":", *first ? "" : ",",
	       (unsigned long long) pc);
	json_string(stdout, f->function);
	printf(",\"file\":");
	json_string(stdout, f->file);
	printf(",\"line\":%d,\"inlined\":%s,\"module\":", f->line,
	       f->inlined ? "true" : "false");
	json_string(stdout, f->module);
	printf("}");
	*first = false;
}

static const char *
capture_name(const struct snapshot *s)
{
	switch (s->how) {
	case SNAP_INTERRUPTED: return "stopped";
	case SNAP_BLOCKED: return "blocked";
	default: return "none";
	}
}

static void
print_thread(const struct dump_opts *o, struct symbols *syms,
	     const struct thread_stack *th, bool first_thread)
{
	const struct snapshot *s = &th->snap;
	const char *sc = s->how == SNAP_BLOCKED ? syscall_name(s->syscall_nr) :
			 NULL;
	char scbuf[32];
	bool first = true;
	size_t i, j, idx = 0;

	if (s->how == SNAP_BLOCKED && !sc) {
		if (s->syscall_nr >= 0) {
			snprintf(scbuf, sizeof(scbuf), "syscall %ld",
				 s->syscall_nr);
			sc = scbuf;
		}
	}
	if (o->json) {
		printf("%s{\"tid\":%d,\"name\":", first_thread ? "" : ",",
		       (int) s->tid);
		json_string(stdout, th->name);
		printf(",\"state\":\"%c\",\"capture\":\"%s\",\"syscall\":",
		       s->state ? s->state : '?', capture_name(s));
		json_string(stdout, sc);
		if (s->how == SNAP_INTERRUPTED)
			printf(",\"stop_us\":%.1f", s->stop_ns / 1000.0);
		else
			printf(",\"stop_us\":null");
		printf(",\"truncated\":%s,\"error\":",
		       th->raw && th->raw->end == UNWIND_END_TRUNCATED ?
		       "true" : "false");
		if (th->error)
			json_string(stdout, th->error);
		else if (th->raw && !th->complete &&
			 th->raw->end != UNWIND_END_TRUNCATED)
			json_string(stdout, th->raw->reason);
		else
			printf("null");
		printf(",\"frames\":[");
	} else {
		printf("\nThread %d (%s) %c", (int) s->tid, th->name,
		       s->state ? s->state : '?');
		if (s->how == SNAP_INTERRUPTED)
			printf(", stopped %.0f us\n", s->stop_ns / 1000.0);
		else if (s->how == SNAP_BLOCKED && sc)
			printf(" in %s, not stopped\n", sc);
		else if (s->how == SNAP_BLOCKED)
			printf(", not stopped\n");
		else
			printf("\n");
		if (th->error)
			printf("  (no stack: %s)\n", th->error);
	}
	for (i = 0; th->raw && i < th->raw->n; i++) {
		const struct raw_frame *rf = &th->raw->frames[i];
		const struct sym_frame *sf;
		size_t n = symbols_lookup(syms, rf->pc, rf->activation, &sf);

		for (j = 0; j < n; j++, idx++) {
			if (o->json)
				print_json_frame(&first, rf->pc, &sf[j]);
			else
				print_text_frame(idx, rf->pc, &sf[j]);
		}
	}
	if (o->json) {
		printf("]}");
		return;
	}
	if (!th->raw || th->complete)
		return;
	if (th->raw->end == UNWIND_END_TRUNCATED) {
		char size[UNITS_LEN];

		units_size(snapshot_stack_above_sp(s), size, sizeof(size));
		printf("  ... stack truncated at %s (raise --stack-size)\n",
		       size);
	} else
		printf("  ... unwinding stopped: %s\n", th->raw->reason);
}

static void
print_stop_summary(const struct capture *c)
{
	uint64_t *stop = xcalloc(STOP_HIST_BUCKETS, sizeof(*stop));
	uint64_t *wait = xcalloc(STOP_HIST_BUCKETS, sizeof(*wait));
	uint64_t stop_max = 0, wait_max = 0;
	size_t i, n = 0;

	for (i = 0; i < c->n; i++) {
		const struct snapshot *s = &c->threads[i].snap;

		if (s->how != SNAP_INTERRUPTED)
			continue;
		hist_add(stop, &stop_max, s->stop_ns);
		hist_add(wait, &wait_max, s->wait_ns);
		n++;
	}
	if (n) {
		info_msg("stop time per stopped thread: median %.1f us, p99 %.1f us, max %.1f us (%zu stopped, %u read without stopping)",
			 hist_quantile(stop, stop_max, 0.5) / 1e3,
			 hist_quantile(stop, stop_max, 0.99) / 1e3,
			 stop_max / 1e3, n, c->stats.blocked);
		info_msg("interrupt sent -> stop reaped per stopped thread: median %.1f us, p99 %.1f us, max %.1f us",
			 hist_quantile(wait, wait_max, 0.5) / 1e3,
			 hist_quantile(wait, wait_max, 0.99) / 1e3,
			 wait_max / 1e3);
	} else {
		info_msg("stop time per stopped thread: none stopped (%u read without stopping)",
			 c->stats.blocked);
	}
	free(stop);
	free(wait);
}

static int
dump_one(const struct dump_opts *o, pid_t pid)
{
	struct capture c;
	struct pp_err err;
	size_t i;
	int status = EXIT_COMPLETE;

	if (capture_process(&c, pid, o->stack_size, o->unwinder,
			    &err) < 0) {
		error_msg_err(&err);
		capture_free(&c);
		return EXIT_FATAL;
	}
	if (o->json) {
		printf("{\"pid\":%d,\"comm\":", (int) pid);
		json_string(stdout, c.comm);
		printf(",\"unwinder\":\"%s\",\"threads\":[",
		       o->unwinder->name);
	} else {
		printf("Process %d (%s): %zu threads\n", (int) pid, c.comm,
		       c.n);
	}
	for (i = 0; i < c.n; i++)
		print_thread(o, c.syms, &c.threads[i], i == 0);
	if (o->json)
		printf("]}\n");
	fflush(stdout);

	if (c.n == 0 || c.incomplete == c.n) {
		if (!o->quiet)
			error_msg("no complete stack could be taken from process %d",
				  (int) pid);
		status = c.n == 0 ? EXIT_FATAL : EXIT_PARTIAL;
	} else if (c.incomplete) {
		if (!o->quiet)
			warning_msg("%zu of %zu stacks are incomplete",
				    c.incomplete, c.n);
		status = EXIT_PARTIAL;
	}
	if (msg_verbose())
		print_stop_summary(&c);
	capture_free(&c);
	return status;
}

int
dump_run(const struct dump_opts *in)
{
	struct dump_opts o = *in;
	struct pp_err err;
	size_t i, dumped = 0;
	int status = EXIT_COMPLETE;

	if (msg_outcome(pidsel_resolve_args(&o.who, &err), &err) < 0)
		return EXIT_FATAL;
	/* One after the other: a process that cannot be dumped is said
	 * and left out; the worst status of the others stands. */
	for (i = 0; i < o.who.npids; i++) {
		int rc;

		if (i && !o.json && dumped)
			printf("\n");
		rc = dump_one(&o, o.who.pids[i]);
		if (rc != EXIT_FATAL)
			dumped++;
		if (rc > status)
			status = rc;
	}
	if (o.who.npids > 1 && status == EXIT_FATAL && dumped)
		status = EXIT_PARTIAL;
	return status;
}
