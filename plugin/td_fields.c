/* td_fields.c
 * Reading the TCP segment (and the ICMP error quoting one) from a dissected
 * frame, without asking Wireshark for a single field.
 *
 * A postdissector that primes even one field (set_postdissector_wanted_hfids)
 * makes Wireshark build a protocol tree for every frame of every capture,
 * also when nothing is shown (tshark -q, a plain read): every dissector then
 * runs its "if (tree)" code. That alone cost 2,712 instructions a frame on
 * bench's bulk capture (callgrind, 60,000 frames, with tcpdiag doing nothing
 * else), +3.9%: more than the budget of a postdissector. So tcpdiag reads
 * what the TCP dissector left behind instead:
 *   - the stream: Wireshark's own number for it (tcp.stream), from the TCP
 *     conversation the TCP dissector found or made for this frame
 *     (td_stream_id.c);
 *   - the segment: the header's own bytes (RFC 9293 3.1), found behind the IP
 *     header that carries this frame's addresses and protocol TCP, and the
 *     TTL and length from that IP header.
 * A frame whose header cannot be found so (IPv6 extension headers other than
 * the common ones, a tunnel carrying TCP in TCP) is not analysed: nothing
 * rather than a misread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "ws_compat.h"

#include "td_fields.h"
#include "td_stream_id.h"

static int proto_tcp = -1, proto_icmp = -1, proto_icmpv6 = -1;

void
td_fields_init(void)
{
    proto_tcp = proto_get_id_by_filter_name("tcp");
    proto_icmp = proto_get_id_by_filter_name("icmp");
    proto_icmpv6 = proto_get_id_by_filter_name("icmpv6");
}

/* How many TCP layers the frame has, and whether an ICMP or ICMPv6 one: a
 * walk over the few protocol ids of pinfo->layers. */
static int
count_layers(const packet_info *pinfo, gboolean *icmp)
{
    int tcp = 0;

    *icmp = FALSE;
    for (wmem_list_frame_t *l = wmem_list_head(pinfo->layers); l; l = wmem_list_frame_next(l)) {
        int id = GPOINTER_TO_INT(wmem_list_frame_data(l));
        if (id == proto_tcp)
            tcp++;
        else if (id == proto_icmp || id == proto_icmpv6)
            *icmp = TRUE;
    }
    return tcp;
}

/* TCP option kinds (IANA; RFC 9293, 7323, 2018, 7413) */
enum {
    OPT_EOL = 0, OPT_NOP = 1, OPT_MSS = 2, OPT_WSCALE = 3, OPT_SACK_PERM = 4, OPT_SACK = 5,
    OPT_TIMESTAMP = 8, OPT_TFO = 34, OPT_EXP = 254
};
#define TFO_EXP_MAGIC 0xF989 /* RFC 7413 section 4.1.1: the experimental option's ExID */

/* A TCP header as far as captured (at most 60 bytes counted), read from the
 * frame's bytes fetched once: a tvb call per field cost about 400
 * instructions a frame (callgrind). Every read below stays within
 * [0, avail). */
typedef struct {
    const guint8 *h;   /* the header's first byte */
    int avail;         /* its bytes captured */
} tcp_hdr_t;

/* The options of the TCP header (length hlen), within what was captured; a
 * malformed length ends the walk, as it ends Wireshark's. */
