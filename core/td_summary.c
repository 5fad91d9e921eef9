/* td_summary.c
 * A stream's severity and its one-line diagnosis for the TCP Diagnosis table.
 *
 * The line is the message of the finding that earns the severity when a
 * segment produced it. Conclusions that only the end of the capture proves
 * (an unanswered SYN, CLOSE_WAIT, abandoned) are worded here from the
 * stream's state instead of the end-of-capture finding, whose message counts
 * the time until the capture ends: single-pass tshark never sees that end.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "td_summary.h"
#include "td_finding.h"
#include "td_handshake.h"
#include "td_teardown.h"
#include "td_seqspace.h"



/* The newest finding of code that a segment (not the end of the capture) drew. */
static const td_finding_t *
segment_finding(const td_stream_t *s, td_code_t code)
{
    const td_finding_t *f = s->finalized ? s->last_segment_finding : s->last_finding;

    for (; f; f = f->stream_prev) {
        if (f->code == code)
            return f;
    }
    return NULL;
}

/* The client sent data after the handshake, retransmitted it, and none of
 * it was ever acknowledged. */
static gboolean
client_data_never_acked(const td_stream_t *s)
{
    const td_seqdir_t *q;

    if (s->client < 0)
        return FALSE;
    q = &s->seq[s->client];
    /* ... and it retransmitted it: the capture did not just end too soon */
    return q->segments > 0 && td_seqdir_trouble_of(q)->retrans > 0
           && q->una == s->side[s->client].base_seq + 1 && q->nxt != q->una;
}

td_stream_severity_t
td_stream_severity(const td_stream_t *s, td_code_t *headline)
{
    const td_snapshot_t *v = td_stream_snapshot(s);

    *headline = v->headline;
    return (td_stream_severity_t)v->severity;
}

int
td_summary_rank(const td_stream_t *s, const td_snapshot_t *v, td_code_t *headline)
{
    const guint32 failed = TD_CODE_BIT(TD_HS_REJECTED) | TD_CODE_BIT(TD_HS_SYN_UNANSWERED)
                           | TD_CODE_BIT(TD_HS_INCOMPLETE);
    const guint32 broken = TD_CODE_BIT(TD_TD_ABANDONED) | TD_CODE_BIT(TD_TD_RESET)
                           | TD_CODE_BIT(TD_TD_FIN_RETRANSMITTED) | TD_CODE_BIT(TD_TD_HALF_CLOSED);
    const guint32 slow = TD_CODE_BIT(TD_HS_ACK_LOST) | TD_CODE_BIT(TD_HS_SYNACK_LOST)
                         | TD_CODE_BIT(TD_HS_SYN_RETRANSMITTED);
    td_code_t hs = v->handshake, td = v->teardown;
    const td_finding_t *graceful = segment_finding(s, TD_TD_GRACEFUL);
    /* A RST after the peer's FIN with all data delivered only ends the
     * connection (td_teardown.c); like a late FIN it is worth a note, not a
     * failure: it ranks below real aborts. */
    gboolean benign_reset = td == TD_TD_RESET && s->rst_finding
                            && (g_str_equal(s->rst_finding->detail, "after_peer_fin")
                                || g_str_equal(s->rst_finding->detail, "late_close"));
    gboolean late_close = td == TD_TD_GRACEFUL && graceful
                          && g_str_equal(graceful->detail, "late_close");

    if (hs != TD_CODE_NONE && (v->codes & failed) && !s->established_frame) {
        *headline = hs; /* the root cause: lost SYN-ACKs rather than "incomplete" */
        return TD_STREAM_FAILED;
    }
    /* The client believes the connection is up, the server never got the
     * third ACK, and none of the client's data was ever acknowledged: the
     * connection never worked (the server never left SYN_RECV). */
    if (hs == TD_HS_ACK_LOST && client_data_never_acked(s)) {
        *headline = hs;
        return TD_STREAM_FAILED;
    }
    /* A SYN "rejected" by a RST, then answered by the real SYN-ACK: the RST
     * was injected, which is as serious as a reset. */
    if (hs == TD_HS_REJECTED) {
        *headline = hs;
        return TD_STREAM_BROKEN;
    }
    /* A dead peer found by keep-alive is the cause; the reset that may
     * follow is the prober giving up. */
    if (td_seqspace_keepalive_dead_side(s) >= 0) {
        *headline = TD_DT_KEEPALIVE_DEAD;
        return TD_STREAM_BROKEN;
    }
    if (td != TD_CODE_NONE && (TD_CODE_BIT(td) & broken) && !benign_reset) {
        *headline = td;
        return TD_STREAM_BROKEN;
    }
    if (v->stalls) {
        *headline = v->worst_stall;
        return TD_STREAM_STALLED;
    }
    /* Lost data costs throughput even when recovered without a stall; it
     * ranks above a slow connect, which cost one timeout once. */
    if (td_seqspace_pending(s) & TD_CODE_BIT(TD_DT_LOSS)) {
        /* segments too large for a hop: the cause of that loss */
        *headline = segment_finding(s, TD_DT_PATH_MTU) ? TD_DT_PATH_MTU : TD_DT_LOSS;
        return TD_STREAM_LOSSY;
    }
    if (hs != TD_CODE_NONE && (TD_CODE_BIT(hs) & slow)) {
        *headline = hs;
        return TD_STREAM_SLOW;
    }
    if (benign_reset || late_close) {
        *headline = td;
        return TD_STREAM_NOTE;
    }
    if (hs != TD_CODE_NONE && td_code_info(hs)->severity == TD_SEV_NOTE) {
        *headline = hs;
        return TD_STREAM_NOTE;
    }
    *headline = TD_CODE_NONE;
    return TD_STREAM_HEALTHY;
}

