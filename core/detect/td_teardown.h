/* td_teardown.h
 * The teardown detector: the teardown.* codes of DIAGNOSES.md.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_TEARDOWN_H
#define TD_TEARDOWN_H

#include "model/td_record.h"

/* td_teardown_state_t.flags */
#define TD_TDF_GRACEFUL_DONE  0x01
#define TD_TDF_RESET          0x02

/* Called for every segment, after the sequence-space model (which keeps the
 * abandoned chain) and before the endpoint states move. connected: whether
 * a connection was made (the handshake detector's td_handshake_connected(),
 * handed over by td_stream.c; read for a RST only). */
void td_teardown_segment(td_stream_t *s, const td_segment_t *seg, gboolean connected,
                         td_finding_t **out);

/* The capture time at which a half-close becomes a CLOSE_WAIT leak, or < 0. */
double td_teardown_deadline(const td_stream_t *s);

/* The end of the capture proves what is still pending: a half-close that
 * lasted (CLOSE_WAIT), a FIN never acknowledged, an abandoned connection,
 * one still open. */
void td_teardown_finalize(td_stream_t *s, double capture_end, gboolean connected,
                          td_finding_t **out);

/* Its part of the verdict (verdict/td_verdict.h): which side (dir) is in
 * each end-of-capture situation, or -1. */
typedef struct td_teardown_part {
    guint32 pending;            /* codes td_teardown_finalize() would add now (0 once
                                 * the stream is concluded) */
    gint8   abandoning_side;    /* its retransmissions went unanswered */
    gint8   fin_unacked_side;   /* its FIN was retransmitted and never acknowledged */
    gint8   half_closed_side;   /* its FIN was acknowledged, the peer never closed for
                                 * late_close (CLOSE_WAIT) */
    gint8   closing_side;       /* its FIN was acknowledged, the peer has not closed yet */
    gint8   both_closed_unacked_side; /* both sent a FIN; this one's is not acknowledged */
    guint8  reset_ends_close;   /* the RST came after the peer's FIN with all data
                                 * delivered: it only ended the connection */
    guint32 chain_count;        /* the abandoning side's unanswered retransmissions */
    guint32 fin_count;          /* the FINs of the side whose FIN went unacknowledged */
    /* how it ended, for the host rollup (verdict/td_hosts.h) */
    gint8   first_closer;       /* the side whose FIN came first; -1 none */
    guint8  graceful;           /* both FINs sent and acknowledged, no RST */
    gint8   reset_side;         /* the side that sent the first RST after the handshake; -1 */
    double  closed_time;        /* graceful: the later FIN, where the first closer's TIME_WAIT
                                 * begins (RFC 9293 3.6) */
    double  closing_since;      /* closing_side >= 0: its FIN was acknowledged then, and the
                                 * peer has sat in CLOSE_WAIT since */
    const char *reset_kind;     /* the reset's detail ("idle", "mid_transfer,middlebox") */
    double  reset_idle;         /* the silence before the RST */
    double  reset_quiet;        /* the silence the packet before the RST broke */
    double  quiet_survived;     /* the longest silence it lived through (td_stream_t) */
} td_teardown_part_t;

/* connected: td_handshake_connected(), from the handshake's part. */
void td_teardown_publish(const td_stream_t *s, gboolean connected, td_teardown_part_t *out);

#endif /* TD_TEARDOWN_H */
