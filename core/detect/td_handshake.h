/* td_handshake.h
 * The handshake detector: the handshake.* codes of DIAGNOSES.md. It also
 * writes the handshake's timing into the record (s->path), from which the
 * model reads the round trip to each side (model/td_path.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_HANDSHAKE_H
#define TD_HANDSHAKE_H

#include "model/td_record.h"

/* td_handshake_state_t.flags */
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

/* A connection was made: the handshake completed, or the capture started
 * after it (no SYN; if a SYN-ACK is seen, the server sent more than it), or
 * both sides carried data. A lone SYN-ACK answered by a RST made none. The
 * teardown judges a RST by it (td_stream.c hands it over). */
gboolean td_handshake_connected(const td_stream_t *s);

/* The end of the capture proves what is still pending (an unanswered SYN,
 * a SYN-ACK never acknowledged, a capture of one direction). */
void td_handshake_finalize(td_stream_t *s, double capture_end, td_finding_t **out);

/* Its part of the verdict (verdict/td_verdict.h). */
typedef struct td_handshake_part {
    guint32  pending;           /* codes td_handshake_finalize() would add now
                                 * (0 once the stream is concluded) */
    gboolean connected;         /* td_handshake_connected() */
    guint8   established;       /* the handshake completed */
    guint8   rejected;          /* a RST or an ICMP error refused the SYN */
    guint8   synack_unseen;     /* the client retried its SYN after a SYN-ACK: that
                                 * one never reached it */
    guint8   client_reset;      /* the client reset its attempt before any SYN-ACK */
    guint8   client_direction_only; /* the capture holds only the client's direction */
    guint32  syn_count;         /* the client's SYNs with its first ISN */
    double   syn_span;          /* from its first SYN to the last one kept */
    guint32  synack_count;
    guint32  synack_first_frame;
    double   syn_time;          /* the client's first SYN; < 0 none */
    double   established_time;  /* the client's ACK of the SYN-ACK; < 0 not established */
} td_handshake_part_t;

void td_handshake_publish(const td_stream_t *s, td_handshake_part_t *out);

#endif /* TD_HANDSHAKE_H */
