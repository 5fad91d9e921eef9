/* td_fields.c
 * Reading the TCP, IP and ICMP fields tcpdiag needs from a dissected frame.
 *
 * A postdissector runs on every frame, so this reads only what the core uses:
 * nine lookups on a plain segment, the options only on SYNs, the ICMP details
 * only on ICMP errors. Each lookup is a hash lookup in the primed tree
 * (proto_get_finfo_ptr_array), as plugins/epan/transum does.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "ws_compat.h"
#include "td_fields.h"

/* Every primed field costs on every frame that has it (a real field_info
 * instead of a faked one), so only fields the core uses are asked for. */
enum {
    /* every TCP frame */
    F_TCP_STREAM, F_TCP_FLAGS, F_TCP_SEQ_RAW, F_TCP_ACK_RAW, F_TCP_LEN, F_TCP_WIN,
    F_IP_TTL, F_IPV6_HLIM,
    /* frames that carry them: timestamps (most), SACK (during loss) */
    F_TSVAL, F_TSECR, F_SACK,
    /* SYN and SYN-ACK only */
    F_MSS, F_WSCALE, F_SACK_PERM, F_TFO, F_TFO_REQUEST, F_TFO_COOKIE,
    /* ICMP errors only */
    F_ICMP_TYPE, F_ICMP_CODE, F_ICMPV6_TYPE, F_ICMPV6_CODE, F_ICMP_MTU, F_ICMPV6_MTU,
    F_COUNT
};

static const char *const field_names[F_COUNT] = {
    "tcp.stream", "tcp.flags", "tcp.seq_raw", "tcp.ack_raw", "tcp.len", "tcp.window_size_value",
    "ip.ttl", "ipv6.hlim",
    "tcp.options.timestamp.tsval", "tcp.options.timestamp.tsecr", "tcp.options.sack",
    "tcp.options.mss_val", "tcp.options.wscale.shift", "tcp.options.sack_perm",
    "tcp.options.tfo", "tcp.options.tfo.request", "tcp.options.tfo.cookie",
    "icmp.type", "icmp.code", "icmpv6.type", "icmpv6.code", "icmp.mtu", "icmpv6.mtu",
};

static int hf[F_COUNT];
static int proto_icmp = -1, proto_icmpv6 = -1;

/* Whether an ICMP or ICMPv6 layer is in the frame: a walk over the few
 * protocol ids of pinfo->layers instead of two field lookups per frame. */
static gboolean
has_icmp_layer(const packet_info *pinfo)
{
    for (wmem_list_frame_t *l = wmem_list_head(pinfo->layers); l; l = wmem_list_frame_next(l)) {
        int id = GPOINTER_TO_INT(wmem_list_frame_data(l));
        if (id == proto_icmp || id == proto_icmpv6)
            return TRUE;
    }
    return FALSE;
}

void
td_fields_want(dissector_handle_t postdissector)
{
    GArray *wanted = g_array_sized_new(FALSE, FALSE, sizeof(int), F_COUNT);

    for (int i = 0; i < F_COUNT; i++) {
        hf[i] = proto_registrar_get_id_byname(field_names[i]);
        if (hf[i] > 0)
            g_array_append_val(wanted, hf[i]);
    }
    proto_icmp = proto_get_id_by_filter_name("icmp");
    proto_icmpv6 = proto_get_id_by_filter_name("icmpv6");
    set_postdissector_wanted_hfids(postdissector, wanted);
}

static GPtrArray *
occurrences(proto_tree *tree, int field)
{
    return hf[field] > 0 ? proto_get_finfo_ptr_array(tree, hf[field]) : NULL;
}

static field_info *
nth(proto_tree *tree, int field, int n)
{
    GPtrArray *a = occurrences(tree, field);

    if (!a || a->len == 0)
        return NULL;
    if (n < 0)
        n = (int)a->len + n;
    return (n >= 0 && (guint)n < a->len) ? (field_info *)g_ptr_array_index(a, n) : NULL;
}

static gboolean
present(proto_tree *tree, int field)
{
    return nth(tree, field, -1) != NULL;
}

/* The last occurrence: the innermost header (the quoted one in an ICMP error). */
static guint32
last_uint(proto_tree *tree, int field, guint32 absent)
{
    field_info *fi = nth(tree, field, -1);

    return fi ? TD_FI_UINT(fi) : absent;
}

/* The SACK blocks as sent, from the option's own bytes: Wireshark shows
 * their edges relative to its own base sequence number, which is not
 * always the one the core counts from (a capture that starts mid-stream). */
