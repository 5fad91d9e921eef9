/* td_handshake.c
 * Handshake diagnosis: every handshake.* code of DIAGNOSES.md.
 *
 * Evidence is judged from the capture's vantage point: a SYN-ACK we see may
 * still be lost after the capture point, an ACK we see may never reach the
 * server. Each message says what the packets prove and, where they cannot
 * tell two causes apart, says so.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "detect/td_handshake.h"
#include "model/td_finding.h"
#include "model/td_path.h"
#include "model/td_seqspace.h"

#define CLIENT(s) (&(s)->side[(s)->client])
#define SERVER(s) (&(s)->side[1 - (s)->client])

/* "this capture point", and where it is when the stream tells (the
 * handshake's split, or the data's round trips). */
static const char *
here(td_stream_t *s)
{
    return wmem_strdup_printf(s->scope, "this capture point%s", td_path_vantage_words(s));
}

/* Option negotiation (RFC 7323 sections 2.2 and 3.2: window scaling and
 * timestamps are on only if both SYNs carry them; RFC 2018: SACK likewise;
 * RFC 9293 section 3.7.1: no MSS option means 536 bytes over IPv4). */
static void
check_options(td_stream_t *s, const td_segment_t *seg, td_finding_t **out)
{
    const td_side_t *c = CLIENT(s), *v = SERVER(s);
    wmem_strbuf_t *summary = NULL, *why = NULL, *detail = NULL;
    char *summary_str, *why_str, *detail_str;
    gboolean v6 = s->ip_version == 6;
    guint32 low = s->cfg->mss_low;
    const td_side_t *sides[2] = { c, v };
    const char *names[2] = { "client", "server" };

    if ((s->handshake.flags & TD_HSF_OPTIONS_DONE) || !c->syn_seen || !v->syn_seen)
        return;
    s->handshake.flags |= TD_HSF_OPTIONS_DONE;

    /* key: detail keyword; what: the short statement; consequence: for the
     * cause line. The strings are made at the first problem (most streams
     * negotiate cleanly and build none), in g_malloc'd memory freed below:
     * the finding keeps copies of what it needs. */
#define ADD(key, consequence, ...) do { \
        if (!detail) { \
            summary = wmem_strbuf_new(NULL, ""); \
            why = wmem_strbuf_new(NULL, ""); \
            detail = wmem_strbuf_new(NULL, ""); \
        } else { \
            wmem_strbuf_append_c(detail, ','); \
            wmem_strbuf_append(summary, "; "); \
            wmem_strbuf_append(why, "; "); \
        } \
        wmem_strbuf_append(detail, key); \
        wmem_strbuf_append_printf(summary, __VA_ARGS__); \
        wmem_strbuf_append(why, consequence); \
    } while (0)

    if ((c->wscale != TD_NO_WSCALE) != (v->wscale != TD_NO_WSCALE))
        ADD("no_wscale", "without window scaling each window is capped at 64 KB, which "
            "limits throughput on long paths", "window scaling offered by the %s only (off)",
            c->wscale != TD_NO_WSCALE ? "client" : "server");
    if ((c->opts ^ v->opts) & TD_OPT_SACK_PERM)
        ADD("no_sack", "without SACK, several losses in one window recover slowly",
            "SACK offered by the %s only (off)",
            (c->opts & TD_OPT_SACK_PERM) ? "client" : "server");
    if ((c->opts ^ v->opts) & TD_OPT_TIMESTAMP)
        ADD("no_timestamps", "without timestamps there is no RTT measurement per segment "
            "nor PAWS", "timestamps offered by the %s only (off)",
            (c->opts & TD_OPT_TIMESTAMP) ? "client" : "server");
    for (int i = 0; i < 2; i++) {
        if (sides[i]->mss == 0)
            ADD("no_mss", v6 ? "without an MSS option the peer must assume 1220 bytes"
                             : "without an MSS option the peer must assume 536 bytes",
                "no MSS option from the %s", names[i]);
        else if (sides[i]->mss < low)
            ADD("low_mss", "an MSS this low means MSS clamping on a firewall or a tunnel with a "
                "very small MTU; every segment carries less data, so more packets",
                "the %s's MSS is %u (below %u)", names[i], sides[i]->mss, low);
    }
#undef ADD
    if (!detail)
        return;
    summary_str = wmem_strbuf_finalize(summary);
    why_str = wmem_strbuf_finalize(why);
    detail_str = wmem_strbuf_finalize(detail);
    td_finding_add(s, out, TD_HS_OPTIONS, seg->frame, wmem_strdup(s->scope, detail_str), 0, -1.0,
                   s->handshake.syn_first_frame, wmem_strdup(s->scope, why_str), "Option negotiation: %s",
                   summary_str);
    g_free(summary_str);
    g_free(why_str);
    g_free(detail_str);
}

static void
check_port_reuse(td_stream_t *s, const td_segment_t *seg, td_finding_t **out)
{
    const td_stream_t *p = s->prev_same_tuple;
    td_ep_state_t a, b;
    double gap;

    if (!p)
        return;
    a = p->side[0].state;
    b = p->side[1].state;
    gap = seg->time - p->last_time;
    if (a != TD_EP_RESET && b != TD_EP_RESET && !(a == TD_EP_CLOSED && b == TD_EP_CLOSED)) {
        s->handshake.flags |= TD_HSF_PORT_REUSE;
        td_finding_add(s, out, TD_HS_PORT_REUSE, seg->frame, "still_open", 0, gap, p->last_frame,
                       "The server may still hold the old connection and answer with a "
                       "challenge ACK (RFC 5961 section 4); the client then resets and retries",
                       "New SYN reuses the ports of stream %u, which never ended (no RST, no "
                       "FIN from both sides; last packet %s earlier)",
                       p->index, td_fmt_duration(s->scope, gap));
    } else if (gap < s->cfg->time_wait) {
        s->handshake.flags |= TD_HSF_PORT_REUSE;
        td_finding_add(s, out, TD_HS_PORT_REUSE, seg->frame, "time_wait", 0, gap, p->last_frame,
                       "The side that closed first may still hold the old connection in "
                       "TIME_WAIT (60 s on Linux); a stack that cannot accept the SYN answers "
                       "with an ACK or RST. Clients reusing fixed source ports cause this",
                       "New SYN reuses the ports of stream %u only %s after it ended",
                       p->index, td_fmt_duration(s->scope, gap));
    }
}

