/* td_seqspace.c
 * The sequence-space model of each direction (td_seqspace.h): outstanding
 * data as a bounded scoreboard of ranges, the receiver's cumulative ACK,
 * SACK and D-SACK, duplicate ACKs, RTT samples; and from it, what each data
 * segment is (new, retransmission of which kind, reordered, probe, duplicate
 * frame), the per-direction account, and the evidence the detectors judge:
 * a wait on the retransmission timer, an unanswered chain, keep-alives, path
 * MTU. It writes no finding: the detectors read what it noted (s->seg_notes,
 * s->seg_verdict).
 *
 * Times are as seen at the capture point. "The round trip to side d" is the
 * handshake's split (td_path_rtt_to): near the client the SYN-ACK -> ACK
 * gap is tiny and SYN -> SYN-ACK is the whole RTT; near the server the
 * reverse. A sender reacts to an ACK one round trip from the capture point
 * to it after the ACK passed here.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "model/td_seqspace.h"
#include "model/td_path.h"

/* The same frame twice: nothing from the peer in between, and sooner than
 * any TCP timer. Linux's shortest, the tail loss probe's, is 2 jiffies at
 * the least (TCP_TIMEOUT_MIN, 8 ms at HZ=250; RFC 8985 section 7.2 says
 * 10 ms), and a fast retransmission needs the peer's ACKs first. */
#define DUPLICATE_MAX_GAP 0.002

/* Slack on "reacts to": scheduling and timer jitter on top of the round
 * trip (as detect/td_stall.c's RELEASE_SLACK). */
#define REACT_SLACK 0.010

/* RFC 1122 4.2.3.6: no single unanswered keep-alive proves a dead
 * connection (keep-alives are not sent reliably); two in a row with nothing
 * from the peer between them do: the first went a whole interval unanswered. */
#define KEEPALIVE_DEAD_PROBES 2

/* Below this round trip to the receiver (a capture next to it), an ACK's
 * timing cannot tell which transmission it answers. */
#define EARLY_MIN 0.002

/* RFC 8985 section 7.2: the worst-case delayed ACK a probe timeout allows
 * for when one segment is in flight (Linux: TCP_RTO_MIN, 200 ms). */
#define WC_DELACK 0.200

/* RFC 6298 section 2: alpha 1/8, beta 1/4, K = 4. */
#define RTT_ALPHA 0.125
#define RTT_BETA  0.25
#define RTO_K     4.0

static td_seg_verdict_t *
new_verdict(td_stream_t *s, const td_segment_t *seg, td_segclass_t cls)
{
    td_seg_verdict_t *v = wmem_new0(s->scope, td_seg_verdict_t);

    v->frame = seg->frame;
    v->segclass = (guint8)cls;
    s->seg_verdict = v;
    return v;
}

const td_seqdir_trouble_t td_seqdir_no_trouble; /* all zeros */

td_seqdir_trouble_t *
td_seqdir_trouble(td_seqdir_t *q)
{
    /* q->scope is the stream's own, never the conclusions' scope that
     * td_stream_finalize_in() may put in s->scope: the part outlives them. */
    if (!q->trouble)
        q->trouble = wmem_new0(q->scope, td_seqdir_trouble_t);
    return q->trouble;
}

/* ------------------------------------------------------------------ ranges */

/* Whether two adjacent ranges say the same: merging them loses nothing. */
static gboolean
same_state(const td_sb_range_t *a, const td_sb_range_t *b)
{
    return a->end == b->start && !a->frame == !b->frame && a->sacked == b->sacked
           && a->beyond == b->beyond && !a->retx && !b->retx;
}

/* Make room for one more range: at the cap, the lowest two adjacent ranges
 * that say the same merge (SACKed neighbours, untouched data); failing that,
 * the lowest two (the older half's times and frame stay; retransmission
 * counts add). */
static void
sb_make_room(td_seqdir_t *q)
{
    td_sb_range_t *a, *b;
    guint i = 0;

    if (q->n < q->cap)
        return;
    if (q->cap < TD_SB_MAX) {
        /* 1, 2, 4, 8, then TD_SB_MAX: a request/response stream mostly
         * has one range outstanding at a time */
        guint8 cap = (guint8)MIN(MAX(2 * q->cap, 1), TD_SB_MAX);
        q->r = (td_sb_range_t *)wmem_realloc(q->scope, q->r, cap * sizeof(*q->r));
        q->cap = cap;
        return;
    }
    for (guint j = 0; j + 1 < q->n; j++) {
        if (same_state(&q->r[j], &q->r[j + 1])) {
            i = j;
            break;
        }
    }
    a = &q->r[i];
    b = &q->r[i + 1];
    a->end = b->end;
    a->retx = (guint16)MIN(a->retx + b->retx, G_MAXUINT16);
    a->sacked = a->sacked && b->sacked;
    if (!a->frame)
        a->frame = b->frame;
    if (b->resent > a->resent) {
        a->resent = b->resent;
        a->resent_tsval = b->resent_tsval;
        a->verdict = b->verdict;
        a->copy_end = b->copy_end;
        a->copy_beyond = b->copy_beyond;
    }
    memmove(&q->r[i + 1], &q->r[i + 2], (q->n - i - 2) * sizeof(q->r[0]));
    q->n--;
}

/* Append [start, end) at the top of the scoreboard. New data that nothing has
 * touched joins the range below it. */
static void
sb_append(td_seqdir_t *q, guint32 start, guint32 end, double t, guint32 frame, guint32 tsval,
          gboolean beyond)
{
    td_sb_range_t *last = q->n ? &q->r[q->n - 1] : NULL;

    if (last && last->end == start && frame && last->frame && !last->retx && !last->sacked
        && last->beyond == beyond) {
        last->end = end;
        return;
    }
    sb_make_room(q);
    last = &q->r[q->n++];
    memset(last, 0, sizeof(*last));
    last->start = start;
    last->end = end;
    last->sent = t;
    last->frame = frame;
    last->tsval = tsval;
    last->beyond = (guint8)beyond;
}

/* Split the range at index i at seq (start < seq < end); returns FALSE when
 * there is no room (the range then stays whole). */
static gboolean
sb_split(td_seqdir_t *q, guint i, guint32 seq)
{
    if (q->n >= q->cap && q->cap < TD_SB_MAX) {
        sb_make_room(q); /* grows */
    } else if (q->n >= TD_SB_MAX) {
        /* merge elsewhere if something can merge without loss */
        guint j;
        for (j = 0; j + 1 < q->n && !same_state(&q->r[j], &q->r[j + 1]); j++)
            ;
        if (j + 1 >= q->n)
            return FALSE;
        sb_make_room(q);
        if (j < i)
            i--;
    }
    memmove(&q->r[i + 1], &q->r[i], (q->n - i) * sizeof(q->r[0]));
    q->n++;
    q->r[i].end = seq;
    q->r[i + 1].start = seq;
    return TRUE;
}

