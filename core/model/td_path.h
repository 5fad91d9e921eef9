/* td_path.h
 * Path facts: the round trip from the capture point to each side and back,
 * and where the capture point is between the two (the vantage point).
 *
 * Read from the handshake's timing (s->path, which the handshake detector
 * writes: SYN -> SYN-ACK is the round trip from the capture point to the
 * server, SYN-ACK -> ACK the one to the client), and without a handshake
 * from the sequence-space model's smallest round trip each way. Every
 * detector judges "at once", "late" and "after this capture point" with them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_PATH_H
#define TD_PATH_H

#include "model/td_record.h"

/* Where the capture was taken (tcpdiag.stream.vantage). */
typedef enum {
    TD_VANTAGE_UNKNOWN = 0,
    TD_VANTAGE_CLIENT,      /* next to the client: its side holds < 10% of the RTT */
    TD_VANTAGE_SERVER,      /* next to the server */
    TD_VANTAGE_IN_PATH      /* in between; *client_share says how far */
} td_vantage_t;

/* The round trip from the capture point to side dir and back, from the
 * handshake (SYN -> SYN-ACK is the one to the server, SYN-ACK -> ACK the one
 * to the client); < 0 unknown. */
double td_path_rtt_to(const td_stream_t *s, guint8 dir);

/* The round trip from side dir (the sender) through here and its receiver
 * back to it: the sequence-space model's samples (here -> receiver -> here,
 * smoothed by td_path_srtt, the smallest by td_path_rtt_min) plus the round
 * trip from here to the sender; before any sample, the initial RTT. < 0
 * unknown. */
double td_path_srtt(const td_stream_t *s, guint8 dir);
double td_path_rtt_min(const td_stream_t *s, guint8 dir);

/* The vantage point and the client side's share of the RTT (per cent, 0 if
 * unknown), from the handshake's split of the RTT, or without a handshake
 * from the data phase's smallest round trip each way. */
td_vantage_t td_path_vantage(const td_stream_t *s, guint *client_share);
const char *td_vantage_name(td_vantage_t v);
/* Where the capture point is, for the reader of "after this capture point":
 * " (near the client)", " (in the path, 40% of the RTT client-side)", or ""
 * when it cannot be told (in the stream's scope). */
const char *td_path_vantage_words(td_stream_t *s);

#endif /* TD_PATH_H */