/* Why a SYN-ACK comes after the client's SYN timer without being lost. */
static const char LATE_SYNACK_CAUSE[] =
    "A round trip longer than the client's initial retransmission timeout (1 s, RFC 6298; a "
    "satellite or congested path): nothing was lost, the SYN was sent again needlessly";

/* The TSval of the client's i-th SYN (i < TD_MAX_SYN_TIMES); 0 none. */
static guint32
syn_tsval_at(const td_stream_t *s, guint i)
{
    if (i == 0)
        return s->handshake.syn_tsval_first;
    return s->handshake.syn_tsval_more ? s->handshake.syn_tsval_more[i - 1] : 0;
}

/* Most connections send one SYN: the others' TSvals are allocated with the
 * second (issue 12: bytes per stream). */
static void
syn_tsval_set(td_stream_t *s, guint i, guint32 tsval)
{
    if (i == 0) {
        s->handshake.syn_tsval_first = tsval;
        return;
    }
    if (!s->handshake.syn_tsval_more)
        s->handshake.syn_tsval_more = wmem_alloc0_array(s->scope, guint32, TD_MAX_SYN_TIMES - 1);
    s->handshake.syn_tsval_more[i - 1] = tsval;
}

/* The index of the client's SYN whose TSval is tsval, or -1. */
static int
syn_index_of(const td_stream_t *s, guint32 tsval)
{
    guint n = MIN(s->handshake.syn_count, TD_MAX_SYN_TIMES);

    for (guint i = 0; i < n; i++) {
        if (tsval && syn_tsval_at(s, i) == tsval)
            return (int)i;
    }
    return -1;
}

static void
handle_syn(td_stream_t *s, const td_segment_t *seg, td_finding_t **out)
{
    td_side_t *c;
    double dt;

    if (seg->dir != s->client)
        return; /* simultaneous open: not diagnosed */
    c = CLIENT(s);
    if (s->handshake.syn_count == 0) {
        s->handshake.syn_count = 1;
        td_times_set(s->scope, &s->handshake.syn_times, 0, seg->time);
        syn_tsval_set(s, 0, seg->ts_known ? seg->tsval : 0);
        s->handshake.server_packets_at_syn = SERVER(s)->packets;
        s->handshake.syn_first_frame = s->handshake.syn_last_frame = seg->frame;
        s->handshake.syn_data_len = seg->len;
        if (s->handshake.synack_count == 0)
            s->handshake.syn_before_synack = 1;
        check_port_reuse(s, seg, out);
        check_options(s, seg, out);
        return;
    }
    if (seg->seq != c->isn)
        return; /* a SYN with another ISN in the same stream: not a retransmission */

    /* A SYN repeated sooner than any retransmission timer, with nothing from
     * the server in between to react to, is a duplicated frame. */
    dt = seg->time - td_times_at(&s->handshake.syn_times, MIN(s->handshake.syn_count, TD_MAX_SYN_TIMES) - 1);
    if ((dt < s->cfg->min_rto && SERVER(s)->packets == s->handshake.server_packets_at_syn)
        || s->path.established_frame) {
        if (!(s->handshake.flags & TD_HSF_DUPLICATE)) {
            s->handshake.flags |= TD_HSF_DUPLICATE;
            if (s->path.established_frame)
                td_finding_add(s, out, TD_HS_DUPLICATE_SYN, seg->frame, "after_handshake", 0,
                               seg->time - s->path.established_time, s->path.established_frame,
                               "A late retransmission that crossed the SYN-ACK, or a "
                               "duplicating network or capture",
                               "Client sent its SYN again (same ISN) %s after it had "
                               "acknowledged the SYN-ACK (frame %u)",
                               td_fmt_duration(s->scope, seg->time - s->path.established_time),
                               s->path.established_frame);
            else
                td_finding_add(s, out, TD_HS_DUPLICATE_SYN, seg->frame, "duplicate_frame", 0, dt,
                               s->handshake.syn_last_frame,
                               "Sooner than any retransmission timer: a duplicated frame "
                               "(capture on both sides of a device, or a duplicating SPAN "
                               "port), not a retransmission",
                               "SYN repeated (same ISN) only %s after frame %u: duplicate frame",
                               td_fmt_duration(s->scope, dt), s->handshake.syn_last_frame);
        }
        return;
    }
    if (s->handshake.syn_count < TD_MAX_SYN_TIMES) {
        td_times_set(s->scope, &s->handshake.syn_times, s->handshake.syn_count, seg->time);
        syn_tsval_set(s, s->handshake.syn_count, seg->ts_known ? seg->tsval : 0);
    }
    s->handshake.syn_count++;
    s->handshake.server_packets_at_syn = SERVER(s)->packets;
    s->handshake.syn_last_frame = seg->frame;
    if (s->handshake.synack_count == 0) {
        s->handshake.syn_before_synack++;
    } else if (!(s->handshake.flags & (TD_HSF_SYNACK_LOST | TD_HSF_SYNACK_SUSPECT))
               && seg->ts_known && s->handshake.synack_first_tsval) {
        /* With timestamps the client's ACK will tell whether that SYN-ACK
         * was lost or only late (a round trip longer than the client's
         * initial RTO, 1 s by RFC 6298): it echoes the TSval of the SYN-ACK
         * it answers. Until then the verdict waits (pending synack_lost). */
        s->handshake.flags |= TD_HSF_SYNACK_SUSPECT | TD_HSF_SYNACK_UNSEEN;
        s->handshake.suspect_frame = seg->frame;
        s->handshake.suspect_time = seg->time;
    } else if (!(s->handshake.flags & (TD_HSF_SYNACK_LOST | TD_HSF_SYNACK_SUSPECT))) {
        double since = seg->time - s->path.synack_first_time;
        s->handshake.flags |= TD_HSF_SYNACK_LOST | TD_HSF_SYNACK_UNSEEN;
        td_finding_add(s, out, TD_HS_SYNACK_LOST, seg->frame, "syn_retransmitted", 1, since,
                       s->handshake.synack_first_frame,
                       wmem_strdup_printf(s->scope, "The SYN-ACK was lost between %s and the "
                                          "client; the connect waits for a retransmission "
                                          "(client SYN timer, server tcp_synack_retries)",
                                          here(s)),
                       "SYN-ACK lost: the client retransmitted its SYN %s after the server's "
                       "SYN-ACK (frame %u), so that SYN-ACK never reached it",
                       td_fmt_duration(s->scope, since), s->handshake.synack_first_frame);
    }
}