const char *
td_stream_severity_label(td_stream_severity_t severity)
{
    switch (severity) {
    case TD_STREAM_FAILED:  return "1 failed";
    case TD_STREAM_BROKEN:  return "2 broken";
    case TD_STREAM_STALLED: return "3 stalled";
    case TD_STREAM_LOSSY:   return "4 lossy";
    case TD_STREAM_SLOW:    return "5 slow";
    case TD_STREAM_NOTE:    return "6 note";
    case TD_STREAM_HEALTHY: return "7 healthy";
    }
    return "7 healthy";
}

static const char *
stall_words(td_code_t kind, const char **remedy)
{
    switch (kind) {
    case TD_ST_NAGLE_DELAYED_ACK:
        *remedy = "TCP_NODELAY or coalesced writes fix it";
        return "Nagle x delayed ACK";
    case TD_ST_ZERO_WINDOW:
        *remedy = "the receiving application is not reading";
        return "zero window";
    case TD_ST_WINDOW_FULL:
        *remedy = "receive buffer too small, or a slow reader";
        return "window full";
    case TD_ST_IDLE_RESTART:
        *remedy = "keep the window across idle (tcp_slow_start_after_idle=0) or ACK at once";
        return "window restart after idle x delayed ACK";
    default:
        *remedy = "loss with too little data in flight for fast retransmit, or a dead path";
        return "retransmission timeout";
    }
}

static void
append_stalls(wmem_allocator_t *scope, wmem_strbuf_t *buf, const td_stream_t *s)
{
    guint32 stalls;
    double total, worst_time;
    td_code_t worst;
    const char *remedy, *words;

    td_stream_stalls(s, &stalls, &total, &worst, &worst_time);
    words = stall_words(worst, &remedy);
    wmem_strbuf_append_printf(buf, "%u stall%s, %s lost", stalls, stalls > 1 ? "s" : "",
                              td_fmt_duration(scope, total));
    if (stalls > 1)
        wmem_strbuf_append_printf(buf, "; the longest: %s for %s", words,
                                  td_fmt_duration(scope, worst_time));
    else
        wmem_strbuf_append_printf(buf, " to %s", words);
    wmem_strbuf_append_printf(buf, " (%s)", remedy);
}

