/* td_summary.h
 * A stream's verdict for a person: how bad it is (the severity that orders the
 * TCP Diagnosis table, worst first) and one line in plain words.
 *
 * Both depend only on the stream's own packets, never on where the capture
 * ends, so single-pass tshark (which never finalizes) and two-pass tshark or
 * the GUI (which do) print the same rows.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_SUMMARY_H
#define TD_SUMMARY_H

#include "tcpdiag_core.h"

/* Worst first: the table sorts on this. */
typedef enum {
    TD_STREAM_FAILED = 1, /* no connection: SYN unanswered, rejected, handshake incomplete */
    TD_STREAM_BROKEN,     /* connected, then reset, abandoned, FIN unanswered, CLOSE_WAIT */
    TD_STREAM_STALLED,    /* connected, lost time to stalls */
    TD_STREAM_LOSSY,      /* connected, lost data and recovered without a stall */
    TD_STREAM_SLOW,       /* connected late: SYN, SYN-ACK or ACK lost */
    TD_STREAM_NOTE,       /* worth knowing: duplicate SYN, options, port reuse, mid-stream */
    TD_STREAM_HEALTHY,
} td_stream_severity_t;

/* The stream's severity and the code that earns it (TD_CODE_NONE when
 * healthy, or when stalls earn it: then *headline is the longest stall's kind;
 * data.loss when lost data does). */
td_stream_severity_t td_stream_severity(const td_stream_t *s, td_code_t *headline);

/* The severity of the snapshot v of s being computed (td_stream_snapshot,
 * its codes, handshake, teardown and stalls filled), and its headline. */
int td_summary_rank(const td_stream_t *s, const td_snapshot_t *v, td_code_t *headline);

/* "1 failed" ... "7 healthy": sorts worst first as text too (the GUI sorts
 * the table's first column as strings). */
const char *td_stream_severity_label(td_stream_severity_t severity);

/* One line in plain words, e.g. "Connection reset by the server mid-transfer, with
 * 2896 bytes of its data unacknowledged; also 2 stalls (1.20 s)". */
char *td_stream_summary(wmem_allocator_t *scope, const td_stream_t *s);


#endif /* TD_SUMMARY_H */