/* Split ranges so that [start, end) begins and ends on range boundaries
 * where room allows. */
static void
sb_isolate(td_seqdir_t *q, guint32 start, guint32 end)
{
    for (guint i = 0; i < q->n; i++) {
        td_sb_range_t *r = &q->r[i];
        if (td_seq_lt(r->start, start) && td_seq_lt(start, r->end)) {
            sb_split(q, i, start);
            continue;
        }
        if (td_seq_lt(r->start, end) && td_seq_lt(end, r->end))
            sb_split(q, i, end);
    }
}

static gboolean
overlaps(const td_sb_range_t *r, guint32 start, guint32 end)
{
    return td_seq_lt(r->start, end) && td_seq_lt(start, r->end);
}

/* Forget what was sent from seq on. */
static void
sb_truncate(td_seqdir_t *q, guint32 seq)
{
    while (q->n && td_seq_le(seq, q->r[q->n - 1].start))
        q->n--;
    if (q->n && td_seq_lt(seq, q->r[q->n - 1].end))
        q->r[q->n - 1].end = seq;
}

/* The TSval of the newest copy of a range seen here; 0 unknown (a hole's
 * tsval is that of the segment that showed it, not its own). */
static guint32
copy_tsval(const td_sb_range_t *r)
{
    return r->retx ? r->resent_tsval : r->frame ? r->tsval : 0;
}

/* Drop what the cumulative ACK covers. */
static void
sb_ack(td_seqdir_t *q, guint32 ack)
{
    guint keep = 0;

    for (guint i = 0; i < q->n; i++) {
        td_sb_range_t *r = &q->r[i];
        if (td_seq_le(r->end, ack)) {
            if (r->frame) {
                q->acked_tail_start = r->start;
                q->acked_tail_end = r->end;
                q->acked_tail_tsval = copy_tsval(r);
            }
            if (r->retx && r->verdict) {
                /* remembered for a D-SACK still to come (a retransmission
                 * made the trouble part exist) */
                td_seqdir_trouble_t *t = q->trouble;
                guint k = t->acked_next;
                t->acked_next = (guint8)((k + 1) % TD_ACKED_RETX);
                t->acked_retx[k].start = r->start;
                t->acked_retx[k].end = r->end;
                t->acked_retx[k].resent_tsval = r->resent_tsval;
                t->acked_retx[k].copies = r->verdict;
            }
            continue;
        }
        if (td_seq_lt(r->start, ack))
            r->start = ack;
        q->r[keep++] = *r;
    }
    q->n = (guint8)keep;
}

/* ------------------------------------------------------------- estimates */

/* RTT samples, capture point -> receiver -> capture point (RFC 6298 2.2-2.3). */
static void
rtt_sample(td_seqdir_t *q, double r)
{
    if (r < 0.0)
        return;
    if (q->rtt_samples++ == 0) {
        q->srtt = r;
        q->rttvar = r / 2.0;
        q->rtt_min = r;
        return;
    }
    q->rttvar = (1.0 - RTT_BETA) * q->rttvar + RTT_BETA * (q->srtt > r ? q->srtt - r : r - q->srtt);
    q->srtt = (1.0 - RTT_ALPHA) * q->srtt + RTT_ALPHA * r;
    q->rtt_min = MIN(q->rtt_min, r);
}

/* The shortest time from here to the receiver and back: the smallest RTT
 * sample or the handshake's, whichever is less. A sample can hold a delayed
 * ACK (up to 200 ms on Linux, 500 ms by RFC 1122 4.2.3.2); the handshake's
 * SYN-ACK and ACK are never delayed. */
static double
early_bound(const td_stream_t *s, guint8 dir)
{
    const td_seqdir_t *q = &s->seq[dir];
    double hs = td_path_rtt_to(s, (guint8)(1 - dir));

    if (!q->rtt_samples)
        return hs;
    return hs > 0.0 ? MIN(hs, q->rtt_min) : q->rtt_min;
}

/* Whether the sender's packet at time t is its reaction to something that
 * passed the capture point at time at: one round trip from here to the
 * sender later, no sooner and not much later. */
static gboolean
reacts_to(const td_stream_t *s, guint8 dir, double t, double at)
{
    double to_sender = td_path_rtt_to(s, dir), gap = t - at;
    double slack = REACT_SLACK + (to_sender > 0.0 ? 0.25 * to_sender : 0.0);

    if (at <= 0.0)
        return FALSE;
    if (to_sender < 0.0)
        to_sender = 0.0;
    return gap >= to_sender - slack && gap <= to_sender + slack;
}

/* ---------------------------------------------------------- the rto stall */

/* The receiver's ACK got the data through: the wait on the timer is over.
 * The stall detector reports it (detect/td_stall.c), from the trouble's
 * rto_* fields, which stay as they are until the next timeout. */
static void
rto_end(td_stream_t *s, td_seqdir_trouble_t *t)
{
    t->rto_open = FALSE;
    s->seg_notes |= TD_NOTE_RTO_ENDED;
}

/* A timeout retransmission: a new outage, or the backoff of the one open. */
static void
rto_note(td_stream_t *s, guint8 dir, const td_segment_t *seg)
{
    td_seqdir_t *q = &s->seq[dir];
    td_seqdir_trouble_t *t = td_seqdir_trouble(q);

    if (t->rto_open) {
        t->rto_count++;
        t->rto_last = seg->time;
        t->rto_last_frame = seg->frame;
        return;
    }
    t->rto_open = TRUE;
    t->rto_spurious = FALSE;
    t->rto_count = 1;
    t->rto_seq = seg->seq;
    t->rto_last = seg->time;
    t->rto_last_frame = seg->frame;
    /* The wait began at the last progress: the last ACK of new data with
     * data still outstanding (the timer restarts there, RFC 6298 5.3), or
     * the first data sent when nothing was (5.1). */
    t->rto_begin = q->progress_time;
    t->rto_begin_frame = q->progress_frame;
    if (!q->progress_frame) {
        /* nothing was outstanding (data resent after all was acknowledged):
         * the wait began at that ACK */
        t->rto_begin = q->una_time;
        t->rto_begin_frame = q->una_frame;
    }
}

/* --------------------------------------------------------------- the ACKs */

/* How much of a range's copies a piece of evidence shows spurious. */
typedef enum {
    SPURIOUS_ONE_MORE, /* a D-SACK reports one duplicate: the newest copy not yet marked */
    SPURIOUS_LAST,     /* an early ACK answers a transmission before the last copy */
    SPURIOUS_ALL       /* the ACK echoes a transmission older than the first copy (Eifel) */
} spurious_reach_t;

/* Evidence that data had arrived when it was resent, on its copies (newest
 * first). A timeout whose retransmission proves spurious before its stall
 * ends was a spurious timeout. */
