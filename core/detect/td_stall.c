/* td_stall.c
 * Stall detection. A stall is time in which a side had data to send and was
 * held back; it is reported on the packet that ends it (the held segment
 * that finally leaves, the first data after a zero window, the timeout
 * retransmission), with its duration from where it began.
 *
 * Vantage point: expected delays are measured from the capture point, using
 * the two halves of the handshake: SYN -> SYN-ACK is the round trip from the
 * capture point to the server, SYN-ACK -> ACK the one to the client. Near the
 * client a held segment follows the late ACK within microseconds; near the
 * server about one client round trip later. Both are the same evidence.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "detect/td_stall.h"
#include "model/td_finding.h"
#include "model/td_path.h"


/* Tolerance on "immediately after" the releasing packet, on top of the
 * capture point's round trip to the sender: scheduling and timer jitter. */
#define RELEASE_SLACK 0.010

/* A segment held by Nagle leaves while the sender's stack processes the ACK
 * that releases it (Linux: tcp_rcv_established -> tcp_data_snd_check, in
 * the same softirq): tens of microseconds after the ACK reaches it (13 to
 * 320 us in this repo's captures taken at the sender, st_nagle_*). One
 * millisecond is three times the slowest seen; a segment later than that
 * after the ACK was written by the application after the ACK came: think
 * time, not Nagle (issue 27 item 7). */
#define LOCAL_RELEASE 0.001

/* RFC 1122 section 4.2.3.2: a delayed ACK MUST come within 0.5 s. An ACK
 * later than that (plus the slack) is not a delayed-ACK timer's: the path or
 * the receiver's host stalled, which Nagle does not explain. */
#define DELAYED_ACK_MAX 0.5

const td_side_stall_t td_side_no_stall; /* all zeros */

/* Side d's stall evidence, to write: allocated on its first event. In the
 * stream's own scope (its seqdir's), not s->scope, which is the conclusions'
 * while td_stream_finalize_in() runs: nothing here allocates then, and the
 * part must outlive them anyway. */
static td_side_stall_t *
side_stall(td_stream_t *s, guint8 d)
{
    if (!s->side[d].stall)
        s->side[d].stall = wmem_new0(s->seq[d].scope, td_side_stall_t);
    return s->side[d].stall;
}

/* Whether a packet from the sender, gap seconds after the releasing packet
 * passed the capture point, is its reaction: the release must first travel
 * to the sender, so the gap is one round trip from here to the sender, no
 * less and not much more. rtt < 0 (no handshake): only "at once" counts. */
static gboolean
reacts_to(double gap, double rtt)
{
    double slack = RELEASE_SLACK + (rtt > 0.0 ? 0.25 * rtt : 0.0);

    if (rtt < 0.0)
        rtt = 0.0;
    return gap >= rtt - slack && gap <= rtt + slack;
}

/* Count a stall that held a sender from begin to end. The stream's stall
 * time is the union of its stalls' intervals: one outage that holds both
 * senders, or overlapping detectors, never counts twice, so it never exceeds
 * the stream's duration. Stalls end in capture order, so the union needs only
 * the end of the time already counted. */
static void
count_stall(td_stream_t *s, td_code_t kind, double begin, double end, const char *detail)
{
    td_stall_account_t *a = &s->stall_account;
    double duration = end - begin, from = MAX(begin, a->counted_until);

    a->count++;
    if (end > from)
        a->time += end - from;
    a->counted_until = MAX(a->counted_until, end);
    if (duration > a->worst_time || a->worst == TD_CODE_NONE) {
        a->worst = kind;
        a->worst_time = duration;
        a->worst_detail = detail;
    }
}

static td_finding_t *
stall_add(td_stream_t *s, td_finding_t **out, td_code_t kind, guint32 frame, const char *detail,
          guint32 count, double begin, double end, guint32 begin_frame, guint32 trigger,
          const char *cause, const char *message)
{
    td_finding_t *f = td_finding_add_message(s, out, kind, frame, detail, count, end - begin,
                                             begin_frame, cause, message);
    f->trigger_frame = trigger;
    count_stall(s, kind, begin, end, detail);
    return f;
}

