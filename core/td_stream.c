/* td_stream.c
 * Per-stream state: roles, Zeek's endpoint state machine, the history string
 * and conn_state, and the dispatch of each segment to the diagnosers.
 *
 * The endpoint states, history letters and conn_state follow Zeek exactly
 * (zeek/zeek src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc and
 * scripts/base/protocols/conn/main.zeek), because conn_state is the most
 * widely understood per-connection taxonomy and users compare the two.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "tcpdiag_core.h"
#include "td_finding.h"
#include "td_handshake.h"
#include "td_teardown.h"
#include "td_stall.h"
#include "td_seqspace.h"
#include "td_summary.h"

/* td_side_t.history_seen: one bit per letter kind (Zeek's CheckHistory masks). */
#define HIST_SYN   0x01 /* S or H */
#define HIST_FIN   0x02
#define HIST_RST   0x04
#define HIST_MULTI 0x08 /* I or Q */
#define HIST_DATA  0x10
#define HIST_ACK   0x20

void
td_config_default(td_config_t *cfg)
{
    cfg->min_rto = 0.2;
    cfg->idle_reset = 1.0;
    cfg->delayed_ack_min = 0.030;
    cfg->window_full_min = 0.010;
    cfg->time_wait = 60.0;
    cfg->mss_low = 1220;
    cfg->late_close = 1.0;
}

td_stream_t *
td_stream_new(wmem_allocator_t *scope, const td_config_t *cfg, guint32 index, td_stream_t *prev)
{
    td_stream_t *s = wmem_new0(scope, td_stream_t);

    s->scope = scope;
    s->cfg = cfg;
    s->index = index;
    s->prev_same_tuple = prev;
    s->client = -1;
    s->initial_rtt = -1.0;
    s->side[0].wscale = s->side[1].wscale = TD_NO_WSCALE;
    s->side[0].rwnd = s->side[1].rwnd = -1;
    s->worst_stall = TD_CODE_NONE;
    s->version = 1;
    s->seq[0].scope = s->seq[1].scope = scope;
    return s;
}

gboolean
td_stream_is_new_connection(const td_stream_t *prev, const td_segment_t *seg)
{
    const td_side_t *me = &prev->side[seg->dir];

    return (seg->flags & (TD_SYN | TD_ACK | TD_RST)) == TD_SYN && me->seq_known
           && seg->seq != me->base_seq;
}

static void
history_add(td_stream_t *s, guint8 dir, char letter)
{
    if ((size_t)s->history_len + 1 >= sizeof(s->history))
        return;
    /* Upper case: the originator (client); lower case: the responder. */
    s->history[s->history_len++] = (s->client < 0 || dir == s->client) ? letter
                                   : (char)(letter - 'A' + 'a');
    s->history[s->history_len] = '\0';
}

static void
history_once(td_stream_t *s, guint8 dir, guint16 kind, char letter)
{
    if (s->side[dir].history_seen & kind)
        return;
    s->side[dir].history_seen |= kind;
    history_add(s, dir, letter);
}

/* Zeek logs T and W at the 1st, 10th, 100th ... occurrence per direction. */
static void
history_scaled(td_stream_t *s, guint8 dir, guint32 count, char letter)
{
    guint32 threshold = 1;

    while (threshold < count && threshold <= G_MAXUINT32 / 10)
        threshold *= 10;
    if (threshold == count)
        history_add(s, dir, letter);
}

static void
update_history(td_stream_t *s, const td_segment_t *seg)
{
    guint16 f = seg->flags;
    int bits = !!(f & TD_SYN) + !!(f & TD_FIN) + !!(f & TD_RST);

    if (bits > 1) {
        history_once(s, seg->dir, HIST_MULTI, (f & TD_FIN) && (f & TD_RST) ? 'I' : 'Q');
    } else if (f & TD_SYN) {
        history_once(s, seg->dir, HIST_SYN, (f & TD_ACK) ? 'H' : 'S');
    } else if (f & TD_FIN) {
        history_once(s, seg->dir, HIST_FIN, 'F');
    } else if (f & TD_RST) {
        history_once(s, seg->dir, HIST_RST, 'R');
    } else if (seg->len > 0) {
        history_once(s, seg->dir, HIST_DATA, 'D');
    } else if (f & TD_ACK) {
        history_once(s, seg->dir, HIST_ACK, 'A');
    }
}

/* Track the highest sequence number each side sent, for the handshake and
 * teardown; payload that does not advance it is Zeek's history letter 'T'
 * (keep-alives count there too, as in Zeek's conn.log). The data-phase
 * detectors read the sequence-space model instead (td_seqspace.c). */
