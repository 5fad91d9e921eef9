/* td_fields.h
 * Reading the TCP, IP and ICMP fields tcpdiag needs from a dissected frame.
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
    guint32      stream;      /* tcp.stream */
    td_segment_t seg;         /* dir and time are the caller's to set */
    gboolean     seq_known;   /* tcp.seq_raw was present */
    guint8       icmp_type, icmp_code, icmp_version;
    guint32      icmp_mtu;     /* next-hop MTU of a "fragmentation needed" / "packet too big"; 0 none */
} td_frame_fields_t;

/* In the handoff: ask for the fields on the first pass. */
void td_fields_want(dissector_handle_t postdissector);

/* At every file's start: ask for them only while tcpdiag is enabled. */
void td_fields_enable(gboolean enabled);

/* Read the frame's fields (first pass only; the tree must be primed). */
void td_fields_read(proto_tree *tree, packet_info *pinfo, td_frame_fields_t *out);

#endif /* TD_FIELDS_H */