/* The delayed-ACK timer the measured excess points to: Linux's is 40 ms at
 * first (TCP_DELACK_MIN) and can grow to 200 ms (TCP_DELACK_MAX); BSD and
 * macOS use 100 ms (net.inet.tcp.delacktime); Windows 200 ms
 * (TcpAckFrequency/TcpDelAckTicks default). The bands meet half way. */
static const char *
delayed_ack_timer(double excess)
{
    if (excess < 0.070)
        return "about 40 ms: Linux's delayed-ACK timer";
    if (excess < 0.150)
        return "about 100 ms: the BSD/macOS delayed-ACK timer";
    if (excess < 0.300)
        return "about 200 ms: Windows' delayed-ACK timer, or Linux's longest";
    return "a delayed ACK near RFC 1122's 500 ms limit";
}

/* "the server's ACK (frame 12) came 40.2 ms late (about 40 ms: ...)": the
 * late ACK that released side d, with the timer its excess points to. */
static char *
late_ack_words(td_stream_t *s, guint8 d)
{
    const td_side_stall_t *me = td_side_stall_of(&s->side[d]);

    return wmem_strdup_printf(s->scope, "the %s's ACK (frame %u) came %s late (%s)",
                              td_side_name(s, 1 - d), me->late_ack_frame,
                              td_fmt_duration(s->scope, me->late_ack_excess),
                              delayed_ack_timer(me->late_ack_excess));
}

/* The largest segment side d may send: the smaller of the two MSS options
 * (each announces what its own interface carries, RFC 9293 3.7.1; 536 when
 * absent, RFC 9293 3.7.1 / RFC 1122 4.2.2.6), less room for options, or the
 * largest it sent (the model's). */
static guint32
full_segment(const td_stream_t *s, guint8 d)
{
    const td_side_t *me = &s->side[d], *peer = &s->side[1 - d];
    guint32 mss = peer->mss ? peer->mss : 536;

    if (me->mss && me->mss < mss)
        mss = me->mss;
    return MAX(s->seq[d].max_len, mss > 40 ? mss - 40 : mss);
}

/* A full segment released by a late ACK of a flight that began after the
 * sender was silent longer than any retransmission timeout it can have
 * (its minimum, min_rto, plus a round trip; RFC 6298 2.4, Linux TCP_RTO_MIN).
 * Its congestion window restarted small (RFC 5681 4.1, RFC 2861; Linux
 * tcp_cwnd_restart, Windows alike), so it sent a few segments and had to
 * wait for their ACK, which the receiver delayed: a lone segment, or the
 * odd one of a flight, waits for the delayed-ACK timer (RFC 1122 4.2.3.2).
 * Not Nagle: the segment is full, and TCP_NODELAY would change nothing. */
static void
check_idle_restart(td_stream_t *s, guint8 d, const td_segment_t *seg, td_finding_t **out)
{
    const td_side_stall_t *me = td_side_stall_of(&s->side[d]);
    char *msg;

    if (me->late_ack_idle < 0.0 || s->path.initial_rtt < 0.0
        || me->late_ack_idle < s->cfg->min_rto + s->path.initial_rtt)
        return;
    msg = wmem_strdup_printf(s->scope, "Window restart x delayed ACK: after %s idle the %s "
                             "sent %u segment%s; %s",
                             td_fmt_duration(s->scope, me->late_ack_idle), td_side_name(s, d),
                             me->late_ack_flight, me->late_ack_flight == 1 ? "" : "s",
                             late_ack_words(s, d));
    stall_add(s, out, TD_ST_IDLE_RESTART, seg->frame, "idle_restart", me->late_ack_flight,
                 me->late_ack_from, seg->time, me->late_ack_from_frame, me->late_ack_frame,
                 wmem_strdup_printf(s->scope, "The %s's congestion window restarted after idle "
                                    "(RFC 5681 4.1): keep it (Linux: net.ipv4.tcp_slow_start_"
                                    "after_idle=0), or have the %s ACK at once (Windows: "
                                    "TcpAckFrequency=1; TCP_QUICKACK)",
                                    td_side_name(s, d), td_side_name(s, 1 - d)),
                 msg);
}