static void
check_tfo(td_stream_t *s, const td_segment_t *seg, td_finding_t **out)
{
    const td_side_t *c = CLIENT(s);
    guint32 isn = c->isn;

    if ((s->handshake.flags & TD_HSF_TFO_DONE) || !c->syn_seen)
        return;
    if (s->handshake.syn_data_len > 0) {
        s->handshake.flags |= TD_HSF_TFO_DONE;
        if (seg->ack == isn + 1 + s->handshake.syn_data_len)
            td_finding_add(s, out, TD_HS_TFO, seg->frame, "accepted", s->handshake.syn_data_len, -1.0,
                           s->handshake.syn_first_frame, NULL,
                           "TCP Fast Open accepted: the SYN (frame %u) carried %u bytes and the "
                           "SYN-ACK acknowledges them; the request saved one round trip",
                           s->handshake.syn_first_frame, s->handshake.syn_data_len);
        else if (seg->ack == isn + 1)
            td_finding_add(s, out, TD_HS_TFO, seg->frame, "rejected", s->handshake.syn_data_len, -1.0,
                           s->handshake.syn_first_frame,
                           "The server did not accept the cookie (invalid or expired), or TFO is "
                           "off on the server (net.ipv4.tcp_fastopen); the client resends the "
                           "data after the handshake",
                           "TCP Fast Open rejected: the SYN (frame %u) carried %u bytes but the "
                           "SYN-ACK acknowledges only the SYN; TFO saved nothing",
                           s->handshake.syn_first_frame, s->handshake.syn_data_len);
    } else if (c->opts & TD_OPT_TFO) {
        s->handshake.flags |= TD_HSF_TFO_DONE;
        if (seg->opts & TD_OPT_TFO_COOKIE)
            td_finding_add(s, out, TD_HS_TFO, seg->frame, "cookie_granted", 0, -1.0,
                           s->handshake.syn_first_frame, NULL,
                           "TCP Fast Open: the client asked for a cookie and the server granted "
                           "one; later connections can carry data in the SYN");
        else
            td_finding_add(s, out, TD_HS_TFO, seg->frame, "cookie_refused", 0, -1.0,
                           s->handshake.syn_first_frame, "TFO is off on the server (net.ipv4.tcp_fastopen)",
                           "TCP Fast Open: the client %s but the server's SYN-ACK carries no "
                           "cookie",
                           (c->opts & TD_OPT_TFO_COOKIE) ? "sent a cookie without data"
                                                          : "asked for a cookie");
    }
}

static void
handle_synack(td_stream_t *s, const td_segment_t *seg, td_finding_t **out)
{
    double prev_synack;
    td_side_t *v;
    double dt;

    if (seg->dir == s->client)
        return; /* SYN-ACK from the client: simultaneous open, not diagnosed */
    v = SERVER(s);
    if (s->handshake.synack_count == 0) {
        s->handshake.synack_count = 1;
        s->handshake.synack_first_frame = seg->frame;
        s->path.synack_first_time = s->path.synack_last_time = seg->time;
        s->handshake.client_packets_at_synack = CLIENT(s)->packets;
        if (seg->ts_known) {
            s->handshake.synack_first_tsval = s->handshake.synack_last_tsval = seg->tsval;
            s->handshake.synack_first_tsecr = seg->tsecr;
        }
        s->handshake.reject_ttl = 0; /* this SYN-ACK says more than any TTL (below) */
        if (s->handshake.flags & TD_HSF_REJECTED)
            td_finding_add(s, out, TD_HS_REJECTED, seg->frame, "rst_injected", 0, -1.0,
                           s->handshake.reject_frame,
                           "A middlebox (firewall, IPS, censor) likely injected the RST",
                           "The server answered with a SYN-ACK after the RST of frame %u: that "
                           "RST did not come from the server's TCP stack", s->handshake.reject_frame);
        check_tfo(s, seg, out);
        check_options(s, seg, out);
        return;
    }
    if (seg->seq != v->isn)
        return;
    /* A SYN-ACK answering a retransmitted SYN may follow the previous one
     * closely; only a repeat with nothing from the client in between is a
     * duplicated frame. */
    dt = seg->time - s->path.synack_last_time;
    if (dt < s->cfg->min_rto && CLIENT(s)->packets == s->handshake.client_packets_at_synack) {
        if (!(s->handshake.flags & TD_HSF_DUPLICATE)) {
            s->handshake.flags |= TD_HSF_DUPLICATE;
            td_finding_add(s, out, TD_HS_DUPLICATE_SYN, seg->frame, "duplicate_frame", 0, dt,
                           s->handshake.synack_first_frame,
                           "Sooner than any retransmission timer: a duplicated frame (capture "
                           "on both sides of a device, or a duplicating SPAN port)",
                           "SYN-ACK repeated only %s after the previous one: duplicate frame",
                           td_fmt_duration(s->scope, dt));
        }
        return;
    }
    s->handshake.synack_count++;
    prev_synack = s->path.synack_last_time;
    s->path.synack_last_time = seg->time;
    s->handshake.client_packets_at_synack = CLIENT(s)->packets;
    if (seg->ts_known)
        s->handshake.synack_last_tsval = seg->tsval;
    if (s->path.established_frame) {
        /* Only the server's SYN-ACK timer (at least min_rto) says the
         * client's ACK was lost; a SYN-ACK sooner than that, or one that
         * echoes the TSval of a repeated SYN (not the one the first SYN-ACK
         * answered), answers that SYN (one SYN-ACK per SYN, as Linux does in
         * SYN_RECV). */
        gboolean answers_repeated_syn = seg->ts_known && s->handshake.synack_first_tsecr
                                        && seg->tsecr != s->handshake.synack_first_tsecr
                                        && syn_index_of(s, seg->tsecr) > 0;
        /* ... and the server sent it after the ACK could have reached it:
         * it passes here at least the round trip from here to the server
         * after the ACK did (less 10 ms of jitter). Sooner, the server sent
         * it while the ACK was still on its way (a path slower than its
         * SYN-ACK timer). */
        double to_server = td_path_rtt_to(s, (guint8)(1 - s->client));
        gboolean after_ack_arrived = seg->time - s->path.established_time >= to_server - 0.010;
        if (!(s->handshake.flags & TD_HSF_ACK_LOST) && seg->time - prev_synack >= s->cfg->min_rto
            && !answers_repeated_syn && after_ack_arrived) {
            double since = seg->time - s->path.established_time;
            s->handshake.flags |= TD_HSF_ACK_LOST;
            td_finding_add(s, out, TD_HS_ACK_LOST, seg->frame, "synack_retransmitted", 1, since,
                           s->path.established_frame,
                           "The server stays in SYN_RECV while the client believes it is "
                           "ESTABLISHED; the client's data goes unacknowledged until an ACK gets "
                           "through (tcp_synack_retries, then tcp_retries2)",
                           "Third ACK lost or late: the server resent its SYN-ACK %s after the "
                           "client's ACK (frame %u) left, which had not reached it",
                           td_fmt_duration(s->scope, since), s->path.established_frame);
        }
    } else {
        s->handshake.flags |= TD_HSF_SYNACK_RETX;
    }
}

