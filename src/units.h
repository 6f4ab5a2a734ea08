/*
 * Human-facing quantities, one format each: byte sizes in binary units
 * ("512 B", "1.50 KiB", "64.2 MiB"), growth per hour ("+180 MiB per
 * hour"), durations ("850 ns", "12.5 us", "4.87 s", "2.50 min", "1.25 h",
 * "3.50 days").  Three significant digits above the smallest unit.
 * Machine formats (TSV, JSON, pprof) keep exact numbers and do not use
 * these.  Pure.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_UNITS_H
# define PIDPROF_UNITS_H

# include "common.h"

/* Large enough for every string below. */
# define UNITS_LEN	32

/* "0 B", "1023 B", "1.00 KiB", "64.2 MiB", "123 GiB" */
void units_size(uint64_t bytes, char *buf, size_t len);
/* A signed size: "+1.50 KiB", "-512 B", "+0 B" */
void units_size_signed(double bytes, char *buf, size_t len);
/* A growth of @bytes_per_hour: "+180 MiB per hour" */
void units_size_rate(double bytes_per_hour, char *buf, size_t len);
/* "0 ns", "850 ns", "12.5 us", "4.87 ms", "4.87 s", "119 s", "2.50 min",
 * "1.25 h", "3.50 days"; a negative duration has a "-". */
void units_duration(double ns, char *buf, size_t len);
/* A pprof value of unit @unit: a duration for "nanoseconds", a size for
 * "bytes", the plain number otherwise. */
void units_value(int64_t v, const char *unit, char *buf, size_t len);

#endif /* !PIDPROF_UNITS_H */