static void
update_sequence(td_stream_t *s, const td_segment_t *seg)
{
    td_side_t *me = &s->side[seg->dir];
    guint32 end;

    if (seg->flags & TD_RST)
        return;
    end = seg->seq + seg->len + !!(seg->flags & TD_SYN) + !!(seg->flags & TD_FIN);
    if (!me->seq_known) {
        me->nxt = end;
        me->seq_known = TRUE;
        /* The ISN: the SYN's sequence number, or the one before the first
         * byte seen when the capture starts after the SYN. */
        me->base_seq = (seg->flags & TD_SYN) ? seg->seq : seg->seq - 1;
    } else if (td_seq_lt(me->nxt, end)) {
        me->nxt = end;
    } else if (seg->len > 0) {
        me->retransmissions++;
        history_scaled(s, seg->dir, me->retransmissions, 'T');
    }
}

/* Zeek's endpoint state machine (TCPSessionAdapter::UpdateStateMachine). */
static void
update_endpoint_states(td_stream_t *s, const td_segment_t *seg)
{
    guint8 dir = seg->dir;
    td_side_t *me = &s->side[dir], *peer = &s->side[1 - dir];
    gboolean is_orig = (s->client < 0) || dir == s->client;
    guint16 f = seg->flags;

    switch (me->state) {
    case TD_EP_INACTIVE:
        if (f & TD_SYN) {
            if (is_orig) {
                me->state = (f & TD_ACK) ? TD_EP_SYN_ACK_SENT : TD_EP_SYN_SENT;
            } else {
                if (peer->state == TD_EP_SYN_SENT || peer->state == TD_EP_SYN_ACK_SENT)
                    peer->state = TD_EP_ESTABLISHED;
                me->state = TD_EP_ESTABLISHED;
            }
        }
        if (f & TD_FIN)
            me->state = TD_EP_CLOSED;
        if (f & TD_RST)
            me->state = TD_EP_RESET;
        if (!(f & (TD_SYN | TD_FIN | TD_RST))) {
            if (!is_orig && seg->len == 0 && peer->state == TD_EP_SYN_SENT)
                ; /* Zeek's "eccentric ACK": stays inactive */
            else if ((f & TD_ACK) && peer->state == TD_EP_ESTABLISHED)
                me->state = TD_EP_ESTABLISHED;
            else
                me->state = TD_EP_PARTIAL;
        }
        break;
    case TD_EP_SYN_SENT:
    case TD_EP_SYN_ACK_SENT:
        if (f & TD_FIN)
            me->state = TD_EP_CLOSED;
        if (f & TD_RST)
            me->state = TD_EP_RESET;
        break;
    case TD_EP_PARTIAL:
    case TD_EP_ESTABLISHED:
        if ((f & TD_SYN) && !(f & TD_ACK) && me->state == TD_EP_PARTIAL
            && peer->state == TD_EP_INACTIVE)
            me->state = TD_EP_SYN_SENT;
        if ((f & TD_FIN) && !(f & TD_RST))
            me->state = TD_EP_CLOSED;
        if (f & TD_RST)
            me->state = TD_EP_RESET;
        break;
    case TD_EP_CLOSED:
        if ((f & TD_RST) && peer->state != TD_EP_CLOSED)
            me->state = TD_EP_RESET;
        break;
    case TD_EP_RESET:
        break;
    }
}

/* Roles: the sender of a SYN is the client; the receiver of a SYN-ACK is.
 * Without either (midstream), the side with the lower port is taken as the
 * server, as Zeek's likely_server_ports heuristic does; equal ports leave the
 * first sender as the client. */
static void
assign_roles(td_stream_t *s, const td_segment_t *seg)
{
    gboolean synack = (seg->flags & (TD_SYN | TD_ACK | TD_RST)) == (TD_SYN | TD_ACK);
    gboolean midstream_from_server = !(seg->flags & TD_SYN) && seg->sport < seg->dport;

    if (synack || midstream_from_server) {
        s->client = (gint8)(1 - seg->dir);
        s->history[0] = '^';
        s->history[1] = '\0';
        s->history_len = 1;
    } else {
        s->client = (gint8)seg->dir;
    }
}