static void
check_nagle(td_stream_t *s, guint8 d, const td_segment_t *seg, td_finding_t **out)
{
    td_side_stall_t *me = s->side[d].stall;

    if (!me || !me->late_ack_frame)
        return;
    /* The held segment starts where the late ACK ended and leaves as soon
     * as the ACK can have reached the sender: one round trip from here to
     * it. Nagle holds only segments smaller than a full one. */
    if (seg->seq != s->seq[d].una
        || !reacts_to(seg->time - me->late_ack_time, td_path_rtt_to(s, d))) {
        me->late_ack_frame = 0;
        return;
    }
    /* Later than the sender's own reaction to the ACK: where the capture
     * point is next to the sender (its round trip is all but nothing and
     * no path jitter is in between) the application wrote it after the ACK
     * came, and nothing was held; elsewhere the path's jitter may hide
     * either, and the stall is only possible. */
    me->held_unsure = FALSE;
    if (seg->time - me->late_ack_time > MAX(td_path_rtt_to(s, d), 0.0) + LOCAL_RELEASE) {
        guint share;
        td_vantage_t v = td_path_vantage(s, &share);
        gboolean at_sender = (v == TD_VANTAGE_CLIENT && (int)d == s->client)
                             || (v == TD_VANTAGE_SERVER && (int)d == 1 - s->client);
        if (at_sender) {
            me->late_ack_frame = 0;
            return;
        }
        me->held_unsure = TRUE;
    }
    /* A full segment is never held by Nagle; a small one behind a flight of
     * full segments after idle waited for the restarted window, on any
     * stack (Linux's Nagle would not hold it behind full segments at all:
     * tcp_minshall_check). */
    if (seg->len >= full_segment(s, d) || me->late_ack_full) {
        check_idle_restart(s, d, seg, out);
        me->late_ack_frame = 0;
        return;
    }
    /* Released: whether it was held by Nagle shows at the next packet. */
    me->held_frame = seg->frame;
    me->held_len = seg->len;
    me->held_time = seg->time;
}

/* The stream's next packet after a release (check_nagle). Nagle (RFC 896,
 * RFC 1122 4.2.3.4) lets one small segment out when all is acknowledged and
 * holds the next small one until that is acknowledged too: a sender that
 * sends more new data before any reply was not held by Nagle but by its
 * congestion window (a flight after a slow-start restart, say) or its
 * application. Anything else (the receiver's ACK, typically) confirms the
 * stall, which is reported on that packet: a single pass can mark it there,
 * as it must (the held segment has been drawn already). */
static void
check_held(td_stream_t *s, guint8 d, const td_segment_t *seg, td_finding_t **out)
{
    td_side_stall_t *me = s->side[d].stall;
    char *msg;

    if (!me || !me->held_frame || seg->frame == me->held_frame)
        return;
    if (seg->dir == d && seg->len) {
        me->held_frame = 0; /* more data right behind it: a flight */
        return;
    }
    msg = wmem_strdup_printf(s->scope, "%s: the %s held %u bytes (%sframe %u) for %s until %s",
                             me->held_unsure ? "Possibly Nagle x delayed ACK, or think time"
                                             : "Nagle x delayed ACK",
                             td_side_name(s, d), me->held_len,
                             me->held_unsure ? "" : "sent in ", me->held_frame,
                             td_fmt_duration(s->scope, me->held_time - me->late_ack_from),
                             late_ack_words(s, d));
    stall_add(s, out, TD_ST_NAGLE_DELAYED_ACK, seg->frame,
                 me->held_unsure ? "nagle_or_think_time" : "nagle_delayed_ack", me->held_len,
                 me->late_ack_from, me->held_time, me->late_ack_from_frame, me->late_ack_frame,
                 wmem_strdup_printf(s->scope, "Fix on the %s: TCP_NODELAY, or coalesce its "
                                    "writes (write-write-read); or TCP_QUICKACK on the %s",
                                    td_side_name(s, d), td_side_name(s, 1 - d)),
                 msg);
    me->held_frame = 0;
}