/* The evidence, from the client's ACK seg, that the client had the first
 * SYN-ACK before the server sent it again: the sequence-space model marks
 * the copies spurious (a D-SACK of the SYN-ACK's sequence number, RFC 2883
 * 4.1; an echo of the first one's TSval, Eifel, RFC 3522). 0: none. */
static guint8
synack_copy_evidence(const td_stream_t *s, const td_segment_t *seg)
{
    const td_seg_verdict_t *copy = td_seqdir_trouble_of(&s->seq[1 - s->client])->syn_copy;

    if (seg->dir != s->client || !copy)
        return 0;
    return copy->spurious & (TD_SPURIOUS_DSACK | TD_SPURIOUS_EIFEL);
}

static void
handshake_completed(td_stream_t *s, const td_segment_t *seg, td_finding_t **out)
{
    double answered_syn = td_times_at(&s->handshake.syn_times, 0);
    guint n = MIN(s->handshake.syn_count, TD_MAX_SYN_TIMES);

    s->path.established_frame = seg->frame;
    s->path.established_time = seg->time;
    /* The initial RTT is measured from the SYN that the SYN-ACK answered (the
     * last one sent before it), not the first: after a lost SYN the first one
     * would add the retransmission timeout to the RTT. */
    int acked_first = -1, answered = -1;

    for (guint i = 0; i < n; i++) {
        if (td_times_at(&s->handshake.syn_times, i) <= s->path.synack_last_time)
            answered_syn = td_times_at(&s->handshake.syn_times, i);
    }
    /* With timestamps the packets say which SYN-ACK the ACK answers (its
     * TSecr) and which SYN that SYN-ACK answered (the SYN-ACK's TSecr). */
    if (seg->ts_known && seg->tsecr && s->handshake.synack_first_tsval) {
        acked_first = seg->tsecr == s->handshake.synack_first_tsval;
        if (acked_first && (answered = syn_index_of(s, s->handshake.synack_first_tsecr)) >= 0)
            answered_syn = td_times_at(&s->handshake.syn_times, answered);
    }
    if (s->handshake.syn_count > 0) {
        s->path.initial_rtt = seg->time - answered_syn;
        s->path.answered_syn_time = answered_syn;
    }
    if (s->handshake.flags & TD_HSF_SYNACK_SUSPECT) {
        s->handshake.flags &= ~TD_HSF_SYNACK_SUSPECT;
        if (acked_first == 1) {
            /* It was late: the ACK answers the first SYN-ACK. */
            s->handshake.flags &= ~TD_HSF_SYNACK_UNSEEN;
            td_finding_add(s, out, TD_HS_SYN_RETRANSMITTED, seg->frame, "late_synack",
                           s->handshake.syn_count - 1, s->path.initial_rtt, s->handshake.syn_first_frame,
                           LATE_SYNACK_CAUSE,
                           "Slow connect: the client sent its SYN again (frame %u) before the "
                           "SYN-ACK (frame %u) came back; its ACK echoes that SYN-ACK's timestamp, "
                           "so it was late, not lost: a round trip of %s",
                           s->handshake.suspect_frame, s->handshake.synack_first_frame,
                           td_fmt_duration(s->scope, s->path.initial_rtt));
        } else {
            double since = s->handshake.suspect_time - s->path.synack_first_time;
            s->handshake.flags |= TD_HSF_SYNACK_LOST;
            td_finding_add(s, out, TD_HS_SYNACK_LOST, seg->frame, "syn_retransmitted", 1, since,
                           s->handshake.synack_first_frame,
                           wmem_strdup_printf(s->scope, "The SYN-ACK was lost between %s and "
                                              "the client; the connect waits for a "
                                              "retransmission (client SYN timer, server "
                                              "tcp_synack_retries)", here(s)),
                           "SYN-ACK lost: the client sent its SYN again %s after the server's "
                           "SYN-ACK (frame %u) and its ACK answers a later SYN-ACK, so that one "
                           "never reached it", td_fmt_duration(s->scope, since),
                           s->handshake.synack_first_frame);
        }
        return;
    }

    /* After a challenge ACK the client's new SYN is its reaction, not a loss:
     * port_reuse already tells that story. A SYN the timestamps show was
     * answered (the first SYN-ACK answers the first SYN) was sent again only
     * because the answer was late. */
    if (s->handshake.syn_before_synack > 1 && answered == 0) {
        td_finding_add(s, out, TD_HS_SYN_RETRANSMITTED, seg->frame, "late_synack",
                       s->handshake.syn_before_synack - 1, s->path.initial_rtt, s->handshake.syn_first_frame,
                       LATE_SYNACK_CAUSE,
                       "Slow connect: the client sent its SYN again before the SYN-ACK (frame %u) "
                       "came back; that SYN-ACK answers the first SYN (timestamps), so it was "
                       "late, not lost: a round trip of %s", s->handshake.synack_first_frame,
                       td_fmt_duration(s->scope, s->path.initial_rtt));
    } else if (s->handshake.syn_before_synack > 1 && !(s->handshake.flags & TD_HSF_CHALLENGE_ACK)) {
        guint32 retries = s->handshake.syn_before_synack - 1;
        guint nt = MIN(s->handshake.syn_before_synack, TD_MAX_SYN_TIMES);
        double lost = td_times_span(&s->handshake.syn_times, nt);
        td_finding_add(s, out, TD_HS_SYN_RETRANSMITTED, seg->frame, "slow_connect", retries, lost,
                       s->handshake.syn_first_frame,
                       wmem_strdup_printf(s->scope, "The first SYN(s) got no answer: lost on "
                                          "the way to the server (loss, a full SYN queue or a "
                                          "rate-limiting firewall), or the answer was lost "
                                          "before %s", here(s)),
                       "Slow connect: the handshake completed only after %u SYN "
                       "retransmission%s (%s), which cost %s",
                       retries, retries > 1 ? "s" : "",
                       td_times_intervals(s->scope, &s->handshake.syn_times, nt),
                       td_fmt_duration(s->scope, lost));
    }
    if ((s->handshake.flags & TD_HSF_SYNACK_RETX)
        && !(s->handshake.flags & (TD_HSF_SYNACK_LOST | TD_HSF_ACK_LOST))
        && synack_copy_evidence(s, seg)) {
        /* The client got the SYN-ACK twice: its ACK reports the second as
         * a duplicate (D-SACK, RFC 2883 4.1, of the SYN-ACK's sequence
         * number), or echoes the first one's TSval (RFC 7323 4.3: a
         * duplicate does not update TS.Recent). The first SYN-ACK arrived:
         * the server's copies were spurious, and the ACK that answered it
         * did not reach here before the server's SYN-ACK timer fired. */
        gboolean dsack = (synack_copy_evidence(s, seg) & TD_SPURIOUS_DSACK) != 0;
        double since = s->path.synack_last_time - s->path.synack_first_time;
        s->handshake.flags |= TD_HSF_ACK_LOST;
        td_finding_add(s, out, TD_HS_ACK_LOST, seg->frame, dsack ? "dsack" : "eifel",
                       s->handshake.synack_count - 1, since, s->handshake.synack_first_frame,
                       wmem_strdup_printf(s->scope, "The client's ACK of the first SYN-ACK "
                                          "was lost before %s, or came later than the server's "
                                          "SYN-ACK timer (a path slower than 1 s, an ACK held "
                                          "in a queue)", here(s)),
                       "Third ACK lost or late: the server sent its SYN-ACK %u more time%s "
                       "(over %s) though the client had the first (its ACK, frame %u, %s): "
                       "spurious, not lost",
                       s->handshake.synack_count - 1, s->handshake.synack_count > 2 ? "s" : "",
                       td_fmt_duration(s->scope, since), seg->frame,
                       dsack ? "D-SACKs the copy" : "echoes the first's timestamp");
    }
    if ((s->handshake.flags & TD_HSF_SYNACK_RETX)
        && !(s->handshake.flags & (TD_HSF_SYNACK_LOST | TD_HSF_ACK_LOST))) {
        double lost = s->path.synack_last_time - s->path.synack_first_time;
        s->handshake.flags |= TD_HSF_SYNACK_LOST;
        td_finding_add(s, out, TD_HS_SYNACK_LOST, seg->frame, "synack_or_ack", s->handshake.synack_count - 1,
                       lost, s->handshake.synack_first_frame,
                       wmem_strdup_printf(s->scope, "From %s it cannot be told whether the "
                                          "SYN-ACK or the client's ACK to it was lost", here(s)),
                       "The server retransmitted its SYN-ACK %u time%s before the client's ACK "
                       "arrived (cost %s): the SYN-ACK or the ACK was lost",
                       s->handshake.synack_count - 1, s->handshake.synack_count > 2 ? "s" : "",
                       td_fmt_duration(s->scope, lost));
    }
}