static void
mark_spurious(td_seqdir_t *q, td_seg_verdict_t *copies, guint8 evidence, spurious_reach_t reach)
{
    td_seqdir_trouble_t *acct;

    if (!copies)
        return;
    acct = td_seqdir_trouble(q);
    acct->spurious_evidence |= evidence;
    for (td_seg_verdict_t *c = copies; c; c = c->prev_copy) {
        gboolean counted = c->spurious != 0;

        if (counted && reach == SPURIOUS_ONE_MORE)
            continue;
        c->spurious |= evidence;
        /* a timeout copy of the outage under way (sent after its last
         * progress), not a late D-SACK of an earlier one */
        if (c->kind == TD_RETX_RTO && !c->control && acct->rto_open
            && c->frame > acct->rto_begin_frame)
            acct->rto_spurious = TRUE;
        if (!counted && c->control) {
            acct->control_spurious++; /* no data: the data account is not its */
        } else if (!counted) {
            acct->spurious++;
            if (c->loss_at == TD_LOSS_WINDOW && acct->refused) {
                acct->refused--; /* the window took it after all: counted once, as spurious */
                c->loss_at = TD_LOSS_DOWNSTREAM;
            }
        }
        if (reach != SPURIOUS_ALL)
            return;
    }
}

/* SACK blocks of an ACK for the data of q (RFC 2018); a block below the
 * cumulative ACK, or inside the second block, is a D-SACK (RFC 2883 4). */
static void
note_sack(td_seqdir_t *q, const td_segment_t *seg)
{
    for (guint b = 0; b < seg->sack_count && b < 4; b++) {
        guint32 le = seg->sack[b][0], re = seg->sack[b][1];
        gboolean dsack;
        td_seg_verdict_t *marked = NULL; /* a segment split in ranges is one duplicate */

        if (!td_seq_lt(le, re))
            continue;
        dsack = b == 0 && (td_seq_le(re, seg->ack)
                           || (seg->sack_count > 1 && td_seq_le(seg->sack[1][0], le)
                               && td_seq_le(re, seg->sack[1][1])));
        if (dsack)
            td_seqdir_trouble(q)->dsacks++;
        if (dsack && q->trouble && q->trouble->syn_copy && td_seq_le(le, q->syn_seq)
            && td_seq_lt(q->syn_seq, re))
            mark_spurious(q, q->trouble->syn_copy, TD_SPURIOUS_DSACK, SPURIOUS_ONE_MORE);
        for (guint i = 0; i < q->n; i++) {
            td_sb_range_t *r = &q->r[i];
            if (!overlaps(r, le, re))
                continue;
            if (dsack) {
                if (r->retx && r->verdict != marked)
                    mark_spurious(q, marked = r->verdict, TD_SPURIOUS_DSACK, SPURIOUS_ONE_MORE);
            } else if (!r->sacked && td_seq_le(le, r->start) && td_seq_le(r->end, re)) {
                r->sacked = 1;
                q->signal_time = seg->time;
            }
        }
        if (dsack && td_seq_le(re, seg->ack) && q->trouble) {
            /* of data acknowledged since it was resent: its copies */
            td_seqdir_trouble_t *t = q->trouble;
            for (guint k = 0; k < TD_ACKED_RETX; k++) { /* unused slots: no copies */
                if (t->acked_retx[k].copies && td_seq_lt(le, t->acked_retx[k].end)
                    && td_seq_lt(t->acked_retx[k].start, re)) {
                    mark_spurious(q, t->acked_retx[k].copies, TD_SPURIOUS_DSACK,
                                  SPURIOUS_ONE_MORE);
                    break;
                }
            }
        }
        if (dsack)
            continue;
        /* D-SACK of data already acknowledged: no range left to mark. */
        if (!q->sack_seen || td_seq_lt(q->sack_high, re)) {
            q->sack_high = re;
            q->sack_seen = TRUE;
            q->signal_time = seg->time;
        }
        sb_isolate(q, le, re);
        for (guint i = 0; i < q->n; i++) {
            td_sb_range_t *r = &q->r[i];
            if (!r->sacked && td_seq_le(le, r->start) && td_seq_le(r->end, re))
                r->sacked = 1;
        }
    }
    /* A D-SACK below the cumulative ACK of a retransmission already
     * acknowledged is counted by the early-ACK and Eifel checks instead. */
}

/* The receiver's right edge (its ACK plus its window, RFC 9293 section
 * 3.8.6) as the highest ACK sets it. A receiver may move it left (RFC 7323
 * section 2.4: when its buffer shrinks; Linux does with
 * net.ipv4.tcp_shrink_window=1, others under memory pressure): the data
 * already sent past the new edge, not acknowledged or SACKed, arrives to
 * find it closed and is refused (RFC 9293 section 3.10.7.4; Linux counts
 * TcpExtBeyondWindow), so its resend is no loss. A retraction smaller than
 * one unit of the window scale is the rounding of a scaled window, and an
 * ACK below the highest is an old one reordered: neither moves it. */
static void
note_edge(td_stream_t *s, guint8 dir, const td_segment_t *seg)
{
    td_seqdir_t *q = &s->seq[dir];
    gint64 rwnd = s->side[dir].rwnd; /* scaled, as this ACK set it; -1 unknown */
    const td_side_t *rcv = &s->side[1 - dir];
    guint32 unit, edge;

    if (rwnd < 0) {
        q->edge_known = FALSE;
        return;
    }
    if (seg->ack != q->ack_high)
        return;
    edge = seg->ack + (guint32)MIN(rwnd, (gint64)G_MAXINT32);
    unit = rcv->wscale > 0 && s->side[dir].wscale != TD_NO_WSCALE ? 1u << MIN(rcv->wscale, 14) : 1u;
    if (q->edge_known && td_seq_lt(edge + unit, q->rcv_edge) && td_seq_lt(edge, q->nxt)) {
        sb_isolate(q, edge, q->nxt);
        for (guint i = 0; i < q->n; i++) {
            td_sb_range_t *r = &q->r[i];
            if (td_seq_le(edge, r->start) && r->frame && !r->sacked)
                r->beyond = r->copy_beyond = 1; /* whichever copy it was */
        }
    }
    q->rcv_edge = edge;
    q->edge_known = TRUE;
}