/* A pure ACK from d acknowledging all of the peer's data, late for the round
 * trip to d: the peer may have been holding a small segment (Nagle). The
 * peer's data and what this ACK acknowledged come from the model
 * (model/td_seqspace.c), which has already taken this ACK. */
static void
note_ack(td_stream_t *s, guint8 d, const td_segment_t *seg)
{
    td_side_stall_t *peer;
    const td_seqdir_t *q = &s->seq[1 - d];
    double back = td_path_rtt_to(s, d), excess;

    if (!(seg->flags & TD_ACK) || q->una_frame != seg->frame)
        return; /* it acknowledged nothing new */
    if (s->side[1 - d].stall)
        s->side[1 - d].stall->late_ack_frame = 0;
    if (seg->len || (seg->flags & (TD_SYN | TD_FIN | TD_RST)) || back < 0.0
        || seg->ack != q->nxt || !q->new_frame)
        return;
    /* Only a lone segment waits for the delayed-ACK timer: a receiver ACKs
     * at least every second full-sized segment at once (RFC 1122 4.2.3.2,
     * RFC 5681 4.2). An ACK of more came late for another reason (a
     * congestion-window-limited flight, a slow path). */
    if (q->una_advance >= 2 * full_segment(s, (guint8)(1 - d)))
        return;
    /* Data from the receiver since the sender's last data: what the sender
     * sends next may answer it (the next request after a response, a TLS
     * Finished after the peer's). Nagle holds data the application already
     * wrote; an answer was not written yet. */
    if (s->seq[d].new_frame && s->seq[d].new_time > q->new_time)
        return;
    /* A delayed ACK is the receiver's first packet since the data arrived:
     * anything it sends carries its ACK and stops the timer. A receiver that
     * sent something else meanwhile (an ACK burst, reordered ACKs) was not
     * waiting for its timer. Its packets caused by earlier data pass here
     * no later than one round trip after the sender's last data. */
    if (s->side[d].last_time > q->new_time + back + RELEASE_SLACK)
        return;
    excess = seg->time - q->new_time - back;
    if (excess < s->cfg->delayed_ack_min || excess > DELAYED_ACK_MAX + RELEASE_SLACK)
        return;
    peer = side_stall(s, (guint8)(1 - d));
    peer->late_ack_frame = seg->frame;
    peer->late_ack_time = seg->time;
    peer->late_ack_excess = excess;
    peer->late_ack_from = q->new_time;
    peer->late_ack_from_frame = q->new_frame;
    /* A window restart shows as a flight whose first ACK is this late one:
     * a sender with a larger window would have sent more on earlier ACKs. */
    peer->late_ack_idle = q->flight_frame && q->una - q->una_advance == q->flight_seq
                          ? q->flight_idle : -1.0;
    peer->late_ack_flight = q->flight_segs;
    /* that flight was of full segments (up to option space and TSO-style
     * sizes of some stacks: 64 bytes each) */
    peer->late_ack_full = peer->late_ack_idle >= 0.0 && q->flight_segs
                          && q->una_advance + 64 * q->flight_segs
                                 >= q->flight_segs * full_segment(s, (guint8)(1 - d));
}

/* A zero window from d blocks its peer; the next window above 0 reopens it.
 * (The window itself is the model's: side->rwnd, model/td_endpoint.c.) */
