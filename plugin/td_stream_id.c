/* td_stream_id.c
 * Wireshark's number of the TCP stream a segment belongs to (tcp.stream),
 * found as the TCP dissector found it, without a protocol tree.
 *
 * The TCP dissector keeps one conversation per connection, with its stream
 * number in the conversation's TCP data (struct tcp_analysis). It finds it
 * by frame, addresses and ports (a port reused by a new SYN makes a new
 * conversation from that frame on); the same lookup, made in the same frame,
 * finds it again.
 *
 * That lookup hashes both addresses byte by byte: about 850 instructions a
 * frame on Wireshark 4.0 (callgrind, bench's bulk capture), a fifth of what
 * tcpdiag cost. So the answer for both directions of a 4-tuple is kept, in a
 * table indexed by a hash of the 4-tuple, and used again as long as the TCP
 * dissector makes no new TCP conversation. It numbers each new one
 * (get_tcp_stream_count() grows by one), and a 4-tuple can only move to
 * another conversation when one is made: a reused port, a SYN after a RST
 * (4.2 and later), a conversation another dissector announced (SOCKS, the
 * one it tunnels). A frame in which the count grew looks its stream up
 * again; if what was made is not this segment's own new conversation, the
 * whole table is forgotten.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "ws_compat.h"

#include <epan/conversation.h>
#include <epan/dissectors/packet-tcp.h>

#include "td_stream_id.h"

#define STREAM_CACHE_SIZE 1024 /* a power of 2; 48 KB */

/* A direction of a 4-tuple: the addresses as words (IPv4: 2, IPv6: 8). */
typedef struct {
    guint32 ports;        /* source port << 16 | destination port */
    guint32 words;
    guint32 addr[8];      /* source, then destination */
} tuple_key_t;

typedef struct {
    tuple_key_t key;
    guint32 stream;
    guint32 generation;   /* valid while it is cache_generation */
} stream_cache_entry_t;

static int proto_tcp = -1;
static stream_cache_entry_t *stream_cache;
static guint32 cache_generation;  /* forgetting everything starts a new one */
static guint32 tcp_streams_seen;  /* get_tcp_stream_count() after the last frame */
static guint32 made;              /* conversations the TCP dissector made in this frame */
static gboolean made_handled;     /* ... and the frame's lookup accounted for them */

void
td_stream_id_init(void)
{
    proto_tcp = proto_get_id_by_filter_name("tcp");
}

void
td_stream_id_reset(void)
{
    g_free(stream_cache);
    stream_cache = g_new0(stream_cache_entry_t, STREAM_CACHE_SIZE);
    cache_generation = 1;
    tcp_streams_seen = 0;
}

void
td_stream_id_cleanup(void)
{
    g_free(stream_cache);
    stream_cache = NULL;
}

/* The TCP dissector's own lookup. */
static gboolean
lookup(guint32 frame, const address *src, const address *dst, guint16 sport, guint16 dport,
       guint32 *stream)
{
    conversation_t *conv = find_conversation(frame, src, dst, CONVERSATION_TCP, sport, dport, 0);
    const struct tcp_analysis *tcpd;

    if (!conv)
        return FALSE;
    tcpd = (const struct tcp_analysis *)conversation_get_proto_data(conv, proto_tcp);
    if (!tcpd)
        return FALSE;
    *stream = tcpd->stream;
    return TRUE;
}

/* FALSE when the addresses are not IPv4 or IPv6 ones (not cached). */
static gboolean
tuple_key(const address *src, const address *dst, guint16 sport, guint16 dport, tuple_key_t *k)
{
    int n = src->len;

    if ((n != 4 && n != 16) || dst->len != n)
        return FALSE;
    k->ports = (guint32)sport << 16 | dport;
    k->words = (guint32)n / 2;
    memcpy(k->addr, src->data, n);
    memcpy((guint8 *)k->addr + n, dst->data, n);
    return TRUE;
}

static stream_cache_entry_t *
cache_entry(const tuple_key_t *k)
{
    guint32 h = k->ports * 0x9E3779B1u;

    for (guint32 i = 0; i < k->words; i++)
        h = (h ^ k->addr[i]) * 0x85EBCA77u;
    return &stream_cache[(h ^ (h >> 16)) & (STREAM_CACHE_SIZE - 1)];
}

static gboolean
same_key(const tuple_key_t *a, const tuple_key_t *b)
{
    if (a->ports != b->ports || a->words != b->words)
        return FALSE;
    for (guint32 i = 0; i < a->words; i++) {
        if (a->addr[i] != b->addr[i])
            return FALSE;
    }
    return TRUE;
}

/* Both directions of a 4-tuple; src NULL: everything. */
static void
forget(const address *src, const address *dst, guint16 sport, guint16 dport)
{
    tuple_key_t k;

    if (!stream_cache)
        return;
    if (!src || !tuple_key(src, dst, sport, dport, &k)) {
        cache_generation++;
        return;
    }
    cache_entry(&k)->generation = 0;
    tuple_key(dst, src, dport, sport, &k);
    cache_entry(&k)->generation = 0;
}

static void
store_one(const tuple_key_t *k, guint32 stream)
{
    stream_cache_entry_t *e = cache_entry(k);

    e->key = *k;
    e->stream = stream;
    e->generation = cache_generation;
}

void
td_stream_id_frame_start(void)
{
    guint32 streams = get_tcp_stream_count();

    made = streams - tcp_streams_seen;
    made_handled = FALSE;
    tcp_streams_seen = streams;
}

void
td_stream_id_frame_end(void)
{
    /* a conversation made in a frame that looked no stream up may have
     * moved any 4-tuple */
    if (made && !made_handled)
        forget(NULL, NULL, 0, 0);
}

gboolean
td_stream_id_of(const packet_info *pinfo, guint32 *stream)
{
    const address *src = &pinfo->src, *dst = &pinfo->dst;
    guint16 sport = (guint16)pinfo->srcport, dport = (guint16)pinfo->destport;
    stream_cache_entry_t *e;
    tuple_key_t k, rev;

    if (!stream_cache || !tuple_key(src, dst, sport, dport, &k))
        return lookup(pinfo->num, src, dst, sport, dport, stream);
    e = cache_entry(&k);
    if (!made && e->generation == cache_generation && same_key(&e->key, &k)) {
        *stream = e->stream;
        return TRUE;
    }
    if (!lookup(pinfo->num, src, dst, sport, dport, stream)) {
        forget(src, dst, sport, dport);
        return FALSE;
    }
    /* the one conversation made in this frame is this segment's own, the
     * newest, or anything may have moved */
    if (made && !(made == 1 && *stream == tcp_streams_seen - 1))
        forget(NULL, NULL, 0, 0);
    made_handled = TRUE;
    /* a TCP conversation is both directions of its 4-tuple */
    store_one(&k, *stream);
    tuple_key(dst, src, dport, sport, &rev);
    store_one(&rev, *stream);
    return TRUE;
}

gboolean
td_stream_id_quoted(guint32 frame, const address *src, const address *dst, guint16 sport,
                    guint16 dport, guint32 *stream)
{
    /* The TCP dissector read the quoted header as a segment: a quoted SYN
     * may have made a conversation on its 4-tuple (frame_end forgets all
     * when one was made). */
    forget(src, dst, sport, dport);
    return lookup(frame, src, dst, sport, dport, stream);
}