td_finding_t *
td_stream_segment(td_stream_t *s, const td_segment_t *seg)
{
    td_finding_t *out = NULL;
    td_side_t *me;

    if (seg->dir > 1)
        return NULL;
    td_stream_thaw(s);
    s->version++;
    me = &s->side[seg->dir];
    if (s->packets == 0)
        assign_roles(s, seg);
    s->packets++;
    s->last_frame = seg->frame;
    if (seg->time > s->last_time)
        s->last_time = seg->time;
    td_stream_clock(s, seg->time);
    if (seg->ip_version)
        s->ip_version = seg->ip_version;
    me->packets++;
    me->payload_bytes += seg->len;
    if (seg->ttl && !(seg->flags & TD_RST))
        me->ttl = seg->ttl;

    update_history(s, seg);
    if (seg->win == 0 && !(seg->flags & TD_RST) && s->side[1 - seg->dir].state != TD_EP_CLOSED
        && me->state != TD_EP_RESET) {
        me->zero_windows++;
        history_scaled(s, seg->dir, me->zero_windows, 'W');
    }
    update_sequence(s, seg);
    td_seqspace_segment(s, seg, &out);
    td_handshake_segment(s, seg, &out);
    td_stall_segment(s, seg, &out);
    td_teardown_segment(s, seg, &out);
    update_endpoint_states(s, seg);
    s->version++; /* again: a detector may have read the verdict meanwhile */
    return out;
}

void
td_stream_clock(td_stream_t *s, double now)
{
    if (now > s->clock) {
        td_stream_thaw(s);
        s->clock = now;
        s->version++;
    }
}

void
td_stream_late_host_ttl(td_stream_t *s, guint8 ttl)
{
    td_stream_thaw(s);
    td_handshake_late_host_ttl(s, ttl);
    s->version++;
}

double
td_stream_deadline(const td_stream_t *s)
{
    return td_teardown_deadline(s);
}

td_finding_t *
td_stream_icmp_error(td_stream_t *s, const td_icmp_error_t *icmp)
{
    td_finding_t *out = NULL;

    if (s->packets == 0)
        return NULL;
    td_stream_thaw(s);
    s->version++;
    /* An ICMP error that came before its stream (a capture out of order) is
     * fed after the stream's first segment: the last frame stays that one's,
     * where the conclusions go (the ICMP's own frame has no stream). */
    if (icmp->frame > s->last_frame)
        s->last_frame = icmp->frame;
    if (icmp->time > s->last_time)
        s->last_time = icmp->time;
    td_handshake_icmp(s, icmp, &out);
    td_seqspace_icmp(s, icmp);
    s->version++;
    return out;
}

/* Every field td_stream_finalize() and the detectors' finalize functions
 * write, so that td_stream_thaw() can restore them. tests/unit/test_core.c
 * finalizes and thaws every stream it builds and compares the whole
 * td_stream_t, so a field written there and missing here fails the tests. */
typedef struct td_prefinal {
    guint32       hs_flags, codes, stalls;
    td_finding_t *last_finding, *last_segment_finding;
    double        stall_time, stall_counted_until, worst_stall_time;
    td_code_t     worst_stall;
    guint32       zw_frame[2];
    guint8        rto_open[2], ka_reported[2];
} td_prefinal_t;

/* Save those fields into p (save), or put them back from p: one list. */
static void
prefinal_keep(td_stream_t *s, td_prefinal_t *p, gboolean save)
{
#define KEEP(field, kept) do { if (save) (kept) = (field); else (field) = (kept); } while (0)
    KEEP(s->hs_flags, p->hs_flags);
    KEEP(s->codes, p->codes);
    KEEP(s->stalls, p->stalls);
    KEEP(s->last_finding, p->last_finding);
    KEEP(s->last_segment_finding, p->last_segment_finding);
    KEEP(s->stall_time, p->stall_time);
    KEEP(s->stall_counted_until, p->stall_counted_until);
    KEEP(s->worst_stall_time, p->worst_stall_time);
    KEEP(s->worst_stall, p->worst_stall);
    for (int d = 0; d < 2; d++) {
        /* Parts allocated on first use: none is allocated while a stream
         * is finalized, so a part absent when saved is absent when put back
         * (and a finalize writes nothing in it). */
        td_side_stall_t *st = s->side[d].stall;
        td_seqdir_trouble_t *t = s->seq[d].trouble;

        if (st)
            KEEP(st->zw_frame, p->zw_frame[d]);
        if (t) {
            KEEP(t->rto_open, p->rto_open[d]);
            KEEP(t->ka_reported, p->ka_reported[d]);
        }
    }
#undef KEEP
}

td_finding_t *
td_stream_finalize(td_stream_t *s, double capture_end)
{
    return td_stream_finalize_in(s, capture_end, NULL);
}