static void
handle_ack(td_stream_t *s, const td_segment_t *seg, td_finding_t **out)
{
    const td_side_t *v = SERVER(s);

    if (seg->dir == s->client) {
        /* The client's ACK of the SYN-ACK (pure, or carrying data) completes it. */
        /* Not after a RST answered the SYN-ACK (TD_HSF_INCOMPLETE): that
         * ended the attempt, and an ACK after it (a capture out of order)
         * opens nothing. */
        if (!s->path.established_frame && s->handshake.synack_count > 0 && td_seq_lt(v->isn, seg->ack)
            && !(s->handshake.flags & TD_HSF_INCOMPLETE))
            handshake_completed(s, seg, out);
        return;
    }
    /* An ACK without SYN from the server before any SYN-ACK answers a SYN it
     * cannot accept: the challenge ACK of RFC 5961 section 4 (port reuse). */
    if (s->handshake.syn_count > 0 && s->handshake.synack_count == 0 && seg->len == 0
        && !(s->handshake.flags & TD_HSF_CHALLENGE_ACK)) {
        s->handshake.flags |= TD_HSF_CHALLENGE_ACK | TD_HSF_PORT_REUSE;
        td_finding_add(s, out, TD_HS_PORT_REUSE, seg->frame, "challenge_ack", 0,
                       seg->time - td_times_at(&s->handshake.syn_times, 0), s->handshake.syn_first_frame,
                       "The server still holds an older connection on these ports; the client "
                       "must reset it and retry, which costs at least one SYN timeout",
                       "The server answered the SYN (frame %u) with a challenge ACK (RFC 5961 "
                       "section 4) instead of a SYN-ACK", s->handshake.syn_first_frame);
    }
}

/* Who sent a RST that refused the SYN: its TTL against the server host's
 * (0: no reference). A middlebox that forges the RST sits at another hop
 * count than the server, so its RST arrives with another TTL. */