static void
read_options(const tcp_hdr_t *w, int hlen, td_segment_t *seg)
{
    const guint8 *h = w->h;
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

/* An IPv4 or IPv6 header and where its payload starts. */
typedef struct {
    int ip;             /* the header's offset */
    int payload;        /* its payload's (after IPv6 extension headers) */
    guint8 version;
    gboolean fragment;  /* a part of a fragmented datagram */
    gboolean first;     /* ... its first part (offset 0) */
} ip_hdr_t;

/* Whether b[ip] starts an IP header (within len bytes) that carries protocol
 * `proto` (its addresses are the caller's to check). IPv6 extension headers are
 * walked as far as Wireshark walks them in a plain TCP segment (RFC 8200
 * section 4: hop-by-hop, routing, fragment, destination options; RFC 4302
 * AH); any other one ends the search. */
static gboolean
parse_ip(const guint8 *b, int len, int ip, guint8 proto, ip_hdr_t *out)
{
    out->ip = ip;
    out->version = b[ip] >> 4;
    if (out->version == 4) {
        int ihl = (b[ip] & 0x0F) * 4;
        guint frag;

        if (ihl < 20 || ip + ihl > len || b[ip + 9] != proto)
            return FALSE;
        frag = TD_PNTOH16(b + ip + 6);
        out->fragment = (frag & 0x3FFF) != 0; /* more fragments, or an offset */
        out->first = (frag & 0x1FFF) == 0;
        out->payload = ip + ihl;
        return TRUE;
    }
    if (out->version == 6) {
        guint8 next;
        int p = ip + 40;

        if (p > len)
            return FALSE;
        out->fragment = FALSE;
        out->first = TRUE;
        next = b[ip + 6];
        for (int n = 0; next != proto && n < 8; n++) {
            int hlen;

            if (p + 8 > len)
                return FALSE;
            switch (next) {
            case 0: case 43: case 60: /* hop-by-hop, routing, destination options */
                hlen = (b[p + 1] + 1) * 8;
                break;
            case 51: /* AH: its length in 4-byte units, less 2 */
                hlen = (b[p + 1] + 2) * 4;
                break;
            case 44: { /* fragment: offset and M flag */
                guint frag = TD_PNTOH16(b + p + 2);
                out->fragment = (frag & 0xFFF9) != 0;
                out->first = (frag & 0xFFF8) == 0;
                hlen = 8;
                break;
            }
            default:
                return FALSE;
            }
            next = b[p];
            p += hlen;
        }
        if (next != proto || p > len)
            return FALSE;
        out->payload = p;
        return TRUE;
    }
    return FALSE;
}

/* Where the last IP header was found: a capture has one link layer (or a
 * few), so the next frame's is nearly always at the same offset. */
static int ip_hint = -1;

void
td_fields_reset(void)
{
    ip_hint = -1;
}

static gboolean
ip_at(const guint8 *b, int len, int i, guint8 proto, const address *src, const address *dst,
      ip_hdr_t *out)
{
    /* the version, the protocol and the addresses: cheap tests that rule
     * out a wrong offset before the header is parsed */
    if (src->len == 4)
        return i + 20 <= len && (b[i] & 0xF0) == 0x40 && b[i + 9] == proto
               && memcmp(b + i + 12, src->data, 4) == 0 && memcmp(b + i + 16, dst->data, 4) == 0
               && parse_ip(b, len, i, proto, out);
    return i + 40 <= len && (b[i] & 0xF0) == 0x60 && memcmp(b + i + 8, src->data, 16) == 0
           && memcmp(b + i + 24, dst->data, 16) == 0 && parse_ip(b, len, i, proto, out);
}

/* The first IP header in b carrying `proto` from src to dst: the innermost
 * one of a tunnel whose outer headers carry another protocol. The few bytes
 * of a link-layer header come before it (14 on Ethernet). */
static gboolean
find_ip(const guint8 *b, int len, guint8 proto, const address *src, const address *dst,
        ip_hdr_t *out)
{
    if (!((src->type == AT_IPv4 && src->len == 4) || (src->type == AT_IPv6 && src->len == 16))
        || dst->type != src->type || dst->len != src->len)
        return FALSE;
    /* An earlier match would be an outer header between the same hosts
     * carrying the same protocol: TCP in a tunnel of TCP, never analysed. */
    if (ip_hint >= 0 && ip_at(b, len, ip_hint, proto, src, dst, out))
        return TRUE;
    for (int i = 0; i + 20 <= len; i++) {
        if (ip_at(b, len, i, proto, src, dst, out)) {
            ip_hint = i;
            return TRUE;
        }
    }
    return FALSE;
}

/* A tvb's captured bytes, read once (tvb_get_ptr), and its reported length. */
typedef struct {
    const guint8 *b;
    int len;       /* captured */
    int reported;
} bytes_t;

static gboolean
bytes_of(tvbuff_t *tvb, bytes_t *out)
{
    out->len = (int)tvb_captured_length(tvb);
    out->reported = (int)tvb_reported_length(tvb);
    out->b = out->len > 0 ? tvb_get_ptr(tvb, 0, out->len) : NULL;
    return out->b != NULL;
}

/* The TTL (hop limit) and the payload length of the segment (header length
 * hlen) that the IP header found before it carries. As Wireshark's
 * packet-ip.c: a total length of 0 (a segmentation offload capture) means
 * the frame's, and never beyond the frame. */
static void
ip_of_segment(const bytes_t *bytes, const ip_hdr_t *iph, int hlen, td_segment_t *seg)
{
    const guint8 *b = bytes->b + iph->ip;
    guint total, rest, before;

    if (iph->version == 4) {
        total = TD_PNTOH16(b + 2);
        rest = (guint)MAX(bytes->reported - iph->ip, 0);
        seg->ttl = b[8];
    } else {
        /* the payload length follows the 40-byte header and counts the
         * extension headers */
        total = TD_PNTOH16(b + 4);
        total = total ? total + 40 : 0;
        rest = (guint)MAX(bytes->reported - iph->ip, 40);
        seg->ttl = b[7];
    }
    if (total == 0 || total > rest)
        total = rest;
    before = (guint)(iph->payload - iph->ip) + (guint)hlen;
    seg->ip_version = iph->version;
    seg->len = total > before ? total - before : 0;
}

/* The segment whose TCP header is at `off` in the bytes: its header and
 * options, and, given the IP header that carries it, its TTL and length. A
 * quoted header (an ICMP error's) has no known sequence number, as Wireshark
 * shows none (no tcp.seq_raw there). Returns the header's length. */
static int
read_segment(const bytes_t *bytes, int off, const ip_hdr_t *iph, gboolean quoted,
             td_frame_fields_t *out)
{
    td_segment_t *seg = &out->seg;
    tcp_hdr_t w;
    int hlen;

    w.h = bytes->b + off;
    w.avail = MIN(MAX(bytes->len - off, 0), 60);
    if (w.avail >= 8 && !quoted) {
        out->seq_known = TRUE;
        seg->seq = TD_PNTOH32(w.h + 4);
    }
    if (w.avail >= 12)
        seg->ack = TD_PNTOH32(w.h + 8);
    if (w.avail >= 14)
        seg->flags = (guint16)(TD_PNTOH16(w.h + 12) & 0x0FFF);
    if (w.avail >= 16)
        seg->win = TD_PNTOH16(w.h + 14);
    hlen = w.avail >= 13 ? (w.h[12] >> 4) * 4 : 20;
    if (w.avail > 20 && hlen > 20)
        read_options(&w, hlen, seg);
    if (iph)
        ip_of_segment(bytes, iph, MAX(hlen, 20), seg);
    if ((seg->flags & TD_SYN) && seg->ts_known)
        seg->opts |= TD_OPT_TIMESTAMP;
    return MAX(hlen, 20);
}

/* The reassembled datagram a fragmented segment was dissected from: a data
 * source of its own (after the frame's), the TCP header at its start. */
static gboolean
reassembled_segment(const packet_info *pinfo, tvbuff_t *frame, bytes_t *out)
{
    gboolean found = FALSE;

    for (GSList *l = pinfo->data_src; l; l = l->next) {
        tvbuff_t *ds = get_data_source_tvb((const struct data_source *)l->data);
        bytes_t b;

        if (ds != frame && bytes_of(ds, &b) && b.len >= 16
            && TD_PNTOH16(b.b) == pinfo->srcport && TD_PNTOH16(b.b + 2) == pinfo->destport) {
            *out = b;
            found = TRUE;
        }
    }
    return found;
}

/* The Wireshark TCP dissector reads a header's first 16 bytes before it
 * looks its stream up: a header cut shorter has no stream (no tcp.stream). */
#define TD_HEADER_BEFORE_STREAM 16

/* An ICMP or ICMPv6 error quoting a TCP segment (RFC 792, RFC 4443 section
 * 2.4): the outer IP header is the frame's (its addresses are pinfo's again
 * once the ICMP dissector is done with the quoted packet), then the ICMP
 * header (8 bytes), then the quoted IP header and the start of the segment. */
static void
read_icmp_error(const bytes_t *bytes, packet_info *pinfo, td_frame_fields_t *out)
{
    const guint8 *b = bytes->b;
    int len = bytes->len;
    ip_hdr_t outer, quoted;
    address qsrc, qdst;
    guint16 sport, dport;
    guint8 type;
    int icmp, tcp;

    if (find_ip(b, len, 1, &pinfo->src, &pinfo->dst, &outer))
        out->icmp_version = 4;
    else if (find_ip(b, len, 58, &pinfo->src, &pinfo->dst, &outer))
        out->icmp_version = 6;
    else
        return;
    icmp = outer.payload;
    if (outer.fragment || icmp + 8 + 20 > len)
        return;
    type = b[icmp];
    /* the types that quote the packet that caused them */
    if (out->icmp_version == 4 ? !(type == 3 || type == 4 || type == 5 || type == 11 || type == 12)
                               : !(type >= 1 && type <= 4))
        return;
    if (!parse_ip(b, len, icmp + 8, 6, &quoted) || !quoted.first)
        return;
    tcp = quoted.payload;
    if (tcp + TD_HEADER_BEFORE_STREAM > len)
        return;
    if (quoted.version == 4) {
        set_address(&qsrc, AT_IPv4, 4, b + quoted.ip + 12);
        set_address(&qdst, AT_IPv4, 4, b + quoted.ip + 16);
    } else {
        set_address(&qsrc, AT_IPv6, 16, b + quoted.ip + 8);
        set_address(&qdst, AT_IPv6, 16, b + quoted.ip + 24);
    }
    sport = TD_PNTOH16(b + tcp);
    dport = TD_PNTOH16(b + tcp + 2);
    if (!td_stream_id_quoted(pinfo->num, &qsrc, &qdst, sport, dport, &out->stream))
        return;
    read_segment(bytes, tcp, NULL, TRUE, out);
    out->icmp_type = type;
    out->icmp_code = b[icmp + 1];
    /* the next-hop MTU: "fragmentation needed" (RFC 1191 section 4),
     * "packet too big" (RFC 4443 section 3.2) */
    if (out->icmp_version == 4 && type == 3 && out->icmp_code == 4)
        out->icmp_mtu = TD_PNTOH16(b + icmp + 6);
    else if (out->icmp_version == 6 && type == 2)
        out->icmp_mtu = TD_PNTOH32(b + icmp + 4);
    out->kind = TD_FRAME_ICMP_ERROR;
}

/* The segment of a frame with one TCP layer and no ICMP one; FALSE when its
 * header is not where the TCP dissector read it. */
static gboolean
read_plain_segment(tvbuff_t *tvb, packet_info *pinfo, const bytes_t *frame,
                   td_frame_fields_t *out)
{
    td_segment_t *seg = &out->seg;
    bytes_t whole;
    const bytes_t *ds = frame;
    ip_hdr_t iph;
    int off, hlen;

    if (!find_ip(frame->b, frame->len, 6, &pinfo->src, &pinfo->dst, &iph))
        return FALSE;
    off = iph.payload;
    if (iph.fragment) {
        /* Dissected from the reassembled datagram, or (reassembly off) from
         * its first fragment; a later fragment alone carries no header. */
        if (reassembled_segment(pinfo, tvb, &whole)) {
            ds = &whole;
            off = 0;
        } else if (!iph.first) {
            return FALSE;
        }
    }
    /* The ports there are the frame's, or this is not the header the TCP
     * dissector read (a protocol above TCP that set pinfo's ports). */
    if (ds->len - off < TD_HEADER_BEFORE_STREAM || TD_PNTOH16(ds->b + off) != pinfo->srcport
        || TD_PNTOH16(ds->b + off + 2) != pinfo->destport)
        return FALSE;
    hlen = read_segment(ds, off, ds == frame ? &iph : NULL, FALSE, out);
    if (!td_stream_id_of(pinfo, &out->stream))
        return FALSE;
    if (ds != frame) {
        /* The IP header is the frame's, the segment the whole datagram. */
        seg->ip_version = iph.version;
        seg->ttl = frame->b[iph.ip + (iph.version == 4 ? 8 : 7)];
        seg->len = whole.reported > hlen ? (guint32)(whole.reported - hlen) : 0;
    }
    out->kind = TD_FRAME_SEGMENT;
    return TRUE;
}

void
td_fields_read(tvbuff_t *tvb, packet_info *pinfo, td_frame_fields_t *out)
{
    td_segment_t *seg = &out->seg;
    bytes_t frame;
    gboolean icmp;

    memset(out, 0, sizeof(*out));
    td_stream_id_frame_start();
    seg->sport = (guint16)pinfo->srcport;
    seg->dport = (guint16)pinfo->destport;
    seg->wscale = TD_NO_WSCALE;
    /* Exactly one TCP header: tunnels carrying TCP in TCP are not analysed. */
    if (count_layers(pinfo, &icmp) == 1 && bytes_of(tvb, &frame)) {
        if (icmp)
            read_icmp_error(&frame, pinfo, out);
        else
            read_plain_segment(tvb, pinfo, &frame, out);
    }
    td_stream_id_frame_end();
}
