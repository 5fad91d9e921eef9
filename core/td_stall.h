/* td_stall.h
 * Stall detection: the stall kinds of DIAGNOSES.md (a side had data to send
 * and was held back): nagle_delayed_ack, idle_restart, zero_window,
 * window_full, rto.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_STALL_H
#define TD_STALL_H

#include "tcpdiag_core.h"

/* Called for every segment, after the sequence-space model (it reads what
 * the model made of the segment) and before the teardown diagnosis. */
void td_stall_segment(td_stream_t *s, const td_segment_t *seg,
                      td_finding_t **out);

/* Stalls still open at the stream's last packet (a window never reopened, a
 * retransmission never acknowledged): their codes, count and total time. */
guint32 td_stall_pending(const td_stream_t *s, guint32 *count, double *total,
                         td_code_t *worst, double *worst_time);
void td_stall_finalize(td_stream_t *s, td_finding_t **out);

/* Report a stall of the given kind that held a sender from begin to end
 * (seconds), on frame; the stream's stall count and time include it. */
td_finding_t *td_stall_add(td_stream_t *s, td_finding_t **out, td_code_t kind, guint32 frame,
                           const char *detail, guint32 count, double begin, double end,
                           guint32 begin_frame, guint32 trigger_frame, const char *cause,
                           const char *message);

#endif /* TD_STALL_H */
