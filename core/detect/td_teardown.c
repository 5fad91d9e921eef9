/* td_teardown.c
 * Teardown diagnosis: every teardown.* code of DIAGNOSES.md.
 *
 * Verdicts that only the end of the capture proves (half-closed, abandoned,
 * FIN never acknowledged, still open) are judged "as if the capture ended
 * now" and need no threshold on the time to the end of the capture, so the
 * code is the same in single pass and in two passes; only the durations in
 * the messages, written when the capture is finalized, use its end.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "detect/td_teardown.h"
#include "model/td_endpoint.h"
#include "model/td_finding.h"
#include "model/td_seqspace.h"

/* A retransmission chain this long, unanswered, is a dead peer or path:
 * three retransmissions show the backoff (RFC 6298 section 5.5). */
#define ABANDON_MIN_RETRIES 3


/* Bytes of a side's data the peer has not acknowledged (its FIN excluded). */
static guint32
unacked(const td_side_t *me, const td_side_t *peer, guint32 peer_ack)
{
    gint32 out;

    if (!me->seq_known || !peer->ack_known)
        return 0;
    out = (gint32)(me->nxt - peer_ack);
    if (me->fin_count && out > 0)
        out--;
    /* No more than the side was seen to send: an ACK from before the
     * capture's view of the stream (a damaged or merged capture) says
     * nothing about bytes it never showed. */
    return out > 0 ? (guint32)MIN((guint64)out, me->payload_bytes) : 0;
}

/* "(frame N)" for a side's first FIN, or where it shows when the capture
 * missed it (infer_peer_fin). */
static const char *
fin_where(td_stream_t *s, const td_side_t *side)
{
    if (side->fin_first_frame)
        return wmem_strdup_printf(s->scope, "(frame %u)", side->fin_first_frame);
    return "(not in the capture; the peer's ACK shows it)";
}