td_finding_t *
td_stream_finalize_in(td_stream_t *s, double capture_end, wmem_allocator_t *scope)
{
    td_finding_t *out = NULL;
    wmem_allocator_t *own = s->scope;

    if (s->finalized)
        return NULL;
    /* The clock first: it is not undone (the capture's time only moves on,
     * and it moves as far in a single pass). */
    td_stream_clock(s, capture_end);
    if (!s->prefinal)
        s->prefinal = wmem_new(s->scope, td_prefinal_t);
    prefinal_keep(s, s->prefinal, TRUE);
    s->finalized = TRUE;
    s->version++;
    s->last_segment_finding = s->last_finding;
    /* The conclusions, and nothing else, are allocated while the finalize
     * functions run: they may go to a scope of their own (the stream keeps
     * no pointer into it once thawed). */
    if (scope)
        s->scope = scope;
    td_handshake_finalize(s, capture_end, &out);
    td_teardown_finalize(s, capture_end, &out);
    td_stall_finalize(s, &out);
    td_seqspace_finalize(s, capture_end, &out);
    s->scope = own;
    s->version++;
    return out;
}

void
td_stream_thaw(td_stream_t *s)
{
    if (!s->finalized)
        return;
    s->finalized = FALSE;
    prefinal_keep(s, s->prefinal, FALSE);
    s->version++;
}

const char *
td_stream_conn_state(const td_stream_t *s)
{
    td_ep_state_t os, rs;
    gboolean o_inactive, r_inactive;

    if (s->client < 0)
        return "OTH";
    os = s->side[s->client].state;
    rs = s->side[1 - s->client].state;
    /* A SYN rejected by an ICMP error: Zeek would say S0 because it does not
     * tie the ICMP to the connection; the meaning of REJ is what happened. */
    if ((s->hs_flags & TD_HSF_REJECTED) && os == TD_EP_SYN_SENT && rs == TD_EP_INACTIVE)
        return "REJ";
    o_inactive = os == TD_EP_INACTIVE || os == TD_EP_PARTIAL;
    r_inactive = rs == TD_EP_INACTIVE || rs == TD_EP_PARTIAL;

    if (rs == TD_EP_RESET) {
        if (os == TD_EP_SYN_SENT || os == TD_EP_SYN_ACK_SENT
            || (os == TD_EP_RESET && s->side[0].payload_bytes == 0
                && s->side[1].payload_bytes == 0))
            return "REJ";
        return o_inactive ? "RSTRH" : "RSTR";
    }
    if (os == TD_EP_RESET) {
        if (r_inactive) {
            /* Zeek: history matches /^\^?S[^HAFGIQ]*R.*$/ */
            const char *h = s->history;
            if (*h == '^')
                h++;
            if (*h == 'S') {
                for (h++; *h && !strchr("HAFGIQ", *h); h++) {
                    if (*h == 'R')
                        return "RSTOS0";
                }
            }
            return "OTH";
        }
        return "RSTO";
    }
    if (rs == TD_EP_CLOSED && os == TD_EP_CLOSED)
        return "SF";
    if (os == TD_EP_CLOSED)
        return r_inactive ? "SH" : "S2";
    if (rs == TD_EP_CLOSED)
        return o_inactive ? "SHR" : "S3";
    if (os == TD_EP_SYN_SENT && rs == TD_EP_INACTIVE)
        return "S0";
    if (os == TD_EP_ESTABLISHED && rs == TD_EP_ESTABLISHED)
        return "S1";
    return "OTH";
}

double
td_stream_rtt_to(const td_stream_t *s, guint8 dir)
{
    double to_client;

    if (!s->established_frame || s->client < 0 || s->initial_rtt < 0.0)
        return -1.0;
    to_client = s->established_time - s->synack_last_time;
    if (to_client < 0.0)
        to_client = 0.0;
    if (dir == s->client)
        return to_client;
    /* To the server: SYN -> its first SYN-ACK. The rest of the initial RTT
     * also holds the SYN-ACK's retransmission timeout when one was lost. */
    if (s->synack_first_time >= s->answered_syn_time)
        return MIN(s->synack_first_time - s->answered_syn_time, s->initial_rtt);
    return MAX(s->initial_rtt - to_client, 0.0);
}

/* A side holding less than this share of the round trip is "next to" the
 * capture point: a host's own stack and NIC take tens of microseconds, a
 * LAN hop a few hundred, against the milliseconds of a path. */
