/* td_stream.h
 * A stream's life in the core: made, fed segments and ICMP errors in capture
 * order, told the capture's clock, concluded at the capture's end and thawed
 * when more of a live capture arrives. Each feed runs the model, then the
 * detectors, and returns the findings it completes (docs/architecture.md).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_STREAM_H
#define TD_STREAM_H

#include "model/td_record.h"

void td_config_default(td_config_t *cfg);

/* A new stream. prev: the last stream seen on the same 4-tuple, or NULL. */
td_stream_t *td_stream_new(wmem_allocator_t *scope, const td_config_t *cfg,
                           guint32 index, td_stream_t *prev);

/* Whether seg, the first segment of what Wireshark made a new stream on the
 * 4-tuple of prev, opens a new connection or continues prev
 * (model/td_endpoint.h). */
gboolean td_stream_is_new_connection(const td_stream_t *prev, const td_segment_t *seg);

/* Feed one segment; returns the findings it completes (a list, NULL if none). */
td_finding_t *td_stream_segment(td_stream_t *s, const td_segment_t *seg);

/* What the model said of the segment td_stream_segment() was just fed: NULL
 * for plain new data or a pure ACK. It lives in the stream's scope, and its
 * spurious evidence may be set by later segments. */
static inline td_seg_verdict_t *
td_stream_segment_verdict(const td_stream_t *s)
{
    return s->seg_verdict;
}

/* Feed an ICMP error quoting a segment of the stream; returns its findings. */
td_finding_t *td_stream_icmp_error(td_stream_t *s, const td_icmp_error_t *icmp);

/* The capture ended at capture_end (seconds): conclude what only the absence
 * of later packets proves (an unanswered SYN, an incomplete handshake). The
 * findings are attached to the stream's last frame. Idempotent. */
td_finding_t *td_stream_finalize(td_stream_t *s, double capture_end);
/* The same, the conclusions (findings and their strings) allocated in scope
 * (NULL: the stream's own), which may be freed once the stream is thawed:
 * a live capture that concludes a stream again and again keeps one set. */
td_finding_t *td_stream_finalize_in(td_stream_t *s, double capture_end,
                                    wmem_allocator_t *scope);

/* Undo td_stream_finalize(): the stream is again as the first pass left it,
 * its conclusions dropped (they stay allocated in its scope), so that more
 * packets can follow and a later td_stream_finalize() concludes again at a
 * later end. A live capture needs it: Wireshark redraws frames (a later
 * pass) while packets still arrive. Feeding a finalized stream (a segment,
 * an ICMP error, the clock, a late TTL) thaws it first. No-op when the stream
 * is not finalized. */
void td_stream_thaw(td_stream_t *s);

/* The capture was read to its end, and the server host of this stream showed
 * TTL ttl on its SYN-ACKs (any stream, any time; 0 unknown): a refusing RST
 * that no earlier packet could judge is judged now. Called once the first
 * pass is over, in every mode, before the table or a later pass reads it. */
void td_stream_late_host_ttl(td_stream_t *s, guint8 ttl);
/* A refusing RST waits for that reference (the RST of frame reject_frame). */
static inline gboolean
td_stream_wants_host_ttl(const td_stream_t *s)
{
    return s->handshake.reject_ttl != 0;
}

/* The capture's clock reached now (seconds; packets of other streams move
 * it): verdicts that only time proves (a half-close that lasts long enough
 * to be a CLOSE_WAIT leak) read it. The glue calls it at the time
 * td_stream_deadline() gave, so that every mode sees the same verdict. */
void td_stream_clock(td_stream_t *s, double now);
/* The capture time at which this stream's verdict would change by time
 * alone, or < 0 if none. */
double td_stream_deadline(const td_stream_t *s);

#endif /* TD_STREAM_H */