static void
reset_finding(td_stream_t *s, const td_segment_t *seg, double idle, td_finding_t **out)
{
    guint8 d = seg->dir;
    td_side_t *me = &s->side[d], *peer = &s->side[1 - d];
    const char *who = td_side_name(s, d), *other = td_side_name(s, (1 - d));
    guint32 my_ack = me->ack_max;
    guint32 own_out, peer_out;
    const char *detail, *cause;
    char *what;
    gboolean middlebox = seg->ttl && me->ttl && seg->ttl != me->ttl;
    gboolean late = FALSE;
    const td_seqdir_trouble_t *trouble = td_seqdir_trouble_of(&s->seq[d]);

    if ((seg->flags & TD_ACK) && (!me->ack_known || td_seq_lt(me->ack_max, seg->ack)))
        my_ack = seg->ack;
    own_out = unacked(me, peer, peer->ack_max);
    peer_out = (peer->seq_known && ((seg->flags & TD_ACK) || me->ack_known))
               ? unacked(peer, me, my_ack) : 0;
    s->teardown.flags |= TD_TDF_RESET;
    s->teardown.rst_time = seg->time;
    s->teardown.rst_dir = d;
    /* The silence the last packet before it broke: a middlebox that dropped
     * the connection's state at its idle timer resets the first packet that
     * comes after it (the host rollup compares these, detect/td_hosts) */
    s->teardown.rst_quiet = me->last_time > 0 && peer->last_time > 0
                            ? ABS(peer->last_time - me->last_time) : 0.0;

    if (me->fin_count) {
        /* A side that closed: the peer's data arriving after close() draws
         * the RST (orphaned socket, or no socket left at all). */
        detail = "after_fin";
        what = wmem_strdup_printf(s->scope, "after its own FIN %s%s", fin_where(s, me),
                                  peer->last_data_time > td_times_at(&me->fin_times, 0)
                                      ? ", as the peer's data kept arriving" : "");
        cause = "Its application had closed the socket: data arriving after close() draws a RST "
                "(the peer kept sending), or it aborted with SO_LINGER 0 after shutdown()";
    } else if (peer->fin_count && !own_out && !peer_out) {
        /* The peer had closed and everything was delivered both ways: the
         * RST only ends the connection (an abortive close, SO_LINGER 0),
         * at once or late. Windows/AD LDAP answers the FIN after an unbind
         * so; it is no failure. */
        double delay = seg->time - MAX(td_times_at(&peer->fin_times, 0), me->last_data_time);
        late = delay >= s->cfg->late_close;
        detail = late ? "late_close" : "after_peer_fin";
        what = wmem_strdup_printf(s->scope, "%s after the %s's FIN %s and its own last "
                                  "data, all delivered: %s", td_fmt_duration(s->scope, delay),
                                  other, fin_where(s, peer),
                                  late ? "a late close, by abort" : "an abortive close");
        cause = late ? "Its application held the socket after the peer closed (CLOSE_WAIT that "
                       "long), then closed it with SO_LINGER 0 or exited"
                     : "Its application closes with SO_LINGER 0 (an abortive close) once the "
                       "peer has closed; harmless when all data was delivered";
    } else if (!(seg->flags & TD_ACK) && peer->last_data_frame
               && peer->last_data_time >= me->last_time) {
        detail = "half_open";
        what = wmem_strdup_printf(s->scope, "in answer to the %s's data (frame %u): it no longer "
                                  "knows the connection (half-open)", other, peer->last_data_frame);
        cause = "This side lost the connection (restart, crash, or a NAT or firewall state "
                "timeout) while its peer kept it; the peer's next data drew the RST";
    } else if (trouble->chain_count >= ABANDON_MIN_RETRIES
               && peer->packets == trouble->chain_peer_packets) {
        detail = "gave_up";
        what = wmem_strdup_printf(s->scope, "after %u unanswered retransmissions: it gave up",
                                  trouble->chain_count);
        cause = "The peer or the path went dead; the sender's retries ran out (tcp_retries2 on "
                "Linux, TcpMaxDataRetransmissions on Windows)";
    } else if (td_seqspace_keepalive_dead_side(s) == d) {
        detail = "keepalive_dead";
        what = wmem_strdup_printf(s->scope, "after %u unanswered keep-alive probes: the %s was "
                                  "gone", trouble->ka_count, other);
        cause = "The peer or the path died while the connection was idle; keep-alive gave up "
                "(tcp_keepalive_probes on Linux, TcpMaxDataRetransmissions on Windows)";
    } else if (own_out || peer_out) {
        detail = "mid_transfer";
        what = own_out
            ? wmem_strdup_printf(s->scope, "mid-transfer, with %u bytes of its data "
                                 "unacknowledged", own_out)
            : wmem_strdup_printf(s->scope, "mid-transfer, while %u bytes from the %s were "
                                 "unacknowledged", peer_out, other);
        cause = "The application aborted (SO_LINGER 0, a crash, a timeout) or closed with unread "
                "data while data was still in flight";
    } else if (idle >= s->cfg->idle_reset) {
        detail = "idle";
        what = wmem_strdup_printf(s->scope, "after %s with no packet in either direction",
                                  td_fmt_duration(s->scope, idle));
        cause = "An idle timeout: in the application, a load balancer or a firewall";
    } else {
        detail = "instead_of_fin";
        what = wmem_strdup(s->scope, "instead of closing with a FIN");
        cause = "Its application closed with unread data in the receive buffer (the kernel then "
                "sends RST, RFC 2525 section 2.17) or with SO_LINGER 0";
    }
    if (middlebox) {
        cause = wmem_strdup_printf(s->scope, "Its TTL %u differs from the %s's other packets (%u): "
                                   "likely sent by a middlebox (firewall, load balancer) in its "
                                   "name", seg->ttl, who, me->ttl);
        detail = wmem_strdup_printf(s->scope, "%s,middlebox", detail);
    }
    s->teardown.rst_finding = td_finding_add(s, out, TD_TD_RESET, seg->frame, detail, me->rst_count, idle,
                                    peer->last_frame_seen, cause,
                                    "Connection reset by the %s%s %s", who,
                                    middlebox ? " (or a middlebox)" : "", what);
}

/* Seen near the side that reset, the peer's data still in flight arrives
 * only after the RST: that completes the evidence of an abort mid-transfer
 * for a RST that looked like a plain close when it was sent. */
static void
refine_reset(td_stream_t *s, const td_segment_t *seg)
{
    td_finding_t *f = s->teardown.rst_finding;

    if (!f || seg->dir == s->teardown.rst_dir || seg->len == 0 || seg->time - s->teardown.rst_time > s->cfg->idle_reset
        || !(g_str_equal(f->detail, "instead_of_fin") || g_str_equal(f->detail, "idle")))
        return;
    f->detail = "mid_transfer";
    f->cause = "The application aborted (SO_LINGER 0, a crash, a timeout) while its peer was "
               "still sending";
    f->message = wmem_strdup_printf(s->scope, "Connection reset by the %s mid-transfer: the %s's "
                                    "data was still arriving (frame %u came %s after the RST)",
                                    td_side_name(s, s->teardown.rst_dir), td_side_name(s, seg->dir), seg->frame,
                                    td_fmt_duration(s->scope, seg->time - s->teardown.rst_time));
}