/* The ACK of segment seg (sent by the receiver, 1 - dir) for the data of dir. */
static void
note_ack(td_stream_t *s, guint8 dir, const td_segment_t *seg)
{
    td_seqdir_t *q = &s->seq[dir];
    td_seqdir_trouble_t *t;
    guint32 ack = seg->ack;
    guint32 win = seg->win;

    if (!q->known || !(seg->flags & TD_ACK) || (seg->flags & TD_RST))
        return;
    if (!q->ack_time || td_seq_lt(q->ack_high, ack))
        q->ack_high = ack;
    q->ack_time = seg->time;
    if (q->syn_data_end && td_seq_lt(q->nxt, ack) && td_seq_le(ack, q->syn_data_end))
        q->nxt = ack; /* the SYN's data was accepted */
    if (td_seq_lt(q->una, ack) && td_seq_le(ack, q->nxt)) {
        /* An ACK caused by a retransmission passes here no sooner than the
         * round trip from here to the receiver after it. */
        double early = early_bound(s, dir);
        gboolean undo = FALSE;

        /* RTT: the timed segment, if nothing of it was resent (Karn). */
        if (q->timing && td_seq_le(q->timed_end, ack)) {
            gboolean resent = FALSE;
            for (guint i = 0; i < q->n; i++) {
                if (q->r[i].retx && td_seq_lt(q->r[i].start, q->timed_end))
                    resent = TRUE;
            }
            if (!resent)
                rtt_sample(q, seg->time - q->timed_at);
            q->timing = FALSE;
        }
        /* Retransmissions this ACK covers: spurious if it came sooner than
         * the retransmission could be answered, or echoes a TSval older than
         * all of them (Eifel, RFC 3522: an ACK of several segments echoes
         * the first one's TSval, RFC 7323 4.3, so the comparison is with
         * the earliest retransmission it covers, as Linux compares with
         * retrans_stamp). */
        guint32 first_resent_tsval = 0;

        /* The ACK of a SYN-ACK (or SYN) sent again that echoes the TSval of
         * a copy older than the first resend: the first had arrived (Eifel,
         * RFC 3522), and only the ACK was late or lost. */
        if (q->trouble && q->trouble->syn_copy && q->una == q->syn_seq && seg->ts_known
            && seg->tsecr && q->trouble->syn_resent_tsval
            && td_seq_lt(seg->tsecr, q->trouble->syn_resent_tsval))
            mark_spurious(q, q->trouble->syn_copy, TD_SPURIOUS_EIFEL, SPURIOUS_ALL);
        for (guint i = 0; i < q->n; i++) {
            const td_sb_range_t *r = &q->r[i];
            if (r->retx && td_seq_lt(r->start, ack) && r->resent_tsval
                && (!first_resent_tsval || td_seq_lt(r->resent_tsval, first_resent_tsval)))
                first_resent_tsval = r->resent_tsval;
        }
        for (guint i = 0; i < q->n; i++) {
            td_sb_range_t *r = &q->r[i];
            if (!r->retx || !td_seq_lt(r->start, ack))
                continue;
            if (early >= EARLY_MIN && seg->time - r->resent < 0.5 * early)
                mark_spurious(q, r->verdict, TD_SPURIOUS_EARLY, SPURIOUS_LAST);
            else if (seg->ts_known && first_resent_tsval && seg->tsecr
                     && td_seq_lt(seg->tsecr, first_resent_tsval))
                mark_spurious(q, r->verdict, TD_SPURIOUS_EIFEL, SPURIOUS_ALL);
            else
                continue;
            /* The timeout was spurious: the originals got through. The
             * sender undoes it (Eifel response, RFC 4015; Linux
             * tcp_try_undo_loss on tcp_packet_delayed) and leaves the
             * go-back-N: what it resends from now on, it resends because
             * the receiver signals a loss. */
            if (q->recovery == TD_RETX_RTO && r->verdict && r->verdict->kind == TD_RETX_RTO)
                undo = TRUE;
        }
        sb_ack(q, ack);
        q->una_advance = ack - q->una;
        q->una = ack;
        q->una_time = seg->time;
        q->una_frame = seg->frame;
        /* RFC 6298 5.2-5.3: the timer stops when all is acknowledged and
         * restarts on an ACK of new data otherwise. */
        q->timer_time = q->progress_time = ack == q->nxt ? 0.0 : seg->time;
        q->timer_frame = q->progress_frame = ack == q->nxt ? 0 : seg->frame;
        q->dupacks = 0;
        q->tlp_sent = FALSE;
        if (q->sack_seen && td_seq_le(q->sack_high, ack))
            q->sack_seen = FALSE;
        if (q->recovery && td_seq_le(q->recovery_point, ack))
            q->recovery = 0;
        /* The first ACK of new data after a timeout: the go-back-N covers
         * what was sent up to now, and data the sender sends after it is
         * repaired by fast recovery if lost (F-RTO, RFC 5682 step 2b; Linux
         * tcp_process_loss moves high_seq to snd_nxt there). */
        if (q->recovery == TD_RETX_RTO && !q->frto_done) {
            q->recovery_point = q->nxt;
            q->frto_done = TRUE;
        }
        if (undo)
            q->recovery = 0;
        t = q->trouble; /* NULL: nothing timed out */
        if (t && t->rto_open && td_seq_lt(t->rto_seq, ack))
            rto_end(s, t);
    } else if (ack == q->una && seg->len == 0 && !(seg->flags & (TD_SYN | TD_FIN))
               && q->nxt != q->una && win == q->rcv_win) {
        /* RFC 5681 section 2: a duplicate ACK. */
        q->dupacks++;
        q->signal_time = seg->time;
    }
    if (q->rcv_win == 0 && win != 0)
        q->win_open_time = seg->time;
    q->rcv_win = win;
    note_edge(s, dir, seg);
    if (seg->sack_count)
        note_sack(q, seg);
}

/* -------------------------------------------------------------- the sender */

/* Why the sender resent [seq, end): the loss signal it reacted to, the timer,
 * or the tail loss probe. */