static const char *
ttl_verdict(td_stream_t *s, guint8 rst_ttl, guint8 known, gboolean later, const char **detail)
{
    *detail = "rst";
    if (!rst_ttl || !known)
        return "no SYN-ACK from the server host came before it in the capture, so whether "
               "the server host or a middlebox sent the RST cannot be told";
    if (rst_ttl == known)
        return wmem_strdup_printf(s->scope, "its TTL (%u) matches the server host's %s: the "
                                  "server host refused (no listener on the port, or a host "
                                  "firewall rejecting with tcp-reset)", rst_ttl,
                                  later ? "SYN-ACKs elsewhere in the capture" : "other packets");
    *detail = "rst_middlebox";
    return wmem_strdup_printf(s->scope, "its TTL is %u while the server host's %s arrive with "
                              "%u: it was likely sent by a middlebox (firewall, load balancer) "
                              "%s the capture point than the server", rst_ttl,
                              later ? "SYN-ACKs elsewhere in the capture" : "other packets",
                              known, rst_ttl > known ? "closer to" : "farther from");
}

static const char *
rejected_message(td_stream_t *s, const char *detail, double after)
{
    return wmem_strdup_printf(s->scope, "Connection refused: the SYN (frame %u) was answered by a "
                              "RST %s later%s%s", s->handshake.syn_first_frame,
                              td_fmt_duration(s->scope, after),
                              s->handshake.syn_count > 1 ? wmem_strdup_printf(s->scope, ", after %u SYNs",
                                                                    s->handshake.syn_count) : "",
                              g_str_equal(detail, "rst_middlebox") ? "; likely sent by a middlebox"
                                                                   : "");
}

static void
handle_rst(td_stream_t *s, const td_segment_t *seg, td_finding_t **out)
{
    if (s->path.established_frame)
        return; /* a reset of an established connection: teardown */
    if (seg->dir != s->client) {
        if (s->handshake.syn_count > 0 && s->handshake.synack_count == 0 && !(s->handshake.flags & TD_HSF_REJECTED)) {
            guint8 known = SERVER(s)->ttl ? SERVER(s)->ttl : seg->host_ttl;
            const char *detail, *why = ttl_verdict(s, seg->ttl, known, FALSE, &detail);
            double after = seg->time - td_times_at(&s->handshake.syn_times, 0);
            s->handshake.flags |= TD_HSF_REJECTED;
            s->handshake.reject_frame = seg->frame;
            /* Without a reference yet, the whole capture may still give one
             * (td_stream_late_host_ttl). */
            s->handshake.reject_ttl = known ? 0 : seg->ttl;
            td_finding_add_message(s, out, TD_HS_REJECTED, seg->frame, detail, s->handshake.syn_count,
                                   after, s->handshake.syn_first_frame, why,
                                   rejected_message(s, detail, after));
        } else if (s->handshake.syn_count > 0 && s->handshake.synack_count > 0
                   && !(s->handshake.flags & TD_HSF_INCOMPLETE)) {
            s->handshake.flags |= TD_HSF_INCOMPLETE;
            td_finding_add(s, out, TD_HS_INCOMPLETE, seg->frame, "server_reset", 0,
                           seg->time - s->path.synack_first_time, s->handshake.synack_first_frame, NULL,
                           "The server reset the connection after its SYN-ACK (frame %u), before "
                           "the client completed the handshake", s->handshake.synack_first_frame);
        }
        return;
    }
    if (s->handshake.synack_count > 0 && !(s->handshake.flags & TD_HSF_INCOMPLETE)) {
        s->handshake.flags |= TD_HSF_INCOMPLETE;
        td_finding_add(s, out, TD_HS_INCOMPLETE, seg->frame, "client_reset", 0,
                       seg->time - s->path.synack_first_time, s->handshake.synack_first_frame,
                       s->handshake.syn_count ? "A half-open port scan (nmap -sS), or the client cancelled "
                                      "the connect"
                                    : "A half-open port scan or a cancelled connect whose SYN "
                                      "the capture missed, or a SYN-ACK to a SYN the client "
                                      "never sent (backscatter of a spoofed SYN)",
                       "The client answered the server's SYN-ACK (frame %u) with a RST instead "
                       "of completing the handshake%s", s->handshake.synack_first_frame,
                       s->handshake.syn_count ? "" : " (no SYN in the capture)");
    } else if (s->handshake.synack_count == 0) {
        s->handshake.flags |= TD_HSF_CLIENT_RESET;
    }
}

void
td_handshake_late_host_ttl(td_stream_t *s, guint8 known)
{
    guint8 rst_ttl = s->handshake.reject_ttl;
    td_finding_t *f;
    const char *detail;

    if (!rst_ttl)
        return;
    s->handshake.reject_ttl = 0; /* once */
    for (f = s->last_finding; f && !(f->code == TD_HS_REJECTED && f->frame == s->handshake.reject_frame);
         f = f->stream_prev)
        ;
    if (!f)
        return;
    if (!known) {
        f->cause = "no SYN-ACK from the server host is in the capture, so whether the server "
                   "host or a middlebox sent the RST cannot be told";
        return;
    }
    f->cause = ttl_verdict(s, rst_ttl, known, TRUE, &detail);
    f->detail = detail;
    f->message = rejected_message(s, detail, f->duration);
}

void
td_handshake_segment(td_stream_t *s, const td_segment_t *seg, td_finding_t **out)
{
    guint16 f = seg->flags;

    if (s->packets == 1 && !(f & TD_SYN)) {
        s->handshake.flags |= TD_HSF_MIDSTREAM;
        td_finding_add(s, out, TD_HS_MIDSTREAM, seg->frame, "no_syn", 0, -1.0, 0,
                       "Cannot tell: the handshake verdict, the initial RTT and the negotiated "
                       "options (MSS, window scale, SACK); the client is guessed from the ports "
                       "(the higher port)",
                       "No SYN in the capture: it started after this connection was opened");
    }
    if ((f & TD_RST))
        handle_rst(s, seg, out);
    else if ((f & (TD_SYN | TD_ACK)) == TD_SYN)
        handle_syn(s, seg, out);
    else if ((f & (TD_SYN | TD_ACK)) == (TD_SYN | TD_ACK))
        handle_synack(s, seg, out);
    else if (f & TD_ACK)
        handle_ack(s, seg, out);
}