/* The message of a graceful close (td_finding_t.describe): its kind is the
 * detail, the gap between the two FINs the duration; describe_arg is 1 when
 * the client closed first. */
static char *
describe_graceful(wmem_allocator_t *scope, const td_finding_t *f)
{
    const char *closer = f->describe_arg ? "client" : "server";
    const char *passive = f->describe_arg ? "server" : "client";
    char *gap = td_fmt_duration(scope, f->duration);

    if (g_str_equal(f->detail, "three_way"))
        return wmem_strdup_printf(scope, "Graceful close, three-way: the %s closed first and holds "
                                  "TIME_WAIT; the %s's FIN carried the ACK, %s later", closer,
                                  passive, gap);
    if (g_str_equal(f->detail, "late_close"))
        return wmem_strdup_printf(scope, "Late close: the %s closed first; the %s ACKed and sent "
                                  "its FIN %s later (four-way close, the %s's socket in "
                                  "CLOSE_WAIT meanwhile)", closer, passive, gap, passive);
    if (g_str_equal(f->detail, "four_way"))
        return wmem_strdup_printf(scope, "Graceful close, four-way: the %s closed first and holds "
                                  "TIME_WAIT; the %s ACKed, then sent its FIN %s later", closer,
                                  passive, gap);
    return wmem_strdup_printf(scope, "Graceful close, simultaneous: both sides sent a FIN before "
                              "seeing the other's (%s apart); both pass through TIME_WAIT", gap);
}

static void
check_graceful(td_stream_t *s, const td_segment_t *seg, td_finding_t **out)
{
    td_side_t *a, *p;
    guint8 first;
    double later;
    const char *kind, *cause = NULL;

    if ((s->teardown.flags & (TD_TDF_GRACEFUL_DONE | TD_TDF_RESET))
        || !s->side[0].fin_acked_frame || !s->side[1].fin_acked_frame)
        return;
    s->teardown.flags |= TD_TDF_GRACEFUL_DONE;
    first = s->side[0].fin_first_frame <= s->side[1].fin_first_frame ? 0 : 1;
    a = &s->side[first];
    p = &s->side[1 - first];
    later = td_times_at(&p->fin_times, 0) - td_times_at(&a->fin_times, 0);
    if (!a->fin_first_frame || !p->fin_first_frame) {
        int unseen = !s->side[0].fin_first_frame ? 0 : 1;
        td_finding_add(s, out, TD_TD_GRACEFUL, seg->frame, "fin_unseen", 0, -1.0,
                       s->side[1 - unseen].fin_first_frame, NULL,
                       "Graceful close: both sides sent a FIN and both were acknowledged; the "
                       "%s's FIN is not in the capture (the %s acknowledged it, frame %u)",
                       td_side_name(s, unseen), td_side_name(s, 1 - unseen),
                       s->side[unseen].fin_acked_frame);
        return;
    }
    if (a->fin_acked_frame == p->fin_first_frame) {
        kind = "three_way";
        cause = "The passive side had nothing left to send and closed at once";
    } else if (a->fin_acked_frame < p->fin_first_frame
               && td_times_at(&p->fin_times, 0)
                      - MAX(td_times_at(&a->fin_times, 0), p->last_data_time)
                  >= s->cfg->late_close) {
        kind = "late_close";
        cause = "The passive side's application held its socket after reading EOF (CLOSE_WAIT "
                "that long) before calling close()";
    } else if (a->fin_acked_frame < p->fin_first_frame) {
        kind = "four_way";
    } else {
        kind = "simultaneous";
    }
    /* Nearly every stream ends here: its message is made only when shown. */
    td_finding_add_described(s, out, TD_TD_GRACEFUL, seg->frame, kind, later, a->fin_first_frame,
                             cause, describe_graceful,
                             first == (s->client < 0 ? 0 : s->client));
}