/* The end-of-capture conclusions, in words that do not depend on the end. */
static void
append_concluded(wmem_allocator_t *scope, wmem_strbuf_t *buf, const td_stream_t *s, td_code_t code)
{
    int d;

    switch (code) {
    case TD_HS_SYN_UNANSWERED: {
        guint n = MIN(s->syn_count, TD_MAX_SYN_TIMES);
        wmem_strbuf_append_printf(buf, "SYN never answered: %u SYN%s", s->syn_count,
                                  s->syn_count > 1 ? "s" : "");
        if (n > 1)
            wmem_strbuf_append_printf(buf, " over %s",
                                      td_fmt_duration(scope, td_times_span(&s->syn_times, n)));
        wmem_strbuf_append(buf, (s->hs_flags & TD_HSF_CLIENT_RESET)
                           ? ", then the client reset the attempt"
                           : ", no SYN-ACK, RST or ICMP came back (server down or unreachable, "
                             "or a firewall drops the SYN)");
        break;
    }
    case TD_HS_SYNACK_LOST:
        wmem_strbuf_append_printf(buf, "SYN-ACK lost: the client kept sending its SYN after the "
                                  "server's SYN-ACK (frame %u), so the SYN-ACKs never reached it",
                                  s->synack_first_frame);
        break;
    case TD_HS_INCOMPLETE:
        wmem_strbuf_append(buf, "Handshake incomplete: the server's SYN-ACK");
        if (s->synack_count > 1)
            wmem_strbuf_append_printf(buf, " (sent %u times)", s->synack_count);
        wmem_strbuf_append(buf, " was never acknowledged by the client");
        break;
    case TD_HS_MIDSTREAM: {
        if (td_handshake_client_direction_only(s))
            wmem_strbuf_append(buf, "Cannot tell: the capture holds only the client's direction, "
                               "so handshake and RTT verdicts are unavailable");
        else
            wmem_strbuf_append(buf, "Cannot tell: no SYN from the client in the capture (it "
                               "missed the start, or holds only the server's direction)");
        break;
    }
    case TD_TD_ABANDONED:
        if ((d = td_teardown_abandoning_side(s)) < 0)
            goto title; /* a stream concluded before its last packet (live capture) */
        wmem_strbuf_append_printf(buf, "Abandoned: the %s retransmitted the same data %u times "
                                  "with no reply from the %s (dead peer or path)",
                                  td_side_name(s, d), td_seqdir_trouble_of(&s->seq[d])->chain_count,
                                  td_side_name(s, 1 - d));
        break;
    case TD_DT_KEEPALIVE_DEAD:
        if ((d = td_seqspace_keepalive_dead_side(s)) < 0)
            goto title;
        wmem_strbuf_append_printf(buf, "Keep-alive: the %s's %u probes got no answer from the %s "
                                  "(dead peer or path)%s", td_side_name(s, d),
                                  td_seqdir_trouble_of(&s->seq[d])->ka_count,
                                  td_side_name(s, 1 - d),
                                  s->side[d].rst_count ? ", then it reset the connection" : "");
        break;
    case TD_TD_FIN_RETRANSMITTED:
        if ((d = td_teardown_fin_unacked_side(s)) < 0)
            goto title; /* a stream concluded before its last packet (live capture) */
        wmem_strbuf_append_printf(buf, "FIN retransmitted %u time%s and never acknowledged by "
                                  "the %s (peer gone)", s->side[d].fin_count - 1,
                                  s->side[d].fin_count > 2 ? "s" : "", td_side_name(s, 1 - d));
        break;
    case TD_TD_HALF_CLOSED:
        if ((d = td_teardown_half_closed_side(s)) < 0)
            goto title; /* a stream concluded before its last packet (live capture) */
        wmem_strbuf_append_printf(buf, "Half-closed: the %s's FIN was acknowledged, but the %s "
                                  "never closed (CLOSE_WAIT: its application did not call "
                                  "close())", td_side_name(s, d), td_side_name(s, 1 - d));
        break;
    default:
    title:
        wmem_strbuf_append(buf, td_code_info(code)->title);
        break;
    }
}