static td_retx_kind_t
classify(td_stream_t *s, guint8 dir, const td_segment_t *seg, guint32 end, double last_resent,
         gboolean *timer)
{
    td_seqdir_t *q = &s->seq[dir];
    double quiet = seg->time - MAX(q->last_tx_time, q->una_time);
    double srtt = td_path_srtt(s, dir);
    /* A loss signal the sender has not answered for this data yet: the
     * duplicate ACKs or SACK blocks since it last resent it. */
    gboolean signal = (q->dupacks > 0 || (q->sack_seen && td_seq_lt(seg->seq, q->sack_high)))
                      && q->signal_time > last_resent;

    /* The further retransmissions of a recovery under way (RFC 6675, or
     * the go-back-N after a timeout), clocked by the receiver's ACKs;
     * unless its timer fired again. */
    if (q->recovery && td_seq_lt(seg->seq, q->recovery_point)
        && (quiet < s->cfg->min_rto || reacts_to(s, dir, seg->time, q->ack_time)))
        return (td_retx_kind_t)q->recovery;
    /* The receiver signalled the loss and the sender reacted at once:
     * three duplicate ACKs (RFC 5681), fewer in a small flight (early
     * retransmit, RFC 5827), SACK (RFC 6675) or RACK (RFC 8985). "At once"
     * is one round trip from here to the sender after the signal; a
     * sender quiet for its minimum RTO since then was woken by its timer
     * (the retransmission of a fast retransmission that was lost too). */
    if (signal && (reacts_to(s, dir, seg->time, q->signal_time) || quiet < s->cfg->min_rto)) {
        q->recovery = TD_RETX_FAST;
        q->recovery_point = q->nxt;
        return TD_RETX_FAST;
    }
    /* A tail loss probe re-sends the last segment sent when its probe
     * timeout fires: 2 SRTT, plus the worst-case delayed ACK (200 ms) when
     * it is the only segment in flight (RFC 8985 section 7.2; Linux
     * tcp_schedule_loss_probe), and never later than the RTO would fire, so
     * it may fire at the RTO's time. One per episode: the first timer-driven
     * retransmission since the last progress, and not in a recovery. */
    if (end == q->nxt && srtt > 0.0 && !q->recovery && !td_seqdir_trouble_of(q)->rto_open
        && !q->tlp_sent
        && quiet >= 1.5 * srtt
        && quiet <= 2.0 * srtt + (seg->seq == q->una ? WC_DELACK : 0.0)
                    + REACT_SLACK + 0.25 * srtt) {
        q->tlp_sent = TRUE;
        return TD_RETX_TLP;
    }
    /* A timer: nothing signalled and the retransmission timer ran at least
     * the minimum RTO (Linux TCP_RTO_MIN 200 ms; RFC 6298 says 1 s). The
     * timer runs from its last (re)start, not from the sender's last packet:
     * new data sent meanwhile does not restart it (RFC 6298 5.1). */
    if (quiet >= s->cfg->min_rto
        || (q->timer_frame && seg->time - q->timer_time >= s->cfg->min_rto)) {
        q->recovery = TD_RETX_RTO;
        q->recovery_point = q->nxt;
        q->frto_done = FALSE;
        *timer = TRUE;
        return TD_RETX_RTO;
    }
    return TD_RETX_UNKNOWN;
}

/* A SYN or SYN-ACK: the first, or the same one sent again (the same
 * sequence number; a new one is a new connection, td_endpoint.c). A SYN is
 * resent by its timer (RFC 6298 5.7; Linux TCP_TIMEOUT_INIT 1 s, doubling);
 * a SYN-ACK by its timer too, or at once when the client's SYN comes again
 * (Linux tcp_check_req -> inet_rtx_syn_ack): the client's sign that it has
 * none. The kernel counts both (TCPSynRetrans, TcpRetransSegs); tcpdiag
 * names them as retransmissions and counts them apart from the data. */
static void
syn_send(td_stream_t *s, guint8 dir, const td_segment_t *seg)
{
    td_seqdir_t *q = &s->seq[dir];
    const td_seqdir_t *peer = &s->seq[1 - dir];
    guint32 peer_packets = s->side[1 - dir].packets;
    gboolean again = q->syn_sent && seg->seq == q->syn_seq;

    if (again && (peer_packets != q->syn_peer_packets
                  || seg->time - q->syn_time >= DUPLICATE_MAX_GAP)) {
        td_seg_verdict_t *v = new_verdict(s, seg, TD_SEGCLASS_RETRANSMISSION);
        td_seqdir_trouble_t *t = td_seqdir_trouble(q);
        gboolean synack = (seg->flags & TD_ACK) != 0;

        v->kind = synack && peer->syn_sent && peer->syn_time > q->syn_time ? TD_RETX_FAST
                                                                           : TD_RETX_RTO;
        v->control = synack ? TD_CTL_SYNACK : TD_CTL_SYN;
        v->loss_at = TD_LOSS_UNKNOWN;
        v->prev_copy = t->syn_copy;
        if (q->known && td_seq_lt(seg->seq, q->una)) {
            /* acknowledged before it was resent: the first had arrived
             * (its ACK passed here; on the way it was lost or late) */
            v->spurious = TD_SPURIOUS_ACKED;
            t->control_spurious++;
        }
        if (!t->syn_copy)
            t->syn_resent_tsval = seg->ts_known ? seg->tsval : 0;
        t->syn_copy = v;
        t->control++;
    } else if (!again && q->trouble) {
        q->trouble->syn_copy = NULL; /* a new SYN: a new connection's */
        q->trouble->syn_resent_tsval = 0;
    }
    q->syn_sent = TRUE;
    q->syn_seq = seg->seq;
    q->syn_time = seg->time;
    q->syn_peer_packets = peer_packets;
}

/* The unanswered chain: consecutive retransmissions of the same data while
 * the receiver sends nothing at all. Its length and backoff are the evidence
 * of an abandoned connection (td_teardown.c). */
static void
chain_note(td_stream_t *s, guint8 dir, const td_segment_t *seg)
{
    td_seqdir_t *q = &s->seq[dir];
    td_seqdir_trouble_t *t;
    guint32 peer_packets = s->side[1 - dir].packets;

    if (td_seq_lt(seg->seq, q->una))
        return; /* already acknowledged: the data had arrived */
    t = td_seqdir_trouble(q);
    if (!t->chain_count || t->chain_peer_packets != peer_packets || seg->seq != t->chain_seq) {
        t->chain_seq = seg->seq;
        t->chain_count = 0;
        t->chain_first_frame = seg->frame;
        t->chain_peer_packets = peer_packets;
    } else if (t->rto_open && t->rto_count >= 3 && !t->pmtu_icmps && !t->bh_frame
               && seg->len < t->chain_len - t->chain_len / 10) {
        /* The same data timed out at least twice at one size, with nothing
         * from the receiver and no ICMP from the path, and is now resent
         * clearly smaller (Linux's black-hole detection, tcp_mtu_probing,
         * RFC 4821): a path MTU black hole if this one passes at once. */
        t->bh_frame = seg->frame;
        t->bh_end = seg->seq + seg->len;
        t->bh_big = t->chain_len;
        t->bh_small = seg->len;
        t->bh_timeouts = t->rto_count - 1;
    }
    t->chain_len = seg->len;
    if (t->chain_count < TD_MAX_TIMES)
        td_times_set(s->scope, &t->chain_times, t->chain_count, seg->time);
    t->chain_count++;
}

/* Whether seg, data sent before, carries a TSval older than that of a copy
 * of the same data already seen here (in the scoreboard, the highest range
 * acknowledged, or the retransmitted ranges acknowledged since): it was
 * sent before that copy, so it is not a new retransmission but a copy late
 * on the path. TSvals only move forward (RFC 7323 section 5.4). */