static void
note_window(td_stream_t *s, guint8 d, const td_segment_t *seg)
{
    td_side_t *peer = &s->side[1 - d];

    if (seg->flags & (TD_RST | TD_SYN))
        return;
    if (seg->win == 0) {
        td_side_stall_t *blocked = side_stall(s, (guint8)(1 - d));

        if (!blocked->zw_frame || blocked->zw_update_frame) {
            blocked->zw_frame = seg->frame;
            blocked->zw_time = seg->time;
            blocked->zw_update_frame = 0;
            blocked->zw_probes = 0;
        }
    } else if (peer->stall && peer->stall->zw_frame && !peer->stall->zw_update_frame) {
        peer->stall->zw_update_frame = seg->frame;
        peer->stall->zw_update_time = seg->time;
    }
}

static void
check_zero_window(td_stream_t *s, guint8 d, const td_segment_t *seg, gboolean sends,
                  td_finding_t **out)
{
    td_side_stall_t *me = s->side[d].stall;
    double duration;
    char *msg;

    if (!me || !me->zw_frame)
        return;
    if (!me->zw_update_frame) {
        /* window still closed: what it sends now probes it */
        if (!(seg->flags & (TD_SYN | TD_FIN | TD_RST))) {
            if (me->zw_probes < TD_MAX_TIMES)
                td_times_set(s->scope, &me->zw_probe_times, me->zw_probes, seg->time);
            me->zw_probes++;
        }
        return;
    }
    if (!sends)
        return;
    duration = seg->time - me->zw_time;
    /* Without probes, data soon after the update shows it was waiting
     * (without a handshake, "soon" is the slack alone). */
    if (me->zw_probes == 0 && !reacts_to(seg->time - me->zw_update_time, td_path_rtt_to(s, d))) {
        me->zw_frame = 0; /* it had nothing waiting: not a stall */
        return;
    }
    msg = wmem_strdup_printf(s->scope, "Zero window: the %s could not send for %s (window 0 from "
                             "frame %u, reopened in frame %u)%s%s", td_side_name(s, d),
                             td_fmt_duration(s->scope, duration), me->zw_frame,
                             me->zw_update_frame, me->zw_probes ? "; probes at " : "",
                             me->zw_probes > 1 ? td_times_intervals(s->scope, &me->zw_probe_times,
                                                                  MIN(me->zw_probes, TD_MAX_TIMES))
                                               : (me->zw_probes ? "+0" : ""));
    stall_add(s, out, TD_ST_ZERO_WINDOW, seg->frame, "zero_window", me->zw_probes,
              me->zw_time, seg->time, me->zw_frame, me->zw_update_frame,
              wmem_strdup_printf(s->scope, "The %s's application is not reading its socket fast "
                                 "enough (blocked, busy, or too small a receive buffer)",
                                 td_side_name(s, 1 - d)), msg);
    me->zw_frame = 0;
    me->wf_frame = 0;
    me->zw_end_time = seg->time;
}

/* Whether the window side d filled was the 16-bit field's limit: both SYNs
 * seen, window scaling not negotiated (both must offer it, RFC 7323 section
 * 2.2), and a window within two segments of 65,535 bytes (a receiver rounds
 * its window down to whole segments, Linux tcp_select_window: 64,240 bytes
 * at an MSS of 1,460; and may hold back one for silly window syndrome
 * avoidance, RFC 9293 section 3.8.6.2.2). A smaller window is its buffer's. */
static gboolean
unscaled_window(const td_stream_t *s, guint8 d, guint32 window)
{
    const td_side_t *me = &s->side[d], *peer = &s->side[1 - d];
    guint32 mss = me->mss ? me->mss : 1460;

    return me->syn_seen && peer->syn_seen
           && (me->wscale == TD_NO_WSCALE || peer->wscale == TD_NO_WSCALE)
           && window <= 65535 && window + 2 * mss >= 65535;
}