static void
append_healthy(wmem_allocator_t *scope, wmem_strbuf_t *buf, const td_stream_t *s)
{
    guint32 codes = td_stream_codes(s);
    const td_finding_t *graceful = segment_finding(s, TD_TD_GRACEFUL);
    int unacked = td_teardown_both_closed_unacked_side(s);
    int closing = td_teardown_closing_side(s);

    /* Nearly every row of a table of healthy streams is made here: plain
     * appends, one printf (the duration). */
    wmem_strbuf_append(buf, "Healthy");
    if (s->initial_rtt >= 0.0) {
        wmem_strbuf_append(buf, ": connected in ");
        wmem_strbuf_append(buf, td_fmt_duration(scope, s->initial_rtt));
    } else {
        wmem_strbuf_append(buf, ": no problem found");
    }
    if (codes & TD_CODE_BIT(TD_HS_TFO))
        wmem_strbuf_append(buf, " with TCP Fast Open");
    if (graceful) {
        wmem_strbuf_append(buf, ", closed gracefully (");
        wmem_strbuf_append(buf, g_str_equal(graceful->detail, "four_way") ? "four-way"
                                : g_str_equal(graceful->detail, "three_way") ? "three-way"
                                : g_str_equal(graceful->detail, "late_close") ? "a late close"
                                : g_str_equal(graceful->detail, "fin_unseen")
                                    ? "one FIN not in the capture, its ACK is"
                                : "simultaneous close");
        wmem_strbuf_append_c(buf, ')');
    } else if ((codes & TD_CODE_BIT(TD_TD_OPEN)) && unacked >= 0)
        wmem_strbuf_append_printf(buf, ", closing when the capture ended (both sides sent a FIN, "
                                  "the %s's not acknowledged in the capture)",
                                  td_side_name(s, unacked));
    else if ((codes & TD_CODE_BIT(TD_TD_OPEN)) && closing >= 0)
        wmem_strbuf_append_printf(buf, ", closing when the capture ended (the %s's FIN "
                                  "acknowledged, the %s not closed yet)",
                                  td_side_name(s, closing), td_side_name(s, 1 - closing));
    else if (codes & TD_CODE_BIT(TD_TD_OPEN))
        wmem_strbuf_append(buf, ", still open at the end of the capture");
    wmem_strbuf_append(buf, ", no stall");
}

char *
td_stream_summary(wmem_allocator_t *scope, const td_stream_t *s)
{
    wmem_strbuf_t *buf = wmem_strbuf_new(scope, "");
    td_code_t headline, hs = td_stream_handshake(s);
    td_stream_severity_t severity = td_stream_severity(s, &headline);
    const td_finding_t *f;
    guint32 stalls;
    double total, worst_time;
    td_code_t worst;

    if (severity == TD_STREAM_HEALTHY) {
        append_healthy(scope, buf, s);
        return wmem_strbuf_finalize(buf);
    }
    if (severity == TD_STREAM_STALLED) {
        append_stalls(scope, buf, s);
    } else if (severity == TD_STREAM_LOSSY && headline == TD_DT_PATH_MTU) {
        wmem_strbuf_append(buf, td_finding_message(segment_finding(s, TD_DT_PATH_MTU), scope));
        wmem_strbuf_append(buf, "; ");
        td_seqspace_describe_loss(buf, s, FALSE);
    } else if (severity == TD_STREAM_LOSSY) {
        td_seqspace_describe_loss(buf, s, TRUE);
    } else if ((f = segment_finding(s, headline)) != NULL) {
        wmem_strbuf_append(buf, td_finding_message(f, scope));
    } else {
        append_concluded(scope, buf, s, headline);
    }
    /* The symptom after the root cause of a failed connection. */
    if (severity == TD_STREAM_FAILED && headline == TD_HS_SYNACK_LOST)
        wmem_strbuf_append(buf, "; the handshake never completed");
    if (severity == TD_STREAM_FAILED && headline == TD_HS_ACK_LOST)
        wmem_strbuf_append(buf, "; none of the client's data was ever acknowledged: the "
                                "connection never worked");
    /* What else went wrong, shortly: the lost time first. */
    if (headline != TD_DT_PATH_MTU && (f = segment_finding(s, TD_DT_PATH_MTU)) != NULL)
        wmem_strbuf_append(buf, g_str_equal(f->detail, "black_hole")
                                    ? "; a path MTU black hole (data.path_mtu)"
                                    : "; segments too large for a hop (data.path_mtu)");
    td_stream_stalls(s, &stalls, &total, &worst, &worst_time);
    if (severity < TD_STREAM_STALLED && stalls)
        wmem_strbuf_append_printf(buf, "; also %u stall%s (%s)", stalls, stalls > 1 ? "s" : "",
                                  td_fmt_duration(scope, total));
    if (severity < TD_STREAM_LOSSY && (td_seqspace_pending(s) & TD_CODE_BIT(TD_DT_LOSS))) {
        wmem_strbuf_append(buf, "; also ");
        td_seqspace_describe_loss(buf, s, FALSE);
    }
    if (severity < TD_STREAM_SLOW && hs != headline)
        wmem_strbuf_append(buf, hs == TD_HS_SYN_RETRANSMITTED ? "; also a slow connect (SYN retransmitted)"
                                : hs == TD_HS_SYNACK_LOST ? "; also a slow connect (SYN-ACK lost)"
                                : hs == TD_HS_ACK_LOST ? "; also a slow connect (third ACK lost)"
                                : "");
    return wmem_strbuf_finalize(buf);
}
