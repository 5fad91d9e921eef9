/* td_seqspace.h
 * The sequence-space model of one direction of a stream: what its sender has
 * sent and what the receiver has acknowledged, as seen from the capture
 * point. It classifies each data segment (new, a retransmission of which
 * kind, reordered, a probe, a duplicated frame) and keeps the evidence the
 * detectors judge; it writes no finding and calls no detector. What it noted
 * of the segment just fed is s->seg_verdict and s->seg_notes.
 *
 * Modelled on a TCP sender's own bookkeeping: Linux's per-segment scoreboard
 * that SACK recovery (RFC 6675) and RACK (RFC 8985) read (net/ipv4/
 * tcp_input.c, tcp_recovery.c), and Zeek's TCPRS analyzer (one model per
 * endpoint, with enums of why a segment is a retransmission and what kind).
 *
 * Memory is bounded per direction however many packets the stream has: the
 * outstanding data is TD_SB_MAX ranges, not bytes or segments. Contiguous new
 * data that nothing has touched is one range; a retransmission, a SACK block
 * or a hole splits ranges. At the cap the two lowest adjacent ranges merge:
 * retransmission detection stays exact (it compares with the highest
 * sequence number sent and the cumulative ACK), only the first-send time and
 * the SACK state of the merged part become those of its older half.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_SEQSPACE_H
#define TD_SEQSPACE_H

#include "model/td_record.h"

/* A direction's trouble, all zeros while it had none (never NULL). */
extern const td_seqdir_trouble_t td_seqdir_no_trouble;
static inline const td_seqdir_trouble_t *
td_seqdir_trouble_of(const td_seqdir_t *q)
{
    return q->trouble ? q->trouble : &td_seqdir_no_trouble;
}
/* The same, to write: allocated (zeroed) on the first call. */
td_seqdir_trouble_t *td_seqdir_trouble(td_seqdir_t *q);

/* Segments lost: retransmitted, less those proved spurious (the data had
 * arrived) and those whose original the receiver's window refused (sent
 * past its right edge: never lost on the path). */
static inline guint32
td_seqdir_lost(const td_seqdir_trouble_t *t)
{
    guint32 not_lost = t->spurious + t->refused;
    return t->retrans > not_lost ? t->retrans - not_lost : 0;
}

/* Called for every segment of the stream, in capture order, before the
 * detectors (they read the model, and s->seg_verdict and s->seg_notes: what
 * it made of this one).
 * The glue keeps the td_seg_verdict_t of every segment that is not plain new
 * data. */
void td_seqspace_segment(td_stream_t *s, const td_segment_t *seg);

/* Side dir's FIN was acknowledged (detect/td_teardown.c): with nothing
 * outstanding, its scoreboard's memory goes back to the stream's allocator.
 * Nothing reads a range past q->n, and a later segment allocates it again
 * (sb_make_room), so no verdict changes; a closed short stream keeps 128
 * bytes less (issue 12: bytes per stream). */
void td_seqspace_release(td_stream_t *s, guint8 dir);

/* Bytes side dir has sent that its receiver has not acknowledged (its SYN
 * or FIN count one); 0 before the receiver's first ACK. An ACK past what this
 * capture saw sent (a capture drop) leaves none. */
guint32 td_seqspace_in_flight(const td_stream_t *s, guint8 dir);

/* An ICMP error quoting the stream's data: path MTU evidence. */
void td_seqspace_icmp(td_stream_t *s, const td_icmp_error_t *e);

/* The side whose keep-alive probes went unanswered (at least two, with
 * nothing from its peer since the first), or -1. */
int td_seqspace_keepalive_dead_side(const td_stream_t *s);

/* What the verdict reads of one direction's data (tcpdiag.stream.data). */
typedef struct td_dir_facts {
    guint32 segments;           /* data segments sent, new or not */
    guint32 retrans, lost, spurious, reordered;
    guint32 kind[TD_RETX_KINDS]; /* retransmissions by kind */
    guint32 timeouts;           /* times its retransmission timer fired */
    guint32 dsacks;             /* ACKs from the receiver that carried a D-SACK */
    guint32 keepalives, ka_count; /* keep-alive probes; the last unanswered chain of them */
    guint32 zw_probes, duplicates;
    guint32 control;            /* its SYN, SYN-ACK or FIN sent again, without data */
    guint32 upstream, downstream; /* retransmissions whose original was lost before, after
                                   * the capture point */
    guint32 in_flight;          /* bytes sent and not acknowledged */
    gboolean never_acked;       /* it sent and resent data, none ever acknowledged */
} td_dir_facts_t;

typedef struct td_seqspace_facts {
    td_dir_facts_t dir[2];
    gint8 keepalive_dead_side;  /* td_seqspace_keepalive_dead_side() */
} td_seqspace_facts_t;

void td_seqspace_facts(const td_stream_t *s, td_seqspace_facts_t *f);

#endif /* TD_SEQSPACE_H */