static gboolean
late_copy(const td_seqdir_t *q, const td_segment_t *seg, guint32 top)
{
    if (!seg->ts_known || !seg->tsval)
        return FALSE;
    for (guint i = 0; i < q->n; i++) {
        const td_sb_range_t *r = &q->r[i];
        guint32 newest = copy_tsval(r);
        if (overlaps(r, seg->seq, top) && newest && td_seq_lt(seg->tsval, newest))
            return TRUE;
    }
    if (q->acked_tail_tsval && td_seq_le(top, q->una) && td_seq_lt(seg->seq, q->acked_tail_end)
        && td_seq_lt(q->acked_tail_start, top) && td_seq_lt(seg->tsval, q->acked_tail_tsval))
        return TRUE;
    if (q->trouble && td_seq_le(top, q->una)) {
        for (guint k = 0; k < TD_ACKED_RETX; k++) {
            const td_seqdir_trouble_t *t = q->trouble;
            if (t->acked_retx[k].copies && t->acked_retx[k].resent_tsval
                && td_seq_lt(seg->seq, t->acked_retx[k].end)
                && td_seq_lt(t->acked_retx[k].start, top)
                && td_seq_lt(seg->tsval, t->acked_retx[k].resent_tsval))
                return TRUE;
        }
    }
    return FALSE;
}

/* Data that lies below what was sent before: a retransmission, or a segment
 * that fills a hole sooner than a retransmission could (reordering). */
static void
resend(td_stream_t *s, guint8 dir, const td_segment_t *seg, guint32 end)
{
    td_seqdir_t *q = &s->seq[dir];
    gboolean seen = FALSE, hole = FALSE, refused = TRUE;
    double hole_time = 0.0, last_resent = 0.0;
    guint32 hole_tsval = 0;
    gboolean timer = FALSE;
    gboolean control = !seg->len; /* a FIN alone */
    td_seg_verdict_t *v;
    td_seqdir_trouble_t *acct;
    guint32 top = td_seq_lt(q->nxt, end) ? q->nxt : end;
    /* the receiver's right edge as its last ACK here set it (as for new
     * data, note_send) */
    gint64 rwnd = s->side[dir].rwnd;
    gboolean edge_known = q->ack_time > 0.0 && rwnd >= 0;
    guint32 edge = q->ack_high + (guint32)MIN(MAX(rwnd, 0), (gint64)G_MAXINT32);
    /* closed as the sender knew it: here, or opened too recently for the
     * news to have reached the sender before it sent this (from near the
     * receiver, the window update passes here a round trip to the sender
     * and back before a packet that answers it) */
    double to_sender = td_path_rtt_to(s, dir);
    gboolean closed = edge_known && (rwnd == 0 || (q->win_open_time > 0.0 && to_sender > 0.0
                                                   && seg->time - q->win_open_time < to_sender));

    sb_isolate(q, seg->seq, top);
    for (guint i = 0; i < q->n; i++) {
        td_sb_range_t *r = &q->r[i];
        if (!overlaps(r, seg->seq, top))
            continue;
        last_resent = MAX(last_resent, r->resent);
        /* only the resend of a copy the window refused is no loss: the
         * last copy of this part (a resend up to copy_end, else the first) */
        guint32 from = td_seq_lt(seg->seq, r->start) ? r->start : seg->seq;
        if (!(r->retx && td_seq_lt(from, r->copy_end) ? r->copy_beyond : r->beyond))
            refused = FALSE;
        if (r->frame) {
            seen = TRUE;
        } else {
            hole = TRUE;
            hole_time = r->sent;
            hole_tsval = r->tsval;
        }
    }
    /* A copy older than one already seen here (an older TSval) is not a
     * retransmission but the original, or an earlier copy, late on the
     * path: it arrived after its own retransmission (reordering, or one
     * packet held in a queue). */
    if (late_copy(q, seg, top)) {
        new_verdict(s, seg, TD_SEGCLASS_REORDERED);
        td_seqdir_trouble(q)->reordered++;
        return;
    }
    /* A hole filled sooner than one round trip after it showed, or by a
     * segment sent before the one that showed it (older TSval), is
     * reordering: a retransmission needs the receiver's ACK first. */
    if (hole && !seen) {
        double rtt = td_path_rtt_min(s, dir);
        gboolean older = seg->ts_known && hole_tsval && td_seq_lt(seg->tsval, hole_tsval);
        if (older || (rtt > 0.0 && seg->time - hole_time < 0.75 * rtt)) {
            new_verdict(s, seg, TD_SEGCLASS_REORDERED);
            td_seqdir_trouble(q)->reordered++;
            for (guint i = 0; i < q->n; i++) {
                if (overlaps(&q->r[i], seg->seq, top) && !q->r[i].frame) {
                    q->r[i].frame = seg->frame;
                    q->r[i].sent = seg->time;
                    q->r[i].tsval = seg->tsval;
                }
            }
            return;
        }
    }
    v = new_verdict(s, seg, TD_SEGCLASS_RETRANSMISSION);
    v->kind = (guint8)classify(s, dir, seg, end, last_resent, &timer);
    refused = refused && seen && !hole;
    v->loss_at = refused ? TD_LOSS_WINDOW : seen ? TD_LOSS_DOWNSTREAM
                 : hole ? TD_LOSS_UPSTREAM : TD_LOSS_UNKNOWN;
    for (guint i = 0; i < q->n && !v->prev_copy; i++) {
        if (overlaps(&q->r[i], seg->seq, top))
            v->prev_copy = q->r[i].verdict; /* the same data's copies so far */
    }
    acct = td_seqdir_trouble(q);
    if (control) {
        /* A FIN sent again without data: named like any retransmission
         * (its timer, a loss probe, the receiver's signal) but counted
         * apart: no data was resent, none lost, and a FIN's timeout is the
         * teardown's to judge (fin_retransmitted, abandoned). */
        v->control = TD_CTL_FIN;
        acct->control++;
        if (td_seq_le(end, q->una)) {
            v->spurious = TD_SPURIOUS_ACKED;
            acct->control_spurious++;
        }
    } else {
        if (td_seq_le(end, q->una)) {
            /* all of it acknowledged before: the data had arrived */
            v->spurious = TD_SPURIOUS_ACKED;
            acct->spurious++;
            acct->spurious_evidence |= TD_SPURIOUS_ACKED;
        }
        acct->retrans++;
        acct->retrans_kind[v->kind]++;
        if (refused && !v->spurious)
            acct->refused++;
        if (v->loss_at == TD_LOSS_DOWNSTREAM)
            acct->downstream++;
        else if (v->loss_at == TD_LOSS_UPSTREAM)
            acct->upstream++;
    }
    for (guint i = 0; i < q->n; i++) {
        td_sb_range_t *r = &q->r[i];
        if (!overlaps(r, seg->seq, top))
            continue;
        /* this copy goes into a closed window, or past its edge: the next
         * resend of it is no loss either. It covers the range up to top (a
         * range it covers in part had no room to split). */
        {
            guint32 to = td_seq_lt(top, r->end) ? top : r->end;
            r->copy_beyond = edge_known && td_seq_le(edge, r->start);
            if (!r->retx || td_seq_lt(r->copy_end, to))
                r->copy_end = to;
        }
        r->retx = (guint16)MIN(r->retx + 1, G_MAXUINT16);
        r->resent = seg->time;
        r->resent_tsval = seg->ts_known ? seg->tsval : 0;
        r->verdict = v;
        if (!r->frame) {
            r->frame = seg->frame; /* the data has now passed here */
            r->sent = seg->time;
        }
    }
    /* The timer fired while the receiver's window is closed: the sender
     * probes it with data (Linux tcp_retransmit_timer: "receiver dastardly
     * shrinks window. Our retransmits become zero probes", not counted in
     * TCPTimeouts). The wait is the zero window's (detect/td_stall.c), not
     * a timeout's. */
    if (timer && !control && !closed) {
        acct->timeouts++;
        rto_note(s, dir, seg);
    }
    if (v->kind == TD_RETX_RTO && (v->spurious & TD_SPURIOUS_ACKED) && acct->rto_open && !control)
        acct->rto_spurious = TRUE; /* its ACK passed here first: the data had arrived */
    if (!control)
        chain_note(s, dir, seg);
    /* Every retransmission restarts the timer (RFC 6298 5.5; Linux rearms
     * it after a loss probe and a fast retransmission too). */
    q->timer_time = seg->time;
    q->timer_frame = seg->frame;
}