#define VANTAGE_NEAR 0.10
/* Round trips shorter than this (a loopback, one switch) cannot be split:
 * timer and scheduling noise is of the same size. */
#define VANTAGE_MIN_RTT 0.0002

td_vantage_t
td_stream_vantage(const td_stream_t *s, guint *client_share)
{
    double to_client = -1.0, to_server = -1.0, share;

    *client_share = 0;
    if (s->client < 0)
        return TD_VANTAGE_UNKNOWN;
    if (s->established_frame) {
        to_client = td_stream_rtt_to(s, (guint8)s->client);
        to_server = td_stream_rtt_to(s, (guint8)(1 - s->client));
    } else if (s->seq[s->client].rtt_samples && s->seq[1 - s->client].rtt_samples) {
        /* the server's data is acknowledged from the client's side, and so on */
        to_client = s->seq[1 - s->client].rtt_min;
        to_server = s->seq[s->client].rtt_min;
    }
    if (to_client < 0.0 || to_server < 0.0 || to_client + to_server < VANTAGE_MIN_RTT)
        return TD_VANTAGE_UNKNOWN;
    share = to_client / (to_client + to_server);
    *client_share = (guint)(100.0 * share + 0.5);
    if (share < VANTAGE_NEAR)
        return TD_VANTAGE_CLIENT;
    if (share > 1.0 - VANTAGE_NEAR)
        return TD_VANTAGE_SERVER;
    return TD_VANTAGE_IN_PATH;
}

const char *
td_vantage_words(td_stream_t *s)
{
    guint share;

    switch (td_stream_vantage(s, &share)) {
    case TD_VANTAGE_CLIENT:  return " (near the client)";
    case TD_VANTAGE_SERVER:  return " (near the server)";
    case TD_VANTAGE_IN_PATH:
        return wmem_strdup_printf(s->scope, " (in the path, %u%% of the RTT client-side)", share);
    default:                 return "";
    }
}

const char *
td_vantage_name(td_vantage_t v)
{
    switch (v) {
    case TD_VANTAGE_CLIENT:  return "client";
    case TD_VANTAGE_SERVER:  return "server";
    case TD_VANTAGE_IN_PATH: return "in_path";
    default:                 return "unknown";
    }
}

/* The cache is not part of the stream's state: a const stream computes its
 * snapshot in place. */
const td_snapshot_t *
td_stream_snapshot(const td_stream_t *cs)
{
    td_stream_t *s = (td_stream_t *)cs;
    td_snapshot_t *v = &s->snap;

    if (v->version == s->version)
        return v;
    v->version = s->version;
    v->stalls = s->stalls;
    v->stall_time = s->stall_time;
    v->worst_stall = s->worst_stall;
    v->worst_stall_time = s->worst_stall_time;
    v->codes = s->codes;
    if (!s->finalized)
        v->codes |= td_handshake_pending(s) | td_teardown_pending(s)
                    | td_stall_pending(s, &v->stalls, &v->stall_time, &v->worst_stall,
                                       &v->worst_stall_time)
                    | td_seqspace_pending(s);
    v->handshake = td_handshake_code(s, v->codes);
    v->teardown = td_teardown_code(v->codes);
    v->severity = td_summary_rank(s, v, &v->headline);
    return v;
}

td_code_t
td_stream_handshake(const td_stream_t *s)
{
    return td_stream_snapshot(s)->handshake;
}

td_code_t
td_stream_teardown(const td_stream_t *s)
{
    return td_stream_snapshot(s)->teardown;
}

void
td_stream_stalls(const td_stream_t *s, guint32 *count, double *total, td_code_t *worst,
                 double *worst_time)
{
    const td_snapshot_t *v = td_stream_snapshot(s);

    *count = v->stalls;
    *total = v->stall_time;
    *worst = v->worst_stall;
    *worst_time = v->worst_stall_time;
}

guint32
td_stream_codes(const td_stream_t *s)
{
    return td_stream_snapshot(s)->codes;
}

char *
td_stream_diagnoses(wmem_allocator_t *scope, const td_stream_t *s)
{
    guint32 codes = td_stream_codes(s);
    wmem_strbuf_t *buf = wmem_strbuf_new(scope, "");

    for (int c = 0; c < TD_CODE_COUNT; c++) {
        if (codes & TD_CODE_BIT(c)) {
            if (wmem_strbuf_get_len(buf))
                wmem_strbuf_append_c(buf, ',');
            wmem_strbuf_append(buf, td_code_info((td_code_t)c)->name);
        }
    }
    return wmem_strbuf_finalize(buf);
}
