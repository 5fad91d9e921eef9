/* td_handshake.h
 * Handshake diagnosis: the handshake.* codes of DIAGNOSES.md.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_HANDSHAKE_H
#define TD_HANDSHAKE_H

#include "tcpdiag_core.h"

/* td_stream_t.hs_flags */
#define TD_HSF_REJECTED        0x0001
#define TD_HSF_SYNACK_LOST     0x0002
#define TD_HSF_ACK_LOST        0x0004
#define TD_HSF_SYNACK_RETX     0x0008 /* SYN-ACK retransmitted before any client ACK */
#define TD_HSF_DUPLICATE       0x0010
#define TD_HSF_TFO_DONE        0x0020 /* TFO verdict given */
#define TD_HSF_OPTIONS_DONE    0x0040 /* option negotiation checked */
#define TD_HSF_PORT_REUSE      0x0080
#define TD_HSF_MIDSTREAM       0x0100
#define TD_HSF_INCOMPLETE      0x0200 /* incomplete already reported */
#define TD_HSF_CLIENT_RESET    0x0400 /* client sent RST before the handshake completed */
#define TD_HSF_CHALLENGE_ACK   0x0800
#define TD_HSF_SYNACK_UNSEEN   0x1000 /* the client retried its SYN after a SYN-ACK: that one never reached it */
#define TD_HSF_SYNACK_SUSPECT  0x2000 /* ... with timestamps on: whether it was lost or late, the ACK's TSecr tells */

void td_handshake_segment(td_stream_t *s, const td_segment_t *seg, td_finding_t **out);
void td_handshake_icmp(td_stream_t *s, const td_icmp_error_t *icmp, td_finding_t **out);

/* The whole capture was read: known is the TTL the server host's SYN-ACKs
 * showed anywhere in it (other streams, later packets). A refusing RST that
 * had no reference when it came is judged against it. */
void td_handshake_late_host_ttl(td_stream_t *s, guint8 known);

/* The capture misses the stream's start or a direction (handshake.midstream,
 * found or pending). */
gboolean td_handshake_midstream(const td_stream_t *s);
/* The capture holds only the client's direction of this stream. */
gboolean td_handshake_client_direction_only(const td_stream_t *s);

/* Codes that td_handshake_finalize() would add if the capture ended now. */
guint32 td_handshake_pending(const td_stream_t *s);
void td_handshake_finalize(td_stream_t *s, double capture_end, td_finding_t **out);

/* The stream's handshake verdict: its worst handshake code, TD_CODE_NONE if ok. */
td_code_t td_handshake_code(const td_stream_t *s, guint32 codes);

#endif /* TD_HANDSHAKE_H */
