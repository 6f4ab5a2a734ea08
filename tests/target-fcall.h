/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PIDPROF_TESTS_TARGET_FCALL_H
# define PIDPROF_TESTS_TARGET_FCALL_H
int f0(int);
int f1(int);
int f2(int);
int f3(int);
#endif