static void
track_fin(td_stream_t *s, td_side_t *me, const td_segment_t *seg)
{
    guint32 fin_seq = seg->seq + seg->len;
    double dt;

    if (me->fin_count == 0) {
        me->fin_seq = fin_seq;
        me->fin_count = 1;
        me->fin_first_frame = seg->frame;
        td_times_set(s->scope, &me->fin_times, 0, seg->time);
        return;
    }
    dt = seg->time - td_times_at(&me->fin_times, MIN(me->fin_count, TD_MAX_TIMES) - 1);
    if (fin_seq != me->fin_seq || dt < s->cfg->min_rto)
        return; /* another FIN, or a duplicated frame */
    if (me->fin_count < TD_MAX_TIMES)
        td_times_set(s->scope, &me->fin_times, me->fin_count, seg->time);
    me->fin_count++;
}

/* A FIN the capture missed (a frame dropped at the capture point) still
 * shows: a FIN takes one sequence number (RFC 9293 section 3.4), so a side
 * that closes (this segment carries its FIN, or it sent one before)
 * acknowledges one past the peer's last byte. The FIN is counted, with no
 * frame (fin_first_frame 0), at the peer's last packet: it came no sooner.
 * A last 1-byte segment the capture missed would read the same; either way
 * a frame is missing, and a FIN is what a closing peer acknowledges. */
static void
infer_peer_fin(td_stream_t *s, const td_side_t *me, td_side_t *peer, const td_segment_t *seg)
{
    if (peer->fin_count || !peer->seq_known || !me->ack_known || me->ack_max != peer->nxt + 1
        || !((seg->flags & TD_FIN) || me->fin_count))
        return;
    peer->fin_count = 1;
    peer->fin_seq = peer->nxt;
    peer->fin_first_frame = 0;
    td_times_set(s->scope, &peer->fin_times, 0, peer->last_time);
    td_endpoint_fin_unseen(peer);
}

void
td_teardown_segment(td_stream_t *s, const td_segment_t *seg, gboolean connected,
                    td_finding_t **out)
{
    td_side_t *me = &s->side[seg->dir], *peer = &s->side[1 - seg->dir];
    double idle = seg->time - MAX(me->last_time, peer->last_time);

    if (s->teardown.flags & TD_TDF_RESET)
        refine_reset(s, seg);
    if (seg->flags & TD_RST) {
        if (!(s->teardown.flags & TD_TDF_RESET) && connected)
            reset_finding(s, seg, me->last_time > 0 || peer->last_time > 0 ? idle : 0.0, out);
    } else {
        if (seg->len && peer->fin_count)
            me->sent_after_peer_fin += seg->len;
        if (seg->flags & TD_FIN)
            track_fin(s, me, seg);
        infer_peer_fin(s, me, peer, seg);
        if (peer->fin_count && !peer->fin_acked_frame && me->ack_known
            && td_seq_lt(peer->fin_seq, me->ack_max)) {
            peer->fin_acked_frame = seg->frame;
            peer->fin_acked_time = seg->time;
            td_seqspace_release(s, (guint8)(1 - seg->dir));
        }
        check_graceful(s, seg, out);
    }
}

/* Which side's chain of retransmissions went unanswered, or -1: the model's
 * chain (model/td_seqspace.c), with still nothing from the receiver. */
static int
abandoning_side(const td_stream_t *s)
{
    for (int d = 0; d < 2; d++) {
        const td_seqdir_trouble_t *q = s->seq[d].trouble;
        if (q && q->chain_count >= ABANDON_MIN_RETRIES
            && s->side[1 - d].packets == q->chain_peer_packets)
            return d;
    }
    return -1;
}

/* A side whose FIN was retransmitted and never acknowledged, or -1. */
static int
fin_unacked_side(const td_stream_t *s)
{
    for (int d = 0; d < 2; d++) {
        if (s->side[d].fin_count >= 2 && !s->side[d].fin_acked_frame)
            return d;
    }
    return -1;
}

/* The side whose FIN was acknowledged while its peer sent nothing more and
 * has not closed (yet), or -1. */
static int
closing_side(const td_stream_t *s)
{
    for (int d = 0; d < 2; d++) {
        const td_side_t *me = &s->side[d], *peer = &s->side[1 - d];
        if (me->fin_acked_frame && peer->fin_count == 0 && peer->sent_after_peer_fin == 0)
            return d;
    }
    return -1;
}

/* Both sides sent a FIN and one's ACK is not in the capture (missed by the
 * capture point, or still in flight at its end): that side, else -1. */
