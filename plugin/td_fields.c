/* td_fields.c
 * Reading the TCP, IP and ICMP fields tcpdiag needs from a dissected frame.
 *
 * A postdissector runs on every frame, so this asks Wireshark for as little
 * as it can: every primed field costs on every frame that has it (a real
 * field_info instead of a faked one), and each read is a hash lookup in the
 * primed tree (proto_get_finfo_ptr_array, as plugins/epan/transum does).
 * One field identifies the segment: tcp.stream, whose item Wireshark puts
 * at the start of the TCP header (packet-tcp.c adds it at the header's
 * offset with length 0, in 4.0 to 4.6: checked on every frame of the 276
 * test and real-world captures). The TCP header (sequence and ACK numbers,
 * flags, window) and its options (RFC 9293 3.1) are read from the header's
 * own bytes there, within what was captured, and the TTL and length from
 * the IP header right before it. The ICMP details are read only on ICMP
 * errors. Priming the tcp protocol item too, to find the header, made
 * Wireshark format its summary line on every frame: 780 instructions a
 * frame (callgrind, 60,000 frames of bench's bulk capture).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "ws_compat.h"
#include "td_fields.h"

enum {
    /* every TCP frame */
    F_TCP_STREAM,
    /* ICMP errors only */
    F_ICMP_TYPE, F_ICMP_CODE, F_ICMPV6_TYPE, F_ICMPV6_CODE, F_ICMP_MTU, F_ICMPV6_MTU,
    F_COUNT
};

/* Each costs: a primed ip.ttl alone makes every IPv4 header's protocol item
 * real, with its summary line, about 4,600 instructions a frame (callgrind,
 * Wireshark 4.0); tcp.len another 1,600. The IP header right before the TCP
 * header gives both (read_ip). */
