/* td_times.h
 * The times of a bounded series of retries (SYNs, FINs, an unanswered
 * retransmission chain, keep-alive and zero-window probes): the first
 * TD_MAX_TIMES are kept for backoff reports. Most series have one entry
 * (one SYN, one FIN), kept inline; the rest are allocated on the second.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_TIMES_H
#define TD_TIMES_H

#include <glib.h>
#include <wsutil/wmem/wmem.h>

#define TD_MAX_TIMES 8 /* retry times kept for backoff reports */

typedef struct td_times {
    double  first;
    double *more;  /* the 2nd to the TD_MAX_TIMES-th; NULL until the 2nd */
} td_times_t;

/* Record the i-th time (from 0); beyond TD_MAX_TIMES nothing is kept. */
void td_times_set(wmem_allocator_t *scope, td_times_t *t, guint i, double when);

/* The i-th time recorded (i < TD_MAX_TIMES); 0 if none was. */
double td_times_at(const td_times_t *t, guint i);

/* From the first to the n-th time (n >= 1). */
double td_times_span(const td_times_t *t, guint n);

/* "+1.00 s, +2.00 s, +4.00 s": the gaps between the first n times (at most
 * TD_MAX_TIMES), in scope. */
char *td_times_intervals(wmem_allocator_t *scope, const td_times_t *t, guint n);

#endif /* TD_TIMES_H */