static const char *
icmp_kind(const td_icmp_error_t *e)
{
    if (e->ip_version == 6) {
        if (e->type != 1)
            return NULL;
        switch (e->code) {
        case 0: return "ICMPv6 no route to destination";
        case 1: return "ICMPv6 administratively prohibited";
        case 3: return "ICMPv6 address unreachable";
        case 4: return "ICMPv6 port unreachable";
        case 5: return "ICMPv6 source address failed ingress/egress policy";
        case 6: return "ICMPv6 reject route to destination";
        default: return "ICMPv6 destination unreachable";
        }
    }
    if (e->type != 3)
        return NULL;
    switch (e->code) {
    case 0: return "ICMP network unreachable";
    case 1: return "ICMP host unreachable";
    case 2: return "ICMP protocol unreachable";
    case 3: return "ICMP port unreachable";
    case 4: return NULL; /* fragmentation needed: path MTU discovery, not a rejection */
    case 9: case 10: case 13: return "ICMP administratively prohibited";
    default: return "ICMP destination unreachable";
    }
}

void
td_handshake_icmp(td_stream_t *s, const td_icmp_error_t *e, td_finding_t **out)
{
    const char *kind = icmp_kind(e);
    double after;

    if (!kind || s->client < 0 || e->quoted_dir != s->client || s->handshake.syn_count == 0
        || s->handshake.synack_count > 0 || s->path.established_frame || (s->handshake.flags & TD_HSF_REJECTED))
        return;
    if (e->quoted_seq_known ? e->quoted_seq != CLIENT(s)->isn : !(e->quoted_flags & TD_SYN))
        return;
    after = e->time - td_times_at(&s->handshake.syn_times, 0);
    s->handshake.flags |= TD_HSF_REJECTED;
    s->handshake.reject_frame = e->frame;
    td_finding_add(s, out, TD_HS_REJECTED, e->frame, "icmp", s->handshake.syn_count, after,
                   s->handshake.syn_first_frame,
                   e->from_peer_host ? "A firewall REJECT rule on the server host"
                                     : "A firewall REJECT rule or a missing route on a router "
                                       "on the path; the server never saw the SYN",
                   "Connection rejected: the SYN (frame %u) was answered %s later by an %s "
                   "from %s (%s)", s->handshake.syn_first_frame, td_fmt_duration(s->scope, after), kind,
                   e->sender ? e->sender : "?",
                   e->from_peer_host ? "the server host itself" : "not the server");
}

/* The client acknowledged something although nothing came from the server:
 * the capture holds only the client's direction. */
static gboolean
client_only(const td_stream_t *s)
{
    return s->client >= 0 && SERVER(s)->packets == 0 && CLIENT(s)->ack_known;
}

/* The stream shows SYNs only: no SYN-ACK, RST, ICMP, or anything else from the server. */
static gboolean
syn_unanswered(const td_stream_t *s)
{
    return s->client >= 0 && s->handshake.syn_count > 0 && s->handshake.synack_count == 0
           && !(s->handshake.flags & TD_HSF_REJECTED) && SERVER(s)->packets == 0 && !client_only(s);
}

static gboolean
synack_unacked(const td_stream_t *s)
{
    return s->client >= 0 && s->handshake.synack_count > 0 && !s->path.established_frame
           && !(s->handshake.flags & (TD_HSF_REJECTED | TD_HSF_INCOMPLETE)) && s->handshake.syn_count > 0;
}

/* A SYN-ACK (not the first packet) but never the client's SYN: the capture
 * missed the start, or sees one direction only. */
static gboolean
no_client_syn(const td_stream_t *s)
{
    return s->handshake.syn_count == 0 && s->handshake.synack_count > 0 && !(s->handshake.flags & TD_HSF_MIDSTREAM);
}

/* The client's direction only, its SYN answered by a SYN-ACK this capture
 * does not hold (the client acknowledges it). */
static gboolean
one_sided_client(const td_stream_t *s)
{
    return s->handshake.syn_count > 0 && client_only(s) && !(s->handshake.flags & TD_HSF_MIDSTREAM);
}

/* The capture misses the stream's start or a direction (handshake.midstream,
 * found or pending). */
static gboolean
midstream(const td_stream_t *s)
{
    return (s->handshake.flags & TD_HSF_MIDSTREAM) || no_client_syn(s) || one_sided_client(s);
}

gboolean
td_handshake_connected(const td_stream_t *s)
{
    int server = s->client < 0 ? 1 : 1 - s->client;

    return s->path.established_frame
           || (midstream(s)
               && (!s->handshake.synack_count
                   || s->side[server].packets > s->handshake.synack_count))
           || (s->side[0].payload_bytes && s->side[1].payload_bytes);
}

/* The codes td_handshake_finalize() would add if the capture ended now. */
static guint32
pending(const td_stream_t *s)
{
    if (no_client_syn(s) || one_sided_client(s))
        return TD_CODE_BIT(TD_HS_MIDSTREAM);
    if (syn_unanswered(s))
        return TD_CODE_BIT(TD_HS_SYN_UNANSWERED);
    if (synack_unacked(s))
        return TD_CODE_BIT(TD_HS_INCOMPLETE)
               | ((s->handshake.flags & TD_HSF_SYNACK_SUSPECT) ? TD_CODE_BIT(TD_HS_SYNACK_LOST) : 0);
    return 0;
}