static const char *const field_names[F_COUNT] = {
    "tcp.stream",
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

static dissector_handle_t wanting; /* the postdissector the fields are primed for */

void
td_fields_want(dissector_handle_t postdissector)
{
    for (int i = 0; i < F_COUNT; i++)
        hf[i] = proto_registrar_get_id_byname(field_names[i]);
    proto_icmp = proto_get_id_by_filter_name("icmp");
    proto_icmpv6 = proto_get_id_by_filter_name("icmpv6");
    wanting = postdissector;
    td_fields_enable(TRUE);
}

/* A postdissector that wants fields makes Wireshark build a protocol tree
 * for every frame even when nothing is shown (tshark -q, a plain read), and
 * epan/packet.c asks for them whether or not the postdissector is enabled:
 * disabled, tcpdiag asks for none, so that it costs nothing. */
void
td_fields_enable(gboolean enabled)
{
    GArray *wanted = NULL;

    if (!wanting)
        return;
    if (enabled) {
        wanted = g_array_sized_new(FALSE, FALSE, sizeof(int), F_COUNT);
        for (int i = 0; i < F_COUNT; i++) {
            if (hf[i] > 0)
                g_array_append_val(wanted, hf[i]);
        }
    }
    set_postdissector_wanted_hfids(wanting, wanted); /* it takes the array */
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

/* The last occurrence: the innermost header (the quoted one in an ICMP error). */
static guint32
last_uint(proto_tree *tree, int field, guint32 absent)
{
    field_info *fi = nth(tree, field, -1);

    return fi ? TD_FI_UINT(fi) : absent;
}

/* TCP option kinds (IANA; RFC 9293, 7323, 2018, 7413) */
enum {
    OPT_EOL = 0, OPT_NOP = 1, OPT_MSS = 2, OPT_WSCALE = 3, OPT_SACK_PERM = 4, OPT_SACK = 5,
    OPT_TIMESTAMP = 8, OPT_TFO = 34, OPT_EXP = 254
};
#define TFO_EXP_MAGIC 0xF989 /* RFC 7413 section 4.1.1: the experimental option's ExID */

/* The bytes around a TCP header: up to 60 before it (its IP header) and its
 * header, as far as captured, read from the tvb once: a tvb call per field
 * cost about 400 instructions a frame (callgrind). Every read below stays
 * within [0, len). */
typedef struct {
    const guint8 *b;
    int len;           /* bytes in b */
    int tcp;           /* the TCP header's offset in b */
    int avail;         /* its bytes captured (at most 60 counted) */
    int reported;      /* bytes from b[0] to the end of the frame as reported */
} hdr_window_t;

/* The options of the TCP header (length hlen), within what was captured; a
 * malformed length ends the walk, as it ends Wireshark's. */
static void
read_options(const hdr_window_t *w, int hlen, td_segment_t *seg)
{
    const guint8 *h = w->b + w->tcp;
    int end = MIN(hlen, w->avail);
    int p = 20;
    /* MSS, window scale, SACK-permitted and TFO count only on SYNs */
    gboolean syn = (seg->flags & TD_SYN) != 0;

    while (p < end) {
        guint8 kind = h[p], len;

        if (kind == OPT_EOL)
            break;
        if (kind == OPT_NOP) {
            p++;
            continue;
        }
        if (p + 1 >= end || (len = h[p + 1]) < 2 || p + len > end)
            break;
        switch (kind) {
        case OPT_MSS:
            if (syn && len == 4)
                seg->mss = TD_PNTOH16(h + p + 2);
            break;
        case OPT_WSCALE:
            /* above 14 it counts as 14 (RFC 7323 section 2.3) */
            if (syn && len == 3)
                seg->wscale = (gint8)MIN(h[p + 2], TD_MAX_WSCALE);
            break;
        case OPT_SACK_PERM:
            if (syn)
                seg->opts |= TD_OPT_SACK_PERM;
            break;
        case OPT_SACK:
            /* the blocks as sent: Wireshark shows them relative to its own
             * base sequence number, not always the core's */
            for (int b = p + 2; b + 8 <= p + len && seg->sack_count < 4; b += 8) {
                seg->sack[seg->sack_count][0] = TD_PNTOH32(h + b);
                seg->sack[seg->sack_count][1] = TD_PNTOH32(h + b + 4);
                seg->sack_count++;
            }
            break;
        case OPT_TIMESTAMP:
            if (len == 10) {
                seg->ts_known = TRUE;
                seg->tsval = TD_PNTOH32(h + p + 2);
                seg->tsecr = TD_PNTOH32(h + p + 6);
            }
            break;
        case OPT_TFO:
            if (syn)
                seg->opts |= TD_OPT_TFO | (len > 2 ? TD_OPT_TFO_COOKIE : 0);
            break;
        case OPT_EXP:
            /* TFO as the experimental option older Linux clients send */
            if (syn && len >= 4 && TD_PNTOH16(h + p + 2) == TFO_EXP_MAGIC)
                seg->opts |= TD_OPT_TFO | (len > 4 ? TD_OPT_TFO_COOKIE : 0);
            break;
        default:
            break;
        }
        p += len;
    }
}

/* The IP header that carries the TCP header (length hlen): IPv4 with 0-40
 * bytes of options, or IPv6 without extension headers, right before it, with
 * protocol TCP. Its TTL / hop limit and its length give the segment's; FALSE
 * when there is no such header (IPv6 extension headers, a quoted header cut
 * short). The version, header length and protocol must all agree, and the
 * addresses too when the frame's are the IP ones (an ICMP error's are its
 * own, not the quoted packet's). */
static gboolean
read_ip(const hdr_window_t *w, int hlen, const packet_info *pinfo, td_segment_t *seg)
{
    const guint8 *b = w->b;
    int tcp = w->tcp;

    for (int ihl = 5; ihl <= 15; ihl++) {
        int ip = tcp - 4 * ihl;
        guint total, rest;

        if (ip < 0)
            break;
        if (b[ip] != (0x40 | ihl) || b[ip + 9] != 6)
            continue;
        if (pinfo->net_src.type == AT_IPv4 && pinfo->net_src.len == 4
            && (memcmp(b + ip + 12, pinfo->net_src.data, 4) != 0
                || memcmp(b + ip + 16, pinfo->net_dst.data, 4) != 0))
            continue;
        /* as Wireshark's packet-ip.c: a total length of 0 (a segmentation
         * offload capture) means the frame's; never beyond the frame */
        total = TD_PNTOH16(b + ip + 2);
        rest = (guint)MAX(w->reported - ip, 0);
        if (total == 0 || total > rest)
            total = rest;
        seg->ip_version = 4;
        seg->ttl = b[ip + 8];
        seg->len = total > (guint)(4 * ihl + hlen) ? total - 4 * ihl - hlen : 0;
        return TRUE;
    }
    if (tcp >= 40 && (b[tcp - 40] >> 4) == 6 && b[tcp - 34] == 6
        && !(pinfo->net_src.type == AT_IPv6 && pinfo->net_src.len == 16
             && (memcmp(b + tcp - 32, pinfo->net_src.data, 16) != 0
                 || memcmp(b + tcp - 16, pinfo->net_dst.data, 16) != 0))) {
        guint payload = TD_PNTOH16(b + tcp - 36);
        guint rest = (guint)MAX(w->reported - tcp, 0);

        if (payload == 0 || payload > rest)
            payload = rest;
        seg->ip_version = 6;
        seg->ttl = b[tcp - 33];
        seg->len = payload > (guint)hlen ? payload - hlen : 0;
        return TRUE;
    }
    return FALSE;
}

void
td_fields_read(proto_tree *tree, packet_info *pinfo, td_frame_fields_t *out)
{
    GPtrArray *streams;
    td_segment_t *seg = &out->seg;
    field_info *fi;
    gboolean icmp;

    memset(out, 0, sizeof(*out));
    streams = occurrences(tree, F_TCP_STREAM);
    /* Exactly one TCP header: tunnels carrying TCP in TCP are not analysed. */
    if (!streams || streams->len != 1)
        return;
    fi = (field_info *)g_ptr_array_index(streams, 0);
    out->stream = TD_FI_UINT(fi);

    seg->sport = (guint16)pinfo->srcport;
    seg->dport = (guint16)pinfo->destport;
    seg->wscale = TD_NO_WSCALE;
    /* The header where tcp.stream's item starts (in an ICMP error, the quoted
     * one), as far as it was captured (an ICMP error may quote only its first
     * 8 bytes). The sequence number of a quoted header counts as unknown, as
     * Wireshark shows none (no tcp.seq_raw there). */
    icmp = has_icmp_layer(pinfo);
    if (fi->ds_tvb && fi->start >= 0
        && tvb_captured_length_remaining(fi->ds_tvb, fi->start) >= 0) {
        tvbuff_t *tvb = fi->ds_tvb;
        int off = fi->start, lo = MAX(off - 60, 0), hlen;
        hdr_window_t w;
        const guint8 *h;

        w.tcp = off - lo;
        w.avail = MIN(tvb_captured_length_remaining(tvb, off), 60);
        w.len = w.tcp + w.avail;
        w.reported = tvb_reported_length_remaining(tvb, lo);
        w.b = w.len > 0 ? tvb_get_ptr(tvb, lo, w.len) : NULL;
        if (!w.b)
            goto done;
        h = w.b + w.tcp;
        /* The item is where the header starts (every release so far): the
         * ports there are the frame's. Should a release place it elsewhere,
         * the frame is not analysed rather than misread. */
        if (!icmp && (w.avail < 4 || TD_PNTOH16(h) != pinfo->srcport || TD_PNTOH16(h + 2) != pinfo->destport))
            return;
        if (w.avail >= 8 && !icmp) {
            out->seq_known = TRUE;
            seg->seq = TD_PNTOH32(h + 4);
        }
        if (w.avail >= 12)
            seg->ack = TD_PNTOH32(h + 8);
        if (w.avail >= 14)
            seg->flags = (guint16)(TD_PNTOH16(h + 12) & 0x0FFF);
        if (w.avail >= 16)
            seg->win = TD_PNTOH16(h + 14);
        hlen = w.avail >= 13 ? (h[12] >> 4) * 4 : 20;
        if (w.avail > 20 && hlen > 20)
            read_options(&w, hlen, seg);
        read_ip(&w, MAX(hlen, 20), pinfo, seg);
    }
done:
    if ((seg->flags & TD_SYN) && seg->ts_known)
        seg->opts |= TD_OPT_TIMESTAMP;

    out->kind = TD_FRAME_SEGMENT;
    if (!icmp)
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