static gboolean
is_duplicate(const td_stream_t *s, guint8 dir, const td_segment_t *seg)
{
    const td_seqdir_t *q = &s->seq[dir];

    return q->segments && seg->seq == q->last_seq && seg->len == q->last_len
           && seg->ack == q->last_ack && s->side[1 - dir].packets == q->peer_packets_at_last
           && seg->time - q->last_time < DUPLICATE_MAX_GAP;
}

/* A keep-alive probe: a new chain when the receiver sent anything since the
 * chain's first probe (an answered probe is a live peer). */
static void
keepalive_note(td_stream_t *s, guint8 dir, const td_segment_t *seg)
{
    td_seqdir_trouble_t *t = td_seqdir_trouble(&s->seq[dir]);
    guint32 peer_packets = s->side[1 - dir].packets;

    if (!t->ka_count || t->ka_peer_packets != peer_packets) {
        t->ka_count = 0;
        t->ka_first_frame = seg->frame;
        t->ka_peer_packets = peer_packets;
    }
    if (t->ka_count < TD_MAX_TIMES)
        td_times_set(s->scope, &t->ka_times, t->ka_count, seg->time);
    t->ka_count++;
}

int
td_seqspace_keepalive_dead_side(const td_stream_t *s)
{
    for (int d = 0; d < 2; d++) {
        const td_seqdir_trouble_t *t = s->seq[d].trouble; /* NULL: no keep-alive */
        if (t && t->ka_count >= KEEPALIVE_DEAD_PROBES
            && s->side[1 - d].packets == t->ka_peer_packets)
            return d;
    }
    return -1;
}

/* What the sender of seg sends. */
static void
note_send(td_stream_t *s, guint8 dir, const td_segment_t *seg)
{
    td_seqdir_t *q = &s->seq[dir];
    guint32 end = seg->seq + seg->len + !!(seg->flags & TD_SYN) + !!(seg->flags & TD_FIN);
    guint32 tsval = seg->ts_known ? seg->tsval : 0;

    if (seg->flags & TD_RST)
        return;
    if (!q->known) {
        if (!seg->len && !(seg->flags & (TD_SYN | TD_FIN)))
            return; /* a pure ACK tells where its sender is, not what it sent */
        q->known = TRUE;
        q->una = seg->seq;
        q->nxt = seg->seq;
        q->una_time = seg->time;
        q->una_frame = seg->frame;
        q->rcv_win = G_MAXUINT32;
    }
    if (!seg->len && !(seg->flags & (TD_SYN | TD_FIN))) {
        /* A keep-alive (RFC 9293 section 3.8.4) or zero-window probe: one
         * below the receiver's ACK, nothing outstanding. */
        if (seg->seq == q->una - 1 && q->nxt == q->una) {
            gboolean zw = s->side[dir].rwnd == 0;
            new_verdict(s, seg, zw ? TD_SEGCLASS_ZW_PROBE : TD_SEGCLASS_KEEPALIVE);
            if (zw) {
                td_seqdir_trouble(q)->zw_probes++;
            } else {
                td_seqdir_trouble(q)->keepalives++;
                keepalive_note(s, dir, seg);
            }
        }
        return;
    }
    if (seg->flags & TD_SYN) {
        syn_send(s, dir, seg);
        /* The handshake diagnosis judges SYNs; the model starts after it.
         * Data in a SYN (TCP Fast Open, RFC 7413) counts as sent once the
         * SYN-ACK acknowledges it: a server that declines it acknowledges
         * the SYN alone, and the client sends the data again as new data. */
        if (td_seq_lt(q->nxt, seg->seq + 1))
            q->nxt = seg->seq + 1;
        q->syn_data_end = end;
        q->last_tx_time = seg->time;
        return;
    }
    if (is_duplicate(s, dir, seg)) {
        new_verdict(s, seg, TD_SEGCLASS_DUPLICATE);
        td_seqdir_trouble(q)->duplicates++;
        return;
    }
    q->last_seq = seg->seq;
    q->last_len = seg->len;
    q->last_ack = seg->ack;
    q->last_time = seg->time;
    q->peer_packets_at_last = s->side[1 - dir].packets;
    if (seg->len)
        q->segments++;

    /* Probes: 1 byte one below the ACK with nothing outstanding (a
     * keep-alive with a garbage byte; a FIN there is the FIN sent again
     * after its ACK was lost), or at most 1 byte into a zero window
     * (RFC 9293 section 3.8.6.1). */
    if (seg->len <= 1 && seg->seq == q->una - 1 && q->nxt == q->una && !(seg->flags & TD_FIN)) {
        new_verdict(s, seg, TD_SEGCLASS_KEEPALIVE);
        td_seqdir_trouble(q)->keepalives++;
        keepalive_note(s, dir, seg);
        q->segments--;
        return;
    }
    if (seg->len <= 1 && s->side[dir].rwnd == 0 && !(seg->flags & TD_FIN)) {
        new_verdict(s, seg, TD_SEGCLASS_ZW_PROBE);
        td_seqdir_trouble(q)->zw_probes++;
        q->segments--;
        if (td_seq_lt(q->nxt, end)) {
            sb_append(q, q->nxt, end, seg->time, seg->frame, tsval, FALSE);
            q->zwp_seq = q->nxt;
            q->zwp_end = end;
            q->nxt = end;
        }
        q->last_tx_time = seg->time;
        return;
    }
    if (q->zwp_end && seg->seq == q->zwp_seq && q->una == q->zwp_seq && q->nxt == q->zwp_end
        && td_seq_lt(q->zwp_end, end)) {
        /* The byte a zero-window probe carried, refused by the closed
         * window (its ACK did not move), sent again with the data behind
         * it once the window opens: new data, not a retransmission (the
         * receiver discarded it, RFC 9293 section 3.8.6.1). */
        sb_truncate(q, q->zwp_seq);
        q->nxt = q->zwp_seq;
    }
    q->zwp_end = 0;

    /* Data the sender sent, as data: the data-phase detector compares its
     * size with what an ICMP error said the path carries. */
    s->seg_notes |= TD_NOTE_SENT;
    q->max_len = MAX(q->max_len, seg->len);
    if (td_seq_lt(seg->seq, q->nxt) && (seg->len || (seg->flags & TD_FIN))) {
        resend(s, dir, seg, end);
    } else if (td_seq_lt(q->nxt, seg->seq)) {
        /* a hole: the data between never passed the capture point */
        sb_append(q, q->nxt, seg->seq, seg->time, 0, tsval, FALSE);
    }
    if (td_seq_lt(q->nxt, end)) {
        guint32 from = td_seq_lt(seg->seq, q->nxt) ? q->nxt : seg->seq;
        /* The receiver's right edge as its last ACK here set it: data past
         * it is not acceptable (RFC 9293 section 3.10.7.4) and is dropped,
         * so its resend is no loss (a sender that overruns the window, or
         * sends into a closed one). Only a window seen (not the SYN's). */
        gint64 rwnd = s->side[dir].rwnd; /* scaled; -1 unknown (no handshake seen) */
        gboolean edge_known = q->ack_time > 0.0 && rwnd >= 0 && !(seg->flags & TD_FIN);
        guint32 edge = q->ack_high + (guint32)MIN(rwnd, (gint64)G_MAXINT32);

        if (edge_known && td_seq_lt(edge, end) && td_seq_lt(from, edge)) {
            sb_append(q, from, edge, seg->time, seg->frame, tsval, FALSE);
            sb_append(q, edge, end, seg->time, seg->frame, tsval, TRUE);
        } else {
            sb_append(q, from, end, seg->time, seg->frame, tsval,
                      edge_known && td_seq_le(edge, from));
        }
        q->nxt = end;
        if (seg->len && !q->timer_frame) {
            /* A flight begins: nothing was outstanding. After more than an
             * RTO of silence the sender's congestion window restarts small
             * (RFC 5681 4.1, RFC 2861; Linux tcp_cwnd_restart); the stall
             * detector reads how long it was silent. */
            q->flight_frame = seg->frame;
            q->flight_seq = seg->seq;
            q->flight_segs = 0;
            q->flight_idle = q->new_frame ? seg->time - q->last_tx_time : -1.0;
        }
        if (seg->len) {
            q->new_time = seg->time;
            q->new_frame = seg->frame;
            q->flight_segs++;
        }
        if (!q->timer_frame) {
            /* RFC 6298 5.1: sending data with none outstanding starts it */
            q->timer_time = q->progress_time = seg->time;
            q->timer_frame = q->progress_frame = seg->frame;
        }
        if (!q->timing && !s->seg_verdict) {
            q->timing = TRUE;
            q->timed_end = end;
            q->timed_at = seg->time;
        }
    }
    q->last_tx_time = seg->time;
}

