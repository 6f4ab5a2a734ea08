/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Layout.  An event opened with cpu = -1 needs a ring of its own (the
 * kernel redirects output only between events of one CPU, or of one
 * task), so per-thread rings would cost memory by thread count.  Here
 * each thread gets one event per CPU, and every event of a CPU writes to
 * that CPU's ring (PERF_EVENT_IOC_SET_OUTPUT): memory is fixed by the CPU
 * count, and a new thread costs descriptors, not an mmap.  The first
 * thread's events own the rings and stay open to the end.
 *
 * Phase.  An event counts its thread's CPU on its CPU from zero, so with
 * the period alone the first sample comes after a whole period: a thread
 * that runs less than that (a request's thread, a short task) would
 * never be sampled, nor the last part of any thread's time on a CPU.
 * Each (thread, CPU) therefore has a second, "early" event, which fires
 * once (PERF_EVENT_IOC_REFRESH 1) after a random share of a period,
 * uniform in (0, P).  Its sample weighs a whole period P, and stands for
 * the event's first period [0, P): a thread that runs T < P there is
 * sampled with probability T / P, so it is counted T on average.  The
 * regular event's first sample, at P, stands for that same period and
 * is dropped; each later one stands for the period before it.
 */
#include "perf-sampler.h"
#include "xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* x86-64 user registers (arch/x86/include/uapi/asm/perf_regs.h): AX BX
 * CX DX SI DI BP SP IP FLAGS CS SS (bits 0-11) and R8-R15 (16-23). */
#define REGS_MASK	0xff0fffull
#define REGS_N		20

/* Drain at least this often, and at most. */
#define DRAIN_MIN_NS	5000000ull
#define DRAIN_MAX_NS	100000000ull
/* Ring data pages per CPU, at most. */
#define RING_PAGES_MAX	1024u

/* perf_sampler_ring_limit: a lower bound than RING_PAGES_MAX for the
 * samplers this thread opens (0: none). */
static __thread size_t ring_limit;

void
perf_sampler_ring_limit(size_t pages)
{
	ring_limit = pages;
}

struct ring {
	int cpu;
	int fd;			/* the owner event, open to the end */
	struct perf_event_mmap_page *meta;
	uint8_t *data;
	uint64_t size;		/* data bytes, a power of two */
};

struct pthread_slot {
	pid_t tid;		/* 0: free; -1: removed */
	uint64_t user[PERF_USER_WORDS];
};

/* A slot's descriptors: the regular event of each ring, then the early
 * one (see Phase, above). */
#define SLOT_FDS(ps)	(2 * (ps)->nrings)

struct perf_sampler {
	pid_t pid;
	struct perf_event_attr attr;
	struct ring *rings;
	size_t nrings;
	struct pthread_slot *slots;	/* open addressing by tid */
	int *fdtab;		/* per slot, SLOT_FDS events (-1: none) */
	/* per slot and ring: the regular event's samples so far */
	uint32_t *seentab;
	uint64_t rng;		/* the early events' phases */
	size_t cap, used, removed;
	struct perf_counts counts;
	size_t rec_bytes;	/* a sample's size, about */
	int rate_hz;
	uint8_t *scratch;	/* a record that wraps the ring's end */
	struct snapshot snap;
	uint64_t kernel_pcs[PERF_KERNEL_FRAMES_MAX];
};

static long
perf_open(struct perf_event_attr *a, pid_t tid, int cpu, int group)
{
	return syscall(SYS_perf_event_open, a, tid, cpu, group,
		       PERF_FLAG_FD_CLOEXEC);
}

static int
read_sysctl(const char *path)
{
	char buf[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1000;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return -1000;
	buf[r] = '\0';
	return atoi(buf);
}

/* The kernel's frames of each sample, from its callchain (the user part
 * left out), as deep as the kernel lets a callchain be. */
static void
callchain_kernel(struct perf_sampler *ps)
{
	int max = read_sysctl("/proc/sys/kernel/perf_event_max_stack");

	if (max > PERF_KERNEL_FRAMES_MAX || max < 0)
		max = PERF_KERNEL_FRAMES_MAX;
	if (max == 0)
		return;
	ps->attr.sample_type |= PERF_SAMPLE_CALLCHAIN;
	ps->attr.exclude_callchain_user = 1;
	ps->attr.sample_max_stack = (uint16_t) max;
	ps->rec_bytes += 8 * (size_t) (max + 2);
}

/* Without kernel-mode samples, no kernel frame either. */
static void
callchain_off(struct perf_sampler *ps)
{
	ps->attr.sample_type &= ~(uint64_t) PERF_SAMPLE_CALLCHAIN;
	ps->attr.exclude_callchain_user = 0;
	ps->attr.sample_max_stack = 0;
}

static int
open_error(struct pp_err *err, int e, pid_t pid)
{
	int par = read_sysctl("/proc/sys/kernel/perf_event_paranoid");
	const char *name = strerrorname_np(e);

	if (!name)
		name = "error";
	switch (e) {
	case EACCES:
		if (par >= 3)
			return pp_err_set(err, e,
					  "perf_event_open: EACCES (perf_event_paranoid=%d; run as root (CAP_SYS_ADMIN) or set kernel.perf_event_paranoid=2)",
					  par);
		return pp_err_set(err, e,
				  "perf_event_open: EACCES (perf_event_paranoid=%d; no permission to trace process %d: grant CAP_PERFMON)",
				  par, (int) pid);
	case EPERM:
		return pp_err_set(err, e,
				  "perf_event_open: EPERM (refused by seccomp or a security module, as in a container without CAP_PERFMON)");
	case ENOSYS:
	case ENOENT:
	case EOPNOTSUPP:
		return pp_err_set(err, e,
				  "perf_event_open: %s (the kernel has no software CPU clock events)",
				  name);
	case EMFILE:
	case ENFILE:
		return pp_err_set(err, e,
				  "perf_event_open: %s (out of file descriptors: two per thread and CPU)",
				  name);
	default:
		return pp_err_set(err, e, "perf_event_open: %s (%s)", name,
				  strerror(e));
	}
}

/* The online CPUs, from /sys (ranges such as "0-3,5"). */
static int *
online_cpus(size_t *n)
{
	char buf[4096], *p;
	int fd = open("/sys/devices/system/cpu/online", O_RDONLY | O_CLOEXEC);
	ssize_t r = -1;
	int *cpus = NULL;
	size_t cap = 0;

	*n = 0;
	if (fd >= 0) {
		r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (r <= 0) {
		long k = sysconf(_SC_NPROCESSORS_ONLN);

		snprintf(buf, sizeof(buf), "0");
		if (k > 1)
			snprintf(buf, sizeof(buf), "0-%ld", k - 1);
	} else {
		buf[r] = '\0';
	}
	for (p = buf; *p;) {
		char *end;
		long a = strtol(p, &end, 10), b = a;

		if (end == p)
			break;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (; a <= b; a++) {
			cpus = xgrow(cpus, &cap, *n + 1, sizeof(*cpus));
			cpus[(*n)++] = (int) a;
		}
		p = *end == ',' ? end + 1 : end;
		if (*p == '\n')
			break;
	}
	return cpus;
}

static size_t
hash_tid(pid_t tid, size_t cap)
{
	return ((uint32_t) tid * 2654435761u) & (cap - 1);
}

static int *
slot_fds(const struct perf_sampler *ps, const struct pthread_slot *sl)
{
	return ps->fdtab + (size_t) (sl - ps->slots) * SLOT_FDS(ps);
}

static uint32_t *
slot_seen(const struct perf_sampler *ps, const struct pthread_slot *sl)
{
	return ps->seentab + (size_t) (sl - ps->slots) * ps->nrings;
}

static struct pthread_slot *
slot_find(const struct perf_sampler *ps, pid_t tid)
{
	size_t i, k;

	for (i = hash_tid(tid, ps->cap), k = 0; k < ps->cap;
	     i = (i + 1) & (ps->cap - 1), k++) {
		if (ps->slots[i].tid == tid)
			return &ps->slots[i];
		if (ps->slots[i].tid == 0)
			return NULL;
	}
	return NULL;
}

/* Rebuilds the table with room for four times the live threads. */
static void
slots_grow(struct perf_sampler *ps)
{
	struct pthread_slot *old = ps->slots;
	int *oldfds = ps->fdtab;
	uint32_t *oldseen = ps->seentab;
	size_t i, oldcap = ps->cap;

	ps->cap = 64;
	while (ps->cap < (ps->used + 1) * 4)
		ps->cap *= 2;
	ps->slots = xcalloc(ps->cap, sizeof(*ps->slots));
	ps->fdtab = xcalloc(ps->cap * SLOT_FDS(ps) + 1, sizeof(int));
	ps->seentab = xcalloc(ps->cap * ps->nrings + 1, sizeof(uint32_t));
	ps->removed = 0;
	for (i = 0; i < oldcap; i++) {
		size_t k;

		if (old[i].tid <= 0)
			continue;
		for (k = hash_tid(old[i].tid, ps->cap); ps->slots[k].tid;
		     k = (k + 1) & (ps->cap - 1))
			;
		ps->slots[k] = old[i];
		memcpy(ps->fdtab + k * SLOT_FDS(ps),
		       oldfds + i * SLOT_FDS(ps), SLOT_FDS(ps) * sizeof(int));
		memcpy(ps->seentab + k * ps->nrings,
		       oldseen + i * ps->nrings, ps->nrings * sizeof(uint32_t));
	}
	free(old);
	free(oldfds);
	free(oldseen);
}

/* Outside any stop: keeps the table at most half full, so that a new
 * thread's slot, taken while it waits in its first stop, needs no
 * allocation. */
static void
slots_reserve(struct perf_sampler *ps)
{
	if ((ps->used + ps->removed + 1) * 2 > ps->cap)
		slots_grow(ps);
}

static struct pthread_slot *
slot_new(struct perf_sampler *ps, pid_t tid)
{
	size_t i, r;
	int *fds;

	/* Only when threads come faster than the drains. */
	if ((ps->used + ps->removed + 1) * 4 > ps->cap * 3)
		slots_grow(ps);
	for (i = hash_tid(tid, ps->cap); ps->slots[i].tid > 0;
	     i = (i + 1) & (ps->cap - 1))
		;
	if (ps->slots[i].tid < 0)
		ps->removed--;
	ps->slots[i].tid = tid;
	memset(ps->slots[i].user, 0, sizeof(ps->slots[i].user));
	fds = slot_fds(ps, &ps->slots[i]);
	for (r = 0; r < SLOT_FDS(ps); r++)
		fds[r] = -1;
	memset(slot_seen(ps, &ps->slots[i]), 0, ps->nrings * sizeof(uint32_t));
	ps->used++;
	return &ps->slots[i];
}

static bool
is_owner(const struct perf_sampler *ps, size_t r, int fd)
{
	return ps->rings[r].fd == fd;
}

static void
close_fds(struct perf_sampler *ps, struct pthread_slot *sl)
{
	int *fds = slot_fds(ps, sl);
	size_t r;

	for (r = 0; r < SLOT_FDS(ps); r++) {
		if (fds[r] >= 0 && (r >= ps->nrings ||
				    !is_owner(ps, r, fds[r])))
			close(fds[r]);
		fds[r] = -1;
	}
}

/* A period's share, uniform in [10 us, P), the hrtimer's shortest. */
static uint64_t
early_period(struct perf_sampler *ps)
{
	uint64_t p = ps->attr.sample_period, lo = 10000;

	ps->rng ^= ps->rng << 13;
	ps->rng ^= ps->rng >> 7;
	ps->rng ^= ps->rng << 17;
	if (p <= lo + 1)
		return p - 1;
	return lo + ps->rng % (p - lo);
}

/* @tid's early event on ring @r: opened disabled, writing to the ring,
 * then enabled for one sample (see Phase, above). */
static long
open_early(struct perf_sampler *ps, pid_t tid, size_t r)
{
	struct perf_event_attr a = ps->attr;
	long fd;

	a.sample_period = early_period(ps);
	a.disabled = 1;
	fd = perf_open(&a, tid, ps->rings[r].cpu, -1);
	if (fd < 0)
		return -1;
	if (ioctl((int) fd, PERF_EVENT_IOC_SET_OUTPUT, ps->rings[r].fd) < 0 ||
	    ioctl((int) fd, PERF_EVENT_IOC_REFRESH, 1) < 0) {
		int e = errno;

		close((int) fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Maps @fd's ring: data pages a power of two, fewer when locked memory
 * runs short, but room for two samples at least. */
static int
map_ring(struct perf_sampler *ps, struct ring *rg, int fd)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t want = (uint64_t) ps->rate_hz * ps->rec_bytes / 5;
	size_t pages = 8, min_pages, max_pages = RING_PAGES_MAX;
	void *m;

	min_pages = 1;
	while (min_pages * (uint64_t) page < 2 * ps->rec_bytes)
		min_pages *= 2;
	if (ring_limit && ring_limit < max_pages)
		max_pages = ring_limit > min_pages ? ring_limit : min_pages;
	while (pages < max_pages && pages * (uint64_t) page < want)
		pages *= 2;
	for (;;) {
		m = mmap(NULL, (pages + 1) * (size_t) page,
			 PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m != MAP_FAILED)
			break;
		if ((errno != EPERM && errno != ENOMEM) ||
		    pages / 2 < min_pages)
			return -1;
		pages /= 2;
	}
	rg->fd = fd;
	rg->meta = m;
	rg->data = (uint8_t *) m + page;
	rg->size = (uint64_t) pages * (uint64_t) page;
	return 0;
}

struct perf_sampler *
perf_sampler_open(pid_t pid, pid_t tid, int rate_hz, size_t stack_size,
		  struct pp_err *err)
{
	struct perf_sampler *ps = xcalloc(1, sizeof(*ps));
	struct pthread_slot *sl;
	struct rlimit rl;
	int *fds;
	int *cpus;
	size_t i, n;

	/* One descriptor per thread and CPU. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (stack_size > PERF_STACK_MAX)
		stack_size = PERF_STACK_MAX;
	stack_size &= ~(size_t) 7;
	ps->pid = pid;
	ps->rate_hz = rate_hz;
	ps->rec_bytes = stack_size + 8 * (REGS_N + 12);
	ps->attr.size = sizeof(ps->attr);
	ps->attr.type = PERF_TYPE_SOFTWARE;
	ps->attr.config = PERF_COUNT_SW_TASK_CLOCK;
	ps->attr.sample_period = 1000000000ull / (unsigned int) rate_hz;
	ps->attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID |
			       PERF_SAMPLE_TIME | PERF_SAMPLE_PERIOD |
			       PERF_SAMPLE_REGS_USER |
			       PERF_SAMPLE_STACK_USER;
	ps->attr.sample_regs_user = REGS_MASK;
	callchain_kernel(ps);
	ps->attr.sample_stack_user = (uint32_t) stack_size;
	ps->attr.exclude_hv = 1;
	ps->attr.use_clockid = 1;
	ps->attr.clockid = CLOCK_MONOTONIC;
	ps->scratch = xmalloc(65536);
	ps->snap.stack_cap = stack_size;
	ps->rng = (((uint64_t) time(NULL) << 20) ^ (uint64_t) getpid() ^
		   ((uint64_t) tid << 40)) | 1;

	cpus = online_cpus(&n);
	ps->rings = xcalloc(n + 1, sizeof(*ps->rings));
	ps->nrings = n;
	for (i = 0; i < n; i++)
		ps->rings[i].fd = -1;
	slots_grow(ps);
	sl = slot_new(ps, tid);
	fds = slot_fds(ps, sl);
	for (i = 0; i < n; i++) {
		long fd = perf_open(&ps->attr, tid, cpus[i], -1);

		/* Kernel-mode samples need more privilege: without it,
		 * the time in system calls is not sampled. */
		if (fd < 0 && errno == EACCES && !ps->attr.exclude_kernel) {
			ps->attr.exclude_kernel = 1;
			callchain_off(ps);
			fd = perf_open(&ps->attr, tid, cpus[i], -1);
		}
		ps->rings[i].cpu = cpus[i];
		fds[i] = (int) fd;
		if (fd < 0) {
			open_error(err, errno, pid);
			goto fail;
		}
		if (map_ring(ps, &ps->rings[i], (int) fd) < 0) {
			int e = errno;

			pp_err_set(err, e,
				   "perf_event_open: mmap of a ring: %s (%s; locked memory: kernel.perf_event_mlock_kb, RLIMIT_MEMLOCK)",
				   strerrorname_np(e) ? strerrorname_np(e) :
				   "error", strerror(e));
			close((int) fd);
			fds[i] = -1;
			goto fail;
		}
	}
	for (i = 0; i < n; i++) {
		long fd = open_early(ps, tid, i);

		fds[n + i] = (int) fd;
		if (fd < 0) {
			open_error(err, errno, pid);
			goto fail;
		}
	}
	free(cpus);
	return ps;
fail:
	free(cpus);
	perf_sampler_close(ps);
	return NULL;
}

int
perf_sampler_add(struct perf_sampler *ps, pid_t tid)
{
	struct pthread_slot *sl;
	size_t r;
	int e, *fds;

	if (slot_find(ps, tid))
		return 0;
	sl = slot_new(ps, tid);
	fds = slot_fds(ps, sl);
	for (r = 0; r < ps->nrings; r++) {
		long fd = perf_open(&ps->attr, tid, ps->rings[r].cpu, -1);

		fds[r] = (int) fd;
		if (fd < 0)
			goto fail;
		if (ioctl((int) fd, PERF_EVENT_IOC_SET_OUTPUT,
			  ps->rings[r].fd) < 0) {
			close((int) fd);
			fds[r] = -1;
			goto fail;
		}
		fd = open_early(ps, tid, r);
		fds[ps->nrings + r] = (int) fd;
		if (fd < 0)
			goto fail;
	}
	return 0;
fail:
	e = errno;
	/* A thread that exited before its events is not one missed. */
	if (e != ESRCH)
		ps->counts.no_event++;
	perf_sampler_remove(ps, tid);
	return -1;
}

void
perf_sampler_remove(struct perf_sampler *ps, pid_t tid)
{
	struct pthread_slot *sl = slot_find(ps, tid);

	if (!sl)
		return;
	close_fds(ps, sl);
	sl->tid = -1;
	ps->used--;
	ps->removed++;
}

uint64_t
perf_sampler_tail_ns(struct perf_sampler *ps, pid_t tid)
{
	struct pthread_slot *sl = slot_find(ps, tid);
	uint64_t period = ps->attr.sample_period, tail = 0;
	const uint32_t *seen;
	const int *fds;
	size_t r;

	if (!sl)
		return 0;
	fds = slot_fds(ps, sl);
	seen = slot_seen(ps, sl);
	for (r = 0; r < ps->nrings; r++) {
		uint64_t count, closed = (uint64_t) seen[r] * period;

		/* Without a regular sample, the early one stood for it. */
		if (fds[r] < 0 || !seen[r] ||
		    read(fds[r], &count, sizeof(count)) != sizeof(count))
			continue;
		if (count > closed)
			tail += count - closed;
	}
	return tail;
}

uint64_t *
perf_sampler_user(struct perf_sampler *ps, pid_t tid)
{
	struct pthread_slot *sl = slot_find(ps, tid);

	return sl ? sl->user : NULL;
}

bool
perf_sampler_has(const struct perf_sampler *ps, pid_t tid)
{
	return slot_find(ps, tid) != NULL;
}

static void
take(const uint8_t **p, const uint8_t *end, void *out, size_t len)
{
	if ((size_t) (end - *p) < len) {
		memset(out, 0, len);
		*p = end;
		return;
	}
	memcpy(out, *p, len);
	*p += len;
}

/*
 * PERF_SAMPLE_CALLCHAIN: a count, then the entries, where a context
 * marker (PERF_CONTEXT_KERNEL, _USER...) says whose the entries after it
 * are.  Only the kernel's are kept: the user frames are unwound from the
 * stack copy, as in every other sample.
 */
static void
take_callchain(struct perf_sampler *ps, const uint8_t **p,
	       const uint8_t *end)
{
	struct snapshot *s = &ps->snap;
	uint64_t nr, i, ip;
	bool kernel = false;

	s->kernel_pcs = ps->kernel_pcs;
	s->kernel_n = 0;
	take(p, end, &nr, 8);
	if (nr > (uint64_t) (end - *p) / 8) {
		*p = end;
		return;
	}
	for (i = 0; i < nr; i++) {
		memcpy(&ip, *p + i * 8, 8);
		if (ip >= (uint64_t) PERF_CONTEXT_MAX)
			kernel = ip == (uint64_t) PERF_CONTEXT_KERNEL;
		else if (kernel && s->kernel_n < PERF_KERNEL_FRAMES_MAX)
			ps->kernel_pcs[s->kernel_n++] = ip;
	}
	*p += nr * 8;
}

/* PERF_RECORD_SAMPLE, fields in the order of the sample_type bits. */
static void
parse_sample(struct perf_sampler *ps, size_t ring, const uint8_t *p,
	     const uint8_t *end, perf_sample_fn fn, void *arg)
{
	struct snapshot *s = &ps->snap;
	struct user_regs_struct *rg = &s->regs;
	struct pthread_slot *sl;
	uint64_t ip, time, period, abi, size, dyn = 0;
	uint64_t r[REGS_N];
	uint32_t pid_tid[2];
	const uint8_t *stack;

	take(&p, end, &ip, 8);
	take(&p, end, pid_tid, 8);
	take(&p, end, &time, 8);
	take(&p, end, &period, 8);
	if (ps->attr.sample_type & PERF_SAMPLE_CALLCHAIN)
		take_callchain(ps, &p, end);
	take(&p, end, &abi, 8);
	if (abi == PERF_SAMPLE_REGS_ABI_NONE)
		return;		/* no user context */
	take(&p, end, r, sizeof(r));
	take(&p, end, &size, 8);
	stack = p;
	if (size > (uint64_t) (end - p))
		return;
	p += size;
	if (size)
		take(&p, end, &dyn, 8);
	if (dyn > size)
		dyn = size;

	memset(rg, 0, sizeof(*rg));
	rg->rax = r[0];
	rg->rbx = r[1];
	rg->rcx = r[2];
	rg->rdx = r[3];
	rg->rsi = r[4];
	rg->rdi = r[5];
	rg->rbp = r[6];
	rg->rsp = r[7];
	rg->rip = r[8];
	rg->eflags = r[9];
	rg->cs = r[10];
	rg->ss = r[11];
	rg->r8 = r[12];
	rg->r9 = r[13];
	rg->r10 = r[14];
	rg->r11 = r[15];
	rg->r12 = r[16];
	rg->r13 = r[17];
	rg->r14 = r[18];
	rg->r15 = r[19];
	s->tid = (pid_t) pid_tid[1];
	s->how = SNAP_INTERRUPTED;
	s->state = 'R';
	s->syscall_nr = -1;
	s->time_ns = time;
	s->stack_base = rg->rsp;
	s->stack = (uint8_t *) stack;
	s->stack_len = dyn;
	/* A short copy stopped at the end of the stack's mapping. */
	s->stack_limit = dyn < size ? rg->rsp + dyn : 0;
	sl = slot_find(ps, s->tid);
	if (period < ps->attr.sample_period) {
		/* The early event's: it stands for the first period. */
		period = ps->attr.sample_period;
	} else if (sl && slot_seen(ps, sl)[ring]++ == 0) {
		/* The regular event's first: that same period, dropped. */
		ps->counts.first_dropped++;
		return;
	}
	ps->counts.samples++;
	fn(arg, s, period, sl ? sl->user : NULL);
}

static void
drain_ring(struct perf_sampler *ps, size_t ring, perf_sample_fn fn, void *arg)
{
	struct ring *rg = &ps->rings[ring];
	uint64_t head = __atomic_load_n(&rg->meta->data_head,
					__ATOMIC_ACQUIRE);
	uint64_t tail = rg->meta->data_tail;

	while (tail < head) {
		uint64_t off = tail & (rg->size - 1);
		struct perf_event_header h;
		const uint8_t *rec;

		if (head - tail < sizeof(h))
			break;
		if (off + sizeof(h) <= rg->size) {
			memcpy(&h, rg->data + off, sizeof(h));
		} else {
			size_t a = rg->size - off;

			memcpy(&h, rg->data + off, a);
			memcpy((uint8_t *) &h + a, rg->data, sizeof(h) - a);
		}
		if (h.size < sizeof(h) || h.size > head - tail)
			break;
		if (off + h.size <= rg->size) {
			rec = rg->data + off;
		} else {
			size_t a = rg->size - off;

			memcpy(ps->scratch, rg->data + off, a);
			memcpy(ps->scratch + a, rg->data, h.size - a);
			rec = ps->scratch;
		}
		switch (h.type) {
		case PERF_RECORD_SAMPLE:
			if (fn)
				parse_sample(ps, ring, rec + sizeof(h),
					     rec + h.size, fn, arg);
			break;
		case PERF_RECORD_LOST: {
			uint64_t v[2];

			if (h.size >= sizeof(h) + sizeof(v)) {
				memcpy(v, rec + sizeof(h), sizeof(v));
				ps->counts.lost += v[1];
			}
			break;
		}
		case PERF_RECORD_LOST_SAMPLES: {
			uint64_t v;

			if (h.size >= sizeof(h) + sizeof(v)) {
				memcpy(&v, rec + sizeof(h), sizeof(v));
				ps->counts.lost += v;
			}
			break;
		}
		case PERF_RECORD_THROTTLE:
			ps->counts.throttled++;
			break;
		default:
			break;
		}
		tail += h.size;
	}
	__atomic_store_n(&rg->meta->data_tail, tail, __ATOMIC_RELEASE);
}

void
perf_sampler_drain(struct perf_sampler *ps, perf_sample_fn fn, void *arg)
{
	size_t r;

	for (r = 0; r < ps->nrings; r++)
		if (ps->rings[r].meta)
			drain_ring(ps, r, fn, arg);
	slots_reserve(ps);
}

uint64_t
perf_sampler_drain_interval(const struct perf_sampler *ps)
{
	uint64_t smallest = UINT64_MAX, ns;
	size_t r;

	for (r = 0; r < ps->nrings; r++)
		if (ps->rings[r].size < smallest)
			smallest = ps->rings[r].size;
	/* A quarter of the time one busy CPU takes to fill a ring. */
	ns = smallest / ps->rec_bytes * (1000000000ull / 4) /
	     (uint64_t) ps->rate_hz;
	if (ns < DRAIN_MIN_NS)
		ns = DRAIN_MIN_NS;
	if (ns > DRAIN_MAX_NS)
		ns = DRAIN_MAX_NS;
	return ns;
}

const struct perf_counts *
perf_sampler_counts(const struct perf_sampler *ps)
{
	return &ps->counts;
}

bool
perf_sampler_kernel_time(const struct perf_sampler *ps)
{
	return !ps->attr.exclude_kernel;
}

void
perf_sampler_close(struct perf_sampler *ps)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t i;

	if (!ps)
		return;
	for (i = 0; i < ps->cap; i++)
		if (ps->slots[i].tid > 0)
			close_fds(ps, &ps->slots[i]);
	for (i = 0; i < ps->nrings; i++) {
		if (ps->rings[i].meta)
			munmap(ps->rings[i].meta,
			       ps->rings[i].size + (size_t) page);
		if (ps->rings[i].fd >= 0)
			close(ps->rings[i].fd);
	}
	free(ps->slots);
	free(ps->fdtab);
	free(ps->seentab);
	free(ps->rings);
	free(ps->scratch);
	free(ps);
}