void
td_handshake_publish(const td_stream_t *s, td_handshake_part_t *out)
{
    const td_handshake_state_t *h = &s->handshake;
    guint n = MIN(h->syn_count, TD_MAX_SYN_TIMES);

    out->pending = s->finalized ? 0 : pending(s);
    out->connected = td_handshake_connected(s);
    out->established = s->path.established_frame != 0;
    out->rejected = (h->flags & TD_HSF_REJECTED) != 0;
    out->synack_unseen = (h->flags & TD_HSF_SYNACK_UNSEEN) != 0;
    out->client_reset = (h->flags & TD_HSF_CLIENT_RESET) != 0;
    /* The condition itself, not one_sided_client(), which finalize's
     * TD_HSF_MIDSTREAM turns off: the answer must not change when the capture
     * is concluded. */
    out->client_direction_only = h->syn_count > 0 && client_only(s);
    out->syn_count = h->syn_count;
    out->syn_span = n > 1 ? td_times_span(&h->syn_times, n) : 0.0;
    out->synack_count = h->synack_count;
    out->synack_first_frame = h->synack_first_frame;
    out->syn_time = h->syn_count ? h->syn_times.first : -1.0;
    out->established_time = s->path.established_frame ? s->path.established_time : -1.0;
}

void
td_handshake_finalize(td_stream_t *s, double capture_end, td_finding_t **out)
{
    if (one_sided_client(s) || no_client_syn(s)) {
        /* Only the client's direction, or a SYN-ACK without the client's SYN. */
        gboolean client_side = one_sided_client(s);
        s->handshake.flags |= TD_HSF_MIDSTREAM;
        td_finding_add_message(
            s, out, TD_HS_MIDSTREAM, s->last_frame,
            client_side ? "client_direction_only" : "no_client_syn", 0, -1.0,
            client_side ? s->handshake.syn_first_frame : s->handshake.synack_first_frame,
            client_side ? "The capture sees one direction only (asymmetric routing, one fibre of "
                          "a tap); handshake and RTT verdicts cannot be made"
                        : "Cannot tell: the handshake verdict and the initial RTT; the capture "
                          "missed the SYN, or sees only the server's direction",
            client_side ? "Nothing from the server in the capture, yet the client acknowledges "
                          "its packets: only the client's direction was captured"
                        : wmem_strdup_printf(s->scope, "No SYN from the client in the capture, "
                                             "only the server's SYN-ACK (frame %u)",
                                             s->handshake.synack_first_frame));
    } else if (syn_unanswered(s)) {
        guint n = MIN(s->handshake.syn_count, TD_MAX_SYN_TIMES);
        double last = td_times_at(&s->handshake.syn_times, n - 1);
        double span = last - td_times_at(&s->handshake.syn_times, 0);
        double after = capture_end - last;
        const char *ending, *detail;

        if (s->handshake.flags & TD_HSF_CLIENT_RESET) {
            detail = "client_reset";
            ending = "then the client reset the attempt";
        } else if (n >= 2 && after > 2.0 * (td_times_at(&s->handshake.syn_times, n - 1)
                                            - td_times_at(&s->handshake.syn_times, n - 2)) + 1.0) {
            /* The next retry would have come after at most twice the last
             * interval (exponential backoff, RFC 6298 section 5.5). */
            detail = "gave_up";
            ending = wmem_strdup_printf(s->scope, "then the client gave up (no further SYN in "
                                        "the %s until the capture ends)",
                                        td_fmt_duration(s->scope, after));
        } else if (n == 1 && after > 3.5) {
            detail = "no_retry";
            ending = wmem_strdup_printf(s->scope, "and no retransmission in the %s until the "
                                        "capture ends (the client did not retry: a scanner, "
                                        "or an application timeout)",
                                        td_fmt_duration(s->scope, after));
        } else if (after < 0.001) {
            detail = "capture_ended";
            ending = "the capture ends with it, so whether the client retried cannot be told";
        } else {
            detail = "capture_ended";
            ending = wmem_strdup_printf(s->scope, "the capture ends %s after the last SYN, "
                                        "so the client may still be retrying",
                                        td_fmt_duration(s->scope, after));
        }
        td_finding_add(s, out, TD_HS_SYN_UNANSWERED, s->last_frame, detail, s->handshake.syn_count - 1,
                       span, s->handshake.syn_first_frame,
                       "No SYN-ACK, RST or ICMP came back: the server is down or unreachable, or "
                       "a firewall silently drops the SYN",
                       "SYN never answered: %u SYN%s%s%s%s; %s",
                       s->handshake.syn_count, s->handshake.syn_count > 1 ? "s over " : "",
                       s->handshake.syn_count > 1 ? td_fmt_duration(s->scope, span) : "",
                       n > 1 ? ", retransmitted at " : "",
                       n > 1 ? td_times_intervals(s->scope, &s->handshake.syn_times, n) : "", ending);
    } else if (synack_unacked(s)) {
        double after = capture_end - s->path.synack_last_time;
        if (s->handshake.flags & TD_HSF_SYNACK_SUSPECT) {
            /* no ACK ever came: the SYN-ACKs never reached the client */
            s->handshake.flags = (s->handshake.flags & ~TD_HSF_SYNACK_SUSPECT) | TD_HSF_SYNACK_LOST;
            td_finding_add(s, out, TD_HS_SYNACK_LOST, s->last_frame, "syn_retransmitted",
                           s->handshake.synack_count, s->handshake.suspect_time - s->path.synack_first_time,
                           s->handshake.synack_first_frame,
                           wmem_strdup_printf(s->scope, "The SYN-ACKs were lost between %s "
                                              "and the client", here(s)),
                           "SYN-ACK lost: the client kept sending its SYN after the server's "
                           "SYN-ACK (frame %u), and never acknowledged any of the %u SYN-ACKs",
                           s->handshake.synack_first_frame, s->handshake.synack_count);
        }
        s->handshake.flags |= TD_HSF_INCOMPLETE;
        td_finding_add(s, out, TD_HS_INCOMPLETE, s->last_frame, "no_ack", s->handshake.synack_count - 1,
                       capture_end - s->path.synack_first_time, s->handshake.synack_first_frame,
                       wmem_strdup_printf(s->scope, "The client vanished, or its ACK was "
                                          "dropped before %s; the server holds the connection "
                                          "in SYN_RECV (tcp_synack_retries)", here(s)),
                       "Handshake incomplete: the server answered with a SYN-ACK (frame %u%s) "
                       "but no ACK from the client follows (%s until the capture ends)",
                       s->handshake.synack_first_frame,
                       s->handshake.synack_count > 1 ? wmem_strdup_printf(s->scope, ", sent %u times",
                                                                s->handshake.synack_count) : "",
                       td_fmt_duration(s->scope, after));
    }
}