static void
read_sack(const field_info *fi, td_segment_t *seg)
{
    tvbuff_t *tvb = fi->ds_tvb;
    int start = fi->start, len = fi->length;

    if (!tvb || len < 10 || tvb_captured_length_remaining(tvb, start) < len
        || TD_TVB_U8(tvb, start) != 5 || TD_TVB_U8(tvb, start + 1) != len)
        return;
    for (int off = start + 2; off + 8 <= start + len && seg->sack_count < 4; off += 8) {
        seg->sack[seg->sack_count][0] = tvb_get_ntohl(tvb, off);
        seg->sack[seg->sack_count][1] = tvb_get_ntohl(tvb, off + 4);
        seg->sack_count++;
    }
}

void
td_fields_read(proto_tree *tree, packet_info *pinfo, td_frame_fields_t *out)
{
    GPtrArray *streams;
    td_segment_t *seg = &out->seg;
    field_info *fi;

    memset(out, 0, sizeof(*out));
    streams = occurrences(tree, F_TCP_STREAM);
    /* Exactly one TCP header: tunnels carrying TCP in TCP are not analysed. */
    if (!streams || streams->len != 1)
        return;
    out->stream = TD_FI_UINT((field_info *)g_ptr_array_index(streams, 0));

    seg->flags = (guint16)last_uint(tree, F_TCP_FLAGS, 0);
    fi = nth(tree, F_TCP_SEQ_RAW, -1);
    out->seq_known = fi != NULL;
    seg->seq = fi ? TD_FI_UINT(fi) : 0;
    seg->sport = (guint16)pinfo->srcport;
    seg->dport = (guint16)pinfo->destport;
    seg->ack = last_uint(tree, F_TCP_ACK_RAW, 0);
    seg->len = last_uint(tree, F_TCP_LEN, 0);
    seg->win = last_uint(tree, F_TCP_WIN, 0);
    if ((fi = nth(tree, F_IPV6_HLIM, -1)) != NULL) {
        seg->ip_version = 6;
        seg->ttl = (guint8)TD_FI_UINT(fi);
    } else if ((fi = nth(tree, F_IP_TTL, -1)) != NULL) {
        seg->ip_version = 4;
        seg->ttl = (guint8)TD_FI_UINT(fi);
    }
    if ((fi = nth(tree, F_TSVAL, -1)) != NULL) {
        field_info *ecr = nth(tree, F_TSECR, -1);
        seg->ts_known = TRUE;
        seg->tsval = TD_FI_UINT(fi);
        seg->tsecr = ecr ? TD_FI_UINT(ecr) : 0;
    }
    if ((fi = nth(tree, F_SACK, -1)) != NULL)
        read_sack(fi, seg);
    seg->wscale = TD_NO_WSCALE;
    if (seg->flags & TD_SYN) {
        seg->mss = (guint16)last_uint(tree, F_MSS, 0);
        /* The shift is a byte on the wire; above 14 it counts as 14
         * (RFC 7323 section 2.3), which also keeps it a valid shift. */
        if ((fi = nth(tree, F_WSCALE, -1)) != NULL)
            seg->wscale = (gint8)MIN(TD_FI_UINT(fi), TD_MAX_WSCALE);
        if (present(tree, F_SACK_PERM))
            seg->opts |= TD_OPT_SACK_PERM;
        if (seg->ts_known)
            seg->opts |= TD_OPT_TIMESTAMP;
        /* TFO as option 34 (RFC 7413) or as the experimental option 254
         * with magic 0xF989 that older Linux clients send. */
        if (present(tree, F_TFO) || present(tree, F_TFO_REQUEST))
            seg->opts |= TD_OPT_TFO;
        if (present(tree, F_TFO_COOKIE))
            seg->opts |= TD_OPT_TFO | TD_OPT_TFO_COOKIE;
    }

    out->kind = TD_FRAME_SEGMENT;
    if (!has_icmp_layer(pinfo))
        return;
    /* An ICMP error quoting the segment. The ICMP dissector restores the
     * outer addresses after the quoted packet, so pinfo->src is its sender
     * and pinfo->dst the quoted segment's sender. */
    if ((fi = nth(tree, F_ICMP_TYPE, 0)) != NULL) {
        out->icmp_version = 4;
        out->icmp_code = (guint8)last_uint(tree, F_ICMP_CODE, 0);
        out->icmp_mtu = last_uint(tree, F_ICMP_MTU, 0);
    } else if ((fi = nth(tree, F_ICMPV6_TYPE, 0)) != NULL) {
        out->icmp_version = 6;
        out->icmp_code = (guint8)last_uint(tree, F_ICMPV6_CODE, 0);
        out->icmp_mtu = last_uint(tree, F_ICMPV6_MTU, 0);
    } else {
        return;
    }
    out->icmp_type = (guint8)TD_FI_UINT(fi);
    out->kind = TD_FRAME_ICMP_ERROR;
}
