/* td_stream_id.h
 * Wireshark's number of the TCP stream a segment belongs to (tcp.stream),
 * found as the TCP dissector found it, without a protocol tree.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_STREAM_ID_H
#define TD_STREAM_ID_H

#include <epan/packet.h>

/* In the handoff. */
void td_stream_id_init(void);

/* At every file's start, and after it. */
void td_stream_id_reset(void);
void td_stream_id_cleanup(void);

/* Around the reading of every frame (first pass): what the TCP dissector
 * made in it decides what is still known. */
void td_stream_id_frame_start(void);
void td_stream_id_frame_end(void);

/* The stream of the frame's own segment (pinfo's addresses and ports);
 * FALSE when the TCP dissector has none for them. */
gboolean td_stream_id_of(const packet_info *pinfo, guint32 *stream);

/* The stream of a segment an ICMP error quotes (the TCP dissector read the
 * quoted header as a segment of that 4-tuple, in this frame). */
gboolean td_stream_id_quoted(guint32 frame, const address *src, const address *dst,
                             guint16 sport, guint16 dport, guint32 *stream);

#endif /* TD_STREAM_ID_H */