static void
check_window_full(td_stream_t *s, guint8 d, const td_segment_t *seg, td_finding_t **out)
{
    td_side_stall_t *me = s->side[d].stall;
    const td_side_t *peer = &s->side[1 - d];
    double wait;
    char *msg;

    if (me && me->wf_frame && seg->frame != me->wf_frame) {
        wait = seg->time - me->wf_time;
        if (wait >= s->cfg->window_full_min) {
            gboolean unscaled = unscaled_window(s, d, me->wf_window);
            /* The SYN offers window scaling and the SYN-ACK may only answer
             * an offer: the client did not offer it, or the server did not
             * accept. Unscaled, the 16-bit field, not the receiver's buffer,
             * was the limit: no more than 65,535 bytes in flight (RFC 7323
             * section 1.1), however large the buffer and fast the reader. */
            int c = s->client < 0 ? 0 : s->client;
            const char *why = s->side[c].wscale != TD_NO_WSCALE ? "server did not accept it"
                                                                 : "client's SYN did not offer it";
            msg = unscaled
                  ? wmem_strdup_printf(s->scope, "Window full at %u bytes without window "
                                       "scaling (the %s): the %s filled the %s's window (frame "
                                       "%u) and waited %s; 64 KB a round trip at most",
                                       me->wf_window, why, td_side_name(s, d),
                                       td_side_name(s, 1 - d), me->wf_frame,
                                       td_fmt_duration(s->scope, wait))
                  : wmem_strdup_printf(s->scope, "Window full: the %s filled the %s's receive "
                                       "window (frame %u) and waited %s for it to open",
                                       td_side_name(s, d), td_side_name(s, 1 - d), me->wf_frame,
                                       td_fmt_duration(s->scope, wait));
            stall_add(s, out, TD_ST_WINDOW_FULL, seg->frame,
                      unscaled ? "no_window_scaling" : "window_full", 0, me->wf_time, seg->time,
                      me->wf_frame, peer->last_frame_seen,
                      unscaled ? "Window scaling is off (net.ipv4.tcp_window_scaling=0, an old "
                                 "stack) or a middlebox strips the option: not the buffer or "
                                 "the reader. Enable it"
                               : "The receive buffer is too small for the bandwidth-delay "
                                 "product, or the receiver reads slowly", msg);
        }
        me->wf_frame = 0;
    }
    if (s->side[d].rwnd > 0 && (gint64)td_seqspace_in_flight(s, d) >= s->side[d].rwnd) {
        me = side_stall(s, d);
        me->wf_frame = seg->frame;
        me->wf_time = seg->time;
        me->wf_window = (guint32)MIN(s->side[d].rwnd, (gint64)G_MAXUINT32);
    }
}

/* The sender's wait on its retransmission timer, which the model ended on
 * this segment's ACK (TD_NOTE_RTO_ENDED): from its last progress to the
 * timeout retransmission that got through. */
