/* td_seqspace.h
 * The sequence-space model of one direction of a stream: what its sender has
 * sent and what the receiver has acknowledged, as seen from the capture
 * point. Every data-phase detector reads it (retransmission kinds, loss,
 * spurious retransmissions, reordering, the rto stall).
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

#include "tcpdiag_core.h"

/* Hand-written segments feed this through td_stream_segment(); the glue keeps
 * the td_seg_verdict_t of every segment that is not plain new data. */

/* Called for every segment of the stream, in capture order, before the
 * other detectors (they read the model). */
void td_seqspace_segment(td_stream_t *s, const td_segment_t *seg, td_finding_t **out);

/* Side dir's FIN was acknowledged (td_teardown.c): with nothing outstanding,
 * its scoreboard's memory goes back to the stream's allocator. Nothing reads
 * a range past q->n, and a later segment allocates it again (sb_make_room),
 * so no verdict changes; a closed short stream keeps 128 bytes less (issue
 * 12: bytes per stream). */
void td_seqspace_release(td_stream_t *s, guint8 dir);

/* Bytes side dir has sent that its receiver has not acknowledged (its SYN
 * or FIN count one); 0 before the receiver's first ACK. An ACK past what this
 * capture saw sent (a capture drop) leaves none. */
guint32 td_seqspace_in_flight(const td_stream_t *s, guint8 dir);

/* An ICMP error quoting the stream's data (path MTU). */
void td_seqspace_icmp(td_stream_t *s, const td_icmp_error_t *e);

/* Findings that only the whole stream proves (data.loss, ...), at its end. */
void td_seqspace_finalize(td_stream_t *s, double capture_end, td_finding_t **out);

/* The side whose keep-alive probes went unanswered (at least two, with
 * nothing from its peer since the first), or -1. */
int td_seqspace_keepalive_dead_side(const td_stream_t *s);
guint32 td_seqspace_pending(const td_stream_t *s);

/* "Lost 3 of 724 server->client segments (0.4%), recovered by fast
 * retransmission": the loss in words, for the table's one-line diagnosis;
 * from the stream's state, the same before and after the capture's end. */
void td_seqspace_describe_loss(wmem_strbuf_t *buf, const td_stream_t *s, gboolean capital);

/* The round trip from the capture point to side dir's receiver and back
 * through the sender: the full RTT as the sender sees it; < 0 unknown. */
double td_seqspace_srtt(const td_stream_t *s, guint8 dir);

#endif /* TD_SEQSPACE_H */