static int
both_closed_unacked_side(const td_stream_t *s)
{
    if (!s->side[0].fin_count || !s->side[1].fin_count)
        return -1;
    return s->side[0].fin_acked_frame ? 1 : 0;
}

/* The side whose FIN was acknowledged while its peer never closed for at
 * least late_close (by the capture's clock), or -1: a shorter wait is a close
 * still under way when the capture ended, not a CLOSE_WAIT leak. */
static int
half_closed_side(const td_stream_t *s)
{
    int d = closing_side(s);

    if (d >= 0 && s->clock - s->side[d].fin_acked_time >= s->cfg->late_close)
        return d;
    return -1;
}

double
td_teardown_deadline(const td_stream_t *s)
{
    int d = closing_side(s);

    if (d < 0 || (s->teardown.flags & (TD_TDF_RESET | TD_TDF_GRACEFUL_DONE)))
        return -1.0;
    if (s->clock - s->side[d].fin_acked_time >= s->cfg->late_close)
        return -1.0;
    return s->side[d].fin_acked_time + s->cfg->late_close;
}

/* The codes td_teardown_finalize() would add if the capture ended now. */
static guint32
pending(const td_stream_t *s, gboolean connected)
{
    guint32 codes = 0;

    if (!connected)
        return 0;
    if (abandoning_side(s) >= 0)
        codes |= TD_CODE_BIT(TD_TD_ABANDONED);
    if (s->teardown.flags & (TD_TDF_RESET | TD_TDF_GRACEFUL_DONE))
        return codes;
    if (fin_unacked_side(s) >= 0)
        codes |= TD_CODE_BIT(TD_TD_FIN_RETRANSMITTED);
    else if (half_closed_side(s) >= 0)
        codes |= TD_CODE_BIT(TD_TD_HALF_CLOSED);
    else if (!codes)
        codes |= TD_CODE_BIT(TD_TD_OPEN);
    return codes;
}

void
td_teardown_publish(const td_stream_t *s, gboolean connected, td_teardown_part_t *out)
{
    const td_finding_t *rst = s->teardown.rst_finding;
    int d;

    out->pending = s->finalized ? 0 : pending(s, connected);
    d = abandoning_side(s);
    out->abandoning_side = (gint8)d;
    out->chain_count = d >= 0 ? s->seq[d].trouble->chain_count : 0;
    d = fin_unacked_side(s);
    out->fin_unacked_side = (gint8)d;
    out->fin_count = d >= 0 ? s->side[d].fin_count : 0;
    out->half_closed_side = (gint8)half_closed_side(s);
    out->closing_side = (gint8)closing_side(s);
    out->both_closed_unacked_side = (gint8)both_closed_unacked_side(s);
    /* A RST after the peer's FIN with all data delivered only ends the
     * connection (reset_finding): at once or late, it is no failure. The
     * code table says which details are that face of teardown.reset. */
    out->reset_ends_close = rst && td_code_info_for(TD_TD_RESET, rst->detail)
                                   != td_code_info(TD_TD_RESET);

    /* how it ended */
    out->first_closer = -1;
    out->closed_time = out->closing_since = -1.0;
    for (d = 0; d < 2; d++) {
        const td_side_t *me = &s->side[d], *peer = &s->side[1 - d];
        if (me->fin_count && (!peer->fin_count || me->fin_times.first < peer->fin_times.first
                              || (me->fin_times.first == peer->fin_times.first && d == 0))) {
            out->first_closer = (gint8)d;
            if (peer->fin_count)
                out->closed_time = peer->fin_times.first;
        }
    }
    out->graceful = (s->teardown.flags & TD_TDF_GRACEFUL_DONE) != 0;
    if (out->closing_side >= 0)
        out->closing_since = s->side[out->closing_side].fin_acked_time;
    out->reset_side = rst ? (gint8)s->teardown.rst_dir : -1;
    out->reset_kind = rst ? rst->detail : NULL;
    out->reset_idle = rst ? rst->duration : -1.0;
    out->reset_quiet = rst ? s->teardown.rst_quiet : -1.0;
    out->quiet_survived = s->quiet_survived;
}