static void
report_rto(td_stream_t *s, guint8 dir, guint32 frame, td_finding_t **out)
{
    const td_seqdir_trouble_t *t = s->seq[dir].trouble; /* it timed out: it exists */
    double zw_end = td_side_stall_of(&s->side[dir])->zw_end_time;
    double begin = t->rto_begin, duration;
    char *msg;

    /* A wait that began in a zero-window stall is that stall, already
     * reported, up to its end (one wait is one stall): what is left is the
     * timer's, if anything (the timeout's retransmission was what the
     * reopened window let through). */
    if (zw_end > 0.0 && zw_end >= begin) {
        if (t->rto_last <= zw_end)
            return;
        begin = zw_end;
    }
    duration = t->rto_last - begin;

    if (t->rto_spurious) {
        /* The ACK that ends it answers a transmission sent before the
         * timeout's (model/td_seqspace.c: Eifel, RFC 3522, or an ACK too
         * early for the retransmission): the data had arrived. The sender
         * really waited, but for its ACKs, not for lost data. */
        msg = wmem_strdup_printf(s->scope, "Spurious retransmission timeout: the %s waited %s "
                                 "for its timer (%u timeout%s, the last in frame %u), but this "
                                 "ACK answers the data sent before: it had arrived, its ACKs "
                                 "came back late or not at all",
                                 td_side_name(s, dir), td_fmt_duration(s->scope, duration),
                                 t->rto_count, t->rto_count > 1 ? "s" : "", t->rto_last_frame);
        stall_add(s, out, TD_ST_RTO, frame, "spurious", t->rto_count, begin, t->rto_last,
                  t->rto_begin_frame, t->rto_last_frame,
                  "The ACK path, not the data: ACKs lost on the way back (a path down in that "
                  "direction or both) or delayed (a queue filling, a radio link), longer than the "
                  "sender's timer",
                  msg);
        return;
    }
    msg = wmem_strdup_printf(s->scope, "Retransmission timeout: the %s waited %s for its timer "
                             "(%u timeout%s, the last in frame %u) before this ACK",
                             td_side_name(s, dir), td_fmt_duration(s->scope, duration),
                             t->rto_count, t->rto_count > 1 ? "s with backoff" : "",
                             t->rto_last_frame);
    stall_add(s, out, TD_ST_RTO, frame, "rto", t->rto_count, begin, t->rto_last,
              t->rto_begin_frame, t->rto_last_frame,
              "Loss with too little data in flight to signal it (no duplicate ACKs or SACK), "
              "or a path that went dead for a while", msg);
}

void
td_stall_segment(td_stream_t *s, const td_segment_t *seg, td_finding_t **out)
{
    guint8 d = seg->dir;
    const td_seg_verdict_t *v = s->seg_verdict;
    /* Data the model took as new: not a retransmission, probe, duplicated
     * frame or reordered segment (model/td_seqspace.c classified it first). */
    gboolean new_data = seg->len > 0 && !v && s->seq[d].new_frame == seg->frame;
    /* Data of any kind but a probe or a duplicated frame: the sender is
     * sending again (after a zero window it often resends first what the
     * closed window refused). */
    gboolean sends = seg->len > 0 && (!v || v->segclass == TD_SEGCLASS_RETRANSMISSION
                                      || v->segclass == TD_SEGCLASS_REORDERED);

    /* the peer's wait on its timer, ended by this segment's ACK */
    if (s->seg_notes & TD_NOTE_RTO_ENDED)
        report_rto(s, (guint8)(1 - d), seg->frame, out);

    /* a release waiting for this packet to tell a lone segment from a flight */
    check_held(s, 0, seg, out);
    check_held(s, 1, seg, out);

    /* as the receiver of the peer's data */
    note_window(s, d, seg);
    note_ack(s, d, seg);

    /* as a sender */
    if (seg->flags & TD_RST)
        return;
    if (seg->flags & TD_SYN)
        return;
    check_zero_window(s, d, seg, sends, out);
    if (seg->len && td_side_stall_of(&s->side[1 - d])->late_ack_frame) {
        /* data after the late ACK: the peer's next segment may answer it */
        s->side[1 - d].stall->late_ack_frame = 0;
    }
    if (!new_data)
        return;
    check_nagle(s, d, seg, out);
    check_window_full(s, d, seg, out);
}

/* The stall side d is in at the stream's last packet, if any: a zero window
 * it was probing or had data behind (in_flight: its bytes unacknowledged),
 * or a retransmission never acknowledged. */
static td_code_t
open_stall(const td_stream_t *s, guint8 d, guint32 in_flight, double *duration)
{
    const td_side_stall_t *me = td_side_stall_of(&s->side[d]);
    const td_seqdir_t *q = &s->seq[d];
    gboolean data_waiting = !q->known || !q->ack_time || in_flight > 0;

    if (me->zw_frame && !me->zw_update_frame && (me->zw_probes || data_waiting)) {
        *duration = s->last_time - me->zw_time;
        return TD_ST_ZERO_WINDOW;
    }
    if (q->trouble && q->trouble->rto_open) {
        *duration = s->last_time - q->trouble->rto_begin;
        return TD_ST_RTO;
    }
    return TD_CODE_NONE;
}

