/* td_fields.h
 * Reading the TCP segment, or the ICMP error quoting one, from a dissected frame.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_FIELDS_H
#define TD_FIELDS_H

#include <epan/packet.h>

#include "tcpdiag_core.h"

typedef enum {
    TD_FRAME_OTHER = 0,  /* no TCP, or not analysable (several TCP headers) */
    TD_FRAME_SEGMENT,    /* a TCP segment */
    TD_FRAME_ICMP_ERROR  /* an ICMP/ICMPv6 error quoting a TCP segment */
} td_frame_kind_t;

typedef struct td_frame_fields {
    td_frame_kind_t kind;
    guint32      stream;      /* Wireshark's tcp.stream */
    td_segment_t seg;         /* dir and time are the caller's to set */
    gboolean     seq_known;   /* not a quoted header (Wireshark shows no tcp.seq_raw there) */
    guint8       icmp_type, icmp_code, icmp_version;
    guint32      icmp_mtu;     /* next-hop MTU of a "fragmentation needed" / "packet too big"; 0 none */
} td_frame_fields_t;

/* In the handoff: find the protocols whose layers tell a frame apart. */
void td_fields_init(void);

/* At every file's start. */
void td_fields_reset(void);

/* Read the frame's segment (first pass: the TCP dissector's conversations
 * are looked up as of this frame). tvb is the frame's. The rest of *out
 * means nothing when its kind is TD_FRAME_OTHER. */
void td_fields_read(tvbuff_t *tvb, packet_info *pinfo, td_frame_fields_t *out);

#endif /* TD_FIELDS_H */