void
td_seqspace_release(td_stream_t *s, guint8 dir)
{
    td_seqdir_t *q = &s->seq[dir];

    if (q->r && q->n == 0) {
        wmem_free(q->scope, q->r);
        q->r = NULL;
        q->cap = 0;
    }
}

void
td_seqspace_segment(td_stream_t *s, const td_segment_t *seg)
{
    s->seg_verdict = NULL;
    s->seg_notes = 0;
    note_ack(s, (guint8)(1 - seg->dir), seg);
    note_send(s, seg->dir, seg);
}

/* An ICMP error quoting data of the stream: "fragmentation needed" (ICMP 3/4,
 * RFC 1191) or "packet too big" (ICMPv6 2, RFC 8201) says a hop cannot carry
 * the sender's segments. */
void
td_seqspace_icmp(td_stream_t *s, const td_icmp_error_t *e)
{
    td_seqdir_t *q;
    td_seqdir_trouble_t *t;

    if (e->quoted_dir > 1 || !((e->ip_version == 4 && e->type == 3 && e->code == 4)
                               || (e->ip_version == 6 && e->type == 2)))
        return;
    q = &s->seq[e->quoted_dir];
    if (!q->known || !q->max_len)
        return;
    t = td_seqdir_trouble(q);
    if (!t->pmtu_icmps++) {
        t->pmtu_icmp_frame = e->frame;
        t->pmtu_mtu = e->mtu;
        t->pmtu_big = q->max_len;
        t->pmtu_v6 = e->ip_version == 6;
        t->pmtu_sender = e->sender ? wmem_strdup(s->scope, e->sender) : NULL;
    }
}

/* ------------------------------------------------------------ the account */

guint32
td_seqspace_in_flight(const td_stream_t *s, guint8 dir)
{
    const td_seqdir_t *q = &s->seq[dir];
    gint32 flight;

    if (!q->known || !q->ack_time)
        return 0;
    flight = (gint32)(q->nxt - (td_seq_lt(q->una, q->ack_high) ? q->ack_high : q->una));
    return flight > 0 ? (guint32)flight : 0;
}

void
td_seqspace_facts(const td_stream_t *s, td_seqspace_facts_t *f)
{
    f->keepalive_dead_side = (gint8)td_seqspace_keepalive_dead_side(s);
    for (guint8 d = 0; d < 2; d++) {
        const td_seqdir_t *q = &s->seq[d];
        td_dir_facts_t *o = &f->dir[d];
        const td_seqdir_trouble_t *t;

        o->in_flight = td_seqspace_in_flight(s, d);
        t = td_seqdir_trouble_of(q);
        o->segments = q->segments;
        o->retrans = t->retrans;
        o->lost = td_seqdir_lost(t);
        o->spurious = t->spurious;
        o->reordered = t->reordered;
        memcpy(o->kind, t->retrans_kind, sizeof(o->kind));
        o->timeouts = t->timeouts;
        o->dsacks = t->dsacks;
        o->keepalives = t->keepalives;
        o->ka_count = t->ka_count;
        o->zw_probes = t->zw_probes;
        o->duplicates = t->duplicates;
        o->control = t->control;
        o->upstream = t->upstream;
        o->downstream = t->downstream;
        /* It sent data after the handshake and resent it, and none of it
         * was ever acknowledged: the capture did not just end too soon. */
        o->never_acked = q->segments > 0 && t->retrans > 0
                         && q->una == s->side[d].base_seq + 1 && q->nxt != q->una;
    }
}
