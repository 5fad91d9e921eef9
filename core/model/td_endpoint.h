/* td_endpoint.h
 * The endpoint model: each side of a stream as an endpoint. Roles, Zeek's
 * endpoint state machine, the history string and conn_state; and the facts
 * every detector reads of each side: the options of its SYN, the highest
 * sequence and acknowledgment numbers it sent, the window its peer offers
 * it, its packets, TTL, RSTs and last packets.
 *
 * The endpoint states, history letters and conn_state follow Zeek exactly
 * (zeek/zeek src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc and
 * scripts/base/protocols/conn/main.zeek), because conn_state is the most
 * widely understood per-connection taxonomy and users compare the two.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_ENDPOINT_H
#define TD_ENDPOINT_H

#include "model/td_record.h"

/* A segment arrives: the sides' facts before any detector reads them. */
void td_endpoint_segment(td_stream_t *s, const td_segment_t *seg);
/* ... and after every detector has read them: the endpoint states move, and
 * the segment becomes its sender's last (detectors compare the segment with
 * the one before). */
void td_endpoint_segment_done(td_stream_t *s, const td_segment_t *seg);

/* A FIN that the capture missed, which the peer's ACK shows (the teardown
 * detector infers it, detect/td_teardown.c): it takes a sequence number,
 * and the side is closed. */
void td_endpoint_fin_unseen(td_side_t *side);

/* Whether seg, the first segment of what Wireshark made a new stream on the
 * 4-tuple of prev, opens a new connection, or continues prev. Wireshark 4.0
 * starts a new stream on a 4-tuple only for a SYN without ACK whose sequence
 * number differs from the ISN its sender used in the stream
 * (epan/dissectors/packet-tcp.c, TCP_S_BASE_SEQ_SET), which is a new
 * connect(): a new connect() chooses a new ISN (RFC 6528). Later releases
 * also split a connection at a SYN retried with the same ISN after a
 * challenge ACK and the client's RST, and at a SYN-ACK after a RST or with
 * another ISN; those continue prev, so that every release gives the same
 * streams. seg->dir is its direction in prev. */
gboolean td_endpoint_opens_connection(const td_stream_t *prev, const td_segment_t *seg);

/* Zeek's conn_state of the endpoint states (S0 S1 SF REJ S2 S3 RSTO RSTR
 * RSTOS0 RSTRH SH SHR OTH), as of the last segment. */
const char *td_endpoint_conn_state(const td_stream_t *s);

#endif /* TD_ENDPOINT_H */