void
td_teardown_finalize(td_stream_t *s, double capture_end, gboolean connected, td_finding_t **out)
{
    guint32 codes = pending(s, connected);
    double after = capture_end - s->last_time;
    int d;

    /* Each pending code names a side (d >= 0); the checks keep it so for
     * the compiler too. */
    if ((codes & TD_CODE_BIT(TD_TD_ABANDONED)) && (d = abandoning_side(s)) >= 0) {
        const td_side_t *me = &s->side[d];
        const td_seqdir_trouble_t *q = td_seqdir_trouble_of(&s->seq[d]);
        guint n = MIN(q->chain_count, TD_MAX_TIMES);
        td_finding_add(s, out, TD_TD_ABANDONED, s->last_frame,
                       me->rst_count ? "gave_up" : "no_reply", q->chain_count,
                       td_times_span(&q->chain_times, n), q->chain_first_frame,
                       "The peer or the path is dead (host down, route lost, firewall state "
                       "dropped); the sender gives up after tcp_retries2 (15 on Linux)",
                       "Abandoned: the %s retransmitted the same data %u times (%s) with no reply "
                       "from the %s, %s", td_side_name(s, d), q->chain_count,
                       td_times_intervals(s->scope, &q->chain_times, n),
                       td_side_name(s, (1 - d)),
                       me->rst_count ? "then reset the connection"
                                     : wmem_strdup_printf(s->scope, "until the capture ends "
                                                          "%s later", td_fmt_duration(s->scope, after)));
    }
    if ((codes & TD_CODE_BIT(TD_TD_FIN_RETRANSMITTED)) && (d = fin_unacked_side(s)) >= 0) {
        const td_side_t *me;
        guint n;
        me = &s->side[d];
        n = MIN(me->fin_count, TD_MAX_TIMES);
        td_finding_add(s, out, TD_TD_FIN_RETRANSMITTED, s->last_frame, "unacked", me->fin_count - 1,
                       td_times_span(&me->fin_times, n), me->fin_first_frame,
                       "The peer is gone or the path is dead; the closing side retries its FIN "
                       "(tcp_orphan_retries for a closed socket) and gives up",
                       "FIN retransmitted %u time%s (%s) and never acknowledged by the %s",
                       me->fin_count - 1, me->fin_count > 2 ? "s" : "",
                       td_times_intervals(s->scope, &me->fin_times, n), td_side_name(s, (1 - d)));
    } else if ((codes & TD_CODE_BIT(TD_TD_HALF_CLOSED)) && (d = half_closed_side(s)) >= 0) {
        const td_side_t *me;
        me = &s->side[d];
        td_finding_add(s, out, TD_TD_HALF_CLOSED, s->last_frame, "close_wait", 0,
                       capture_end - me->fin_acked_time, me->fin_first_frame,
                       "The passive side's application never called close(): a CLOSE_WAIT leak "
                       "(check for sockets stuck in CLOSE_WAIT with ss -tan state close-wait)",
                       "Half-closed for %s: the %s's FIN %s was acknowledged, but the %s "
                       "sent nothing more and never closed until the capture ends",
                       td_fmt_duration(s->scope, capture_end - me->fin_acked_time),
                       td_side_name(s, d), fin_where(s, me), td_side_name(s, (1 - d)));
    } else if (codes & TD_CODE_BIT(TD_TD_OPEN)) {
        const char *detail = "open";
        const char *how = "no FIN or RST";
        if ((d = both_closed_unacked_side(s)) >= 0) {
            detail = "closing";
            how = wmem_strdup_printf(s->scope, "closing: both sides sent a FIN, and the %s's "
                                     "is not acknowledged in the capture", td_side_name(s, d));
        }
        for (d = 0; d < 2; d++) {
            if (s->side[d].fin_count && !s->side[1 - d].fin_count) {
                detail = s->side[d].fin_acked_frame ? "half_close_in_progress" : "closing";
                how = s->side[d].fin_acked_frame
                          ? "one side closed and the other is still sending (a legitimate half-close)"
                          : "a FIN not yet acknowledged";
            }
        }
        if ((d = closing_side(s)) >= 0) {
            detail = "closing";
            how = wmem_strdup_printf(s->scope, "closing: the %s's FIN acknowledged %s before, "
                                     "too soon for a CLOSE_WAIT leak", td_side_name(s, d),
                                     td_fmt_duration(s->scope,
                                                     capture_end - s->side[d].fin_acked_time));
        }
        td_finding_add(s, out, TD_TD_OPEN, s->last_frame, detail, 0, after, 0, NULL,
                       "Still open when the capture ends (%s; last packet %s before the end): "
                       "not a problem", how, td_fmt_duration(s->scope, after));
    }
}