td_stall_kind_t
td_stall_kind(td_code_t code)
{
    switch (code) {
    case TD_ST_NAGLE_DELAYED_ACK: return TD_STALL_NAGLE;
    case TD_ST_IDLE_RESTART:      return TD_STALL_IDLE_RESTART;
    case TD_ST_ZERO_WINDOW:       return TD_STALL_ZERO_WINDOW;
    case TD_ST_WINDOW_FULL:       return TD_STALL_WINDOW_FULL;
    default:                      return TD_STALL_RTO;
    }
}

void
td_stall_publish(const td_stream_t *s, const td_seqspace_facts_t *facts, td_stall_part_t *out)
{
    const td_stall_account_t *a = &s->stall_account;
    double counted_until = a->counted_until;

    out->pending = 0;
    out->count = a->count;
    out->time = a->time;
    out->worst = a->worst;
    out->worst_time = a->worst_time;
    out->worst_detail = a->worst_detail;
    memset(out->kind_time, 0, sizeof(out->kind_time));
    if (a->count) {
        /* each stall that ended is a finding (a concluded stream's open
         * ones too) */
        for (const td_finding_t *f = s->last_finding; f; f = f->stream_prev) {
            if (TD_IS_STALL(f->code))
                out->kind_time[td_stall_kind(f->code)] += f->duration;
        }
    }
    if (s->finalized)
        return; /* what was open is counted */
    /* Stalls still open at the stream's last packet count as if the
     * capture ended there. */
    for (guint8 d = 0; d < 2; d++) {
        double t = 0.0, from;
        td_code_t kind = open_stall(s, d, facts->dir[d].in_flight, &t);

        if (kind == TD_CODE_NONE)
            continue;
        out->pending |= TD_CODE_BIT(kind);
        out->count++;
        out->kind_time[td_stall_kind(kind)] += t;
        from = MAX(s->last_time - t, counted_until);
        if (s->last_time > from)
            out->time += s->last_time - from;
        counted_until = MAX(counted_until, s->last_time);
        if (t > out->worst_time || out->worst == TD_CODE_NONE) {
            out->worst = kind;
            out->worst_time = t;
            out->worst_detail = "open";
        }
    }
}

void
td_stall_finalize(td_stream_t *s, td_finding_t **out)
{
    for (guint8 d = 0; d < 2; d++) {
        double t = 0.0;
        td_code_t kind = open_stall(s, d, td_seqspace_in_flight(s, d), &t);
        gboolean zw = kind == TD_ST_ZERO_WINDOW;
        /* An open stall has its evidence (neither part is allocated here,
         * in what may be the conclusions' scope). */
        td_side_stall_t *me = s->side[d].stall;
        td_seqdir_trouble_t *q = s->seq[d].trouble;

        if (kind == TD_CODE_NONE)
            continue;
        stall_add(s, out, kind, s->last_frame, "open", zw ? me->zw_probes : q->rto_count,
                  s->last_time - t, s->last_time, zw ? me->zw_frame : q->rto_begin_frame, 0,
                  zw ? "The receiving application stopped reading"
                     : "The peer or the path went dead",
                  wmem_strdup_printf(s->scope, "Stall still open at the stream's last packet: "
                                     "the %s was held back for %s (%s)", td_side_name(s, d),
                                     td_fmt_duration(s->scope, t),
                                     zw ? "zero window, never reopened"
                                        : "retransmission never acknowledged"));
        if (me)
            me->zw_frame = 0;
        if (q)
            q->rto_open = FALSE;
    }
    /* No wait on a timer is open once the stream is concluded: one behind
     * a zero window that never reopened ends with the stream too. */
    for (guint8 d = 0; d < 2; d++) {
        if (s->seq[d].trouble)
            s->seq[d].trouble->rto_open = FALSE;
    }
}
