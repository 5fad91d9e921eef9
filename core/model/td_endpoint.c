/* td_endpoint.c
 * The endpoint model (td_endpoint.h): roles, Zeek's endpoint state machine,
 * the history string and conn_state, and each side's facts.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "model/td_endpoint.h"

/* td_side_t.history_seen: one bit per letter kind (Zeek's CheckHistory masks). */
#define HIST_SYN   0x01 /* S or H */
#define HIST_FIN   0x02
#define HIST_RST   0x04
#define HIST_MULTI 0x08 /* I or Q */
#define HIST_DATA  0x10
#define HIST_ACK   0x20

gboolean
td_endpoint_opens_connection(const td_stream_t *prev, const td_segment_t *seg)
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

/* The options of a side's SYN or SYN-ACK: what the handshake negotiated. */
static void
record_options(td_side_t *side, const td_segment_t *seg)
{
    side->mss = seg->mss;
    /* RFC 7323 section 2.3: a shift above 14 is used as 14. Anything the
     * glue or a damaged capture hands in stays a valid shift count. */
    side->wscale = seg->wscale < 0 ? TD_NO_WSCALE : MIN(seg->wscale, TD_MAX_WSCALE);
    side->opts = seg->opts;
    side->isn = seg->seq;
    side->syn_seen = TRUE;
}

/* The window side d advertises is the one its peer may fill. Window scaling
 * applies only when both SYNs carried it (RFC 7323 section 2.2) and never to
 * the SYNs themselves; without the handshake the scale is unknown. */
static void
update_window(td_stream_t *s, guint8 d, const td_segment_t *seg)
{
    td_side_t *me = &s->side[d], *peer = &s->side[1 - d];
    int shift;

    if (seg->flags & TD_SYN) {
        peer->rwnd = seg->win;
        return;
    }
    if (!me->syn_seen || !peer->syn_seen) {
        peer->rwnd = seg->win == 0 ? 0 : -1;
    } else {
        shift = (me->wscale != TD_NO_WSCALE && peer->wscale != TD_NO_WSCALE) ? me->wscale : 0;
        peer->rwnd = (gint64)seg->win << MIN(shift, 14);
    }
}

/* The silences the connection lived through (td_stream_t quiet_survived):
 * a gap counts once the other side answers the packet that ended it. */
static void
update_quiet(td_stream_t *s, const td_segment_t *seg)
{
    float gap = s->packets ? (float)(seg->time - s->last_time) : 0.0f;

    if (seg->flags & TD_RST) {
        s->quiet_pending = 0.0f; /* answered with a RST: not lived through */
        return;
    }
    if (s->quiet_pending > 0.0f && seg->dir != s->quiet_dir) {
        s->quiet_survived = MAX(s->quiet_survived, s->quiet_pending);
        s->quiet_pending = 0.0f;
    }
    if (gap > s->quiet_pending) {
        s->quiet_pending = gap;
        s->quiet_dir = (gint8)seg->dir;
    }
}

void
td_endpoint_segment(td_stream_t *s, const td_segment_t *seg)
{
    td_side_t *me = &s->side[seg->dir];
    guint16 f = seg->flags;

    if (s->packets == 0) {
        assign_roles(s, seg);
        s->first_time = seg->time;
    }
    update_quiet(s, seg);
    s->packets++;
    s->last_frame = seg->frame;
    if (seg->time > s->last_time)
        s->last_time = seg->time;
    if (seg->ip_version)
        s->ip_version = seg->ip_version;
    me->packets++;
    me->payload_bytes += seg->len;
    if (seg->ttl && !(f & TD_RST))
        me->ttl = seg->ttl;

    update_history(s, seg);
    if (seg->win == 0 && !(f & TD_RST) && s->side[1 - seg->dir].state != TD_EP_CLOSED
        && me->state != TD_EP_RESET) {
        me->zero_windows++;
        history_scaled(s, seg->dir, me->zero_windows, 'W');
    }
    update_sequence(s, seg);
    if (f & TD_RST) {
        me->rst_count++;
        return;
    }
    /* The client's first SYN and the server's first SYN-ACK (not a
     * simultaneous open's). */
    if ((f & TD_SYN) && !me->syn_seen && (seg->dir == s->client) == !(f & TD_ACK))
        record_options(me, seg);
    if ((f & TD_ACK) && (!me->ack_known || td_seq_lt(me->ack_max, seg->ack))) {
        me->ack_max = seg->ack;
        me->ack_known = TRUE;
    }
    update_window(s, seg->dir, seg);
}

void
td_endpoint_segment_done(td_stream_t *s, const td_segment_t *seg)
{
    td_side_t *me = &s->side[seg->dir];

    me->last_time = seg->time;
    me->last_frame_seen = seg->frame;
    if (seg->len) {
        me->last_data_time = seg->time;
        me->last_data_frame = seg->frame;
    }
    update_endpoint_states(s, seg);
}

void
td_endpoint_fin_unseen(td_side_t *side)
{
    side->nxt++;
    /* conn_state (Zeek's endpoint states) follows: the side closed. */
    if (side->state == TD_EP_ESTABLISHED || side->state == TD_EP_PARTIAL)
        side->state = TD_EP_CLOSED;
}

const char *
td_endpoint_conn_state(const td_stream_t *s)
{
    td_ep_state_t os, rs;
    gboolean o_inactive, r_inactive;

    if (s->client < 0)
        return "OTH";
    os = s->side[s->client].state;
    rs = s->side[1 - s->client].state;
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
