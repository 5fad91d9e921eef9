/* td_teardown.h
 * Teardown diagnosis: the teardown.* codes of DIAGNOSES.md.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_TEARDOWN_H
#define TD_TEARDOWN_H

#include "tcpdiag_core.h"

/* td_stream_t.td_flags */
#define TD_TDF_GRACEFUL_DONE  0x01
#define TD_TDF_RESET          0x02

/* Called for every segment, after the sequence-space model (which keeps the
 * abandoned chain) and before the endpoint states move. */
void td_teardown_segment(td_stream_t *s, const td_segment_t *seg, td_finding_t **out);

/* The side whose FIN was acknowledged while its peer sent nothing more and
 * has not closed (yet), or -1. */
int td_teardown_closing_side(const td_stream_t *s);

/* The capture time at which a half-close becomes a CLOSE_WAIT leak, or < 0. */
double td_teardown_deadline(const td_stream_t *s);

/* Codes td_teardown_finalize() would add if the capture ended now. */
guint32 td_teardown_pending(const td_stream_t *s);
void td_teardown_finalize(td_stream_t *s, double capture_end, td_finding_t **out);

/* The stream's teardown verdict: its worst teardown code; TD_CODE_NONE when
 * no connection was made (the handshake failed). */
td_code_t td_teardown_code(guint32 codes);

/* Which side (dir) is in each end-of-capture situation, or -1: its
 * retransmissions went unanswered (abandoned), its FIN was retransmitted and
 * never acknowledged, its FIN was acknowledged while the peer never closed. */
int td_teardown_abandoning_side(const td_stream_t *s);
int td_teardown_fin_unacked_side(const td_stream_t *s);
int td_teardown_half_closed_side(const td_stream_t *s);
int td_teardown_both_closed_unacked_side(const td_stream_t *s);

#endif /* TD_TEARDOWN_H */
