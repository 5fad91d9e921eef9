/* td_summary.c
 * A stream's verdict in words (td_summary.h).
 *
 * The line is the message of the finding that earns the severity when a
 * segment produced it. Conclusions that only the end of the capture proves
 * (an unanswered SYN, CLOSE_WAIT, abandoned) are worded here from the
 * verdict's facts instead of the end-of-capture finding, whose message counts
 * the time until the capture ends: single-pass tshark never sees that end.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "verdict/td_summary.h"
#include "model/td_finding.h"

const char *
td_severity_label(td_stream_severity_t severity)
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
stall_words(td_code_t kind, const char *detail, const char **remedy)
{
    if (kind == TD_ST_RTO && detail && g_str_equal(detail, "spurious")) {
        *remedy = "the data had arrived: its ACKs came back late or not at all";
        return "a spurious retransmission timeout";
    }
    if (kind == TD_ST_WINDOW_FULL && detail && g_str_equal(detail, "no_window_scaling")) {
        *remedy = "no window scaling: 64 KB a round trip at most; enable it, or find the "
                  "middlebox that strips it";
        return "window full";
    }
    if (kind == TD_ST_NAGLE_DELAYED_ACK && detail && g_str_equal(detail, "nagle_or_think_time")) {
        *remedy = "or the application wrote late; a capture at the sender tells";
        return "possibly Nagle x delayed ACK";
    }
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
append_stalls(wmem_allocator_t *scope, wmem_strbuf_t *buf, const td_verdict_t *v)
{
    const td_stall_part_t *st = &v->stalls;
    const char *remedy, *words = stall_words(st->worst, st->worst_detail, &remedy);

    wmem_strbuf_append_printf(buf, "%u stall%s, %s lost", st->count, st->count > 1 ? "s" : "",
                              td_fmt_duration(scope, st->time));
    if (st->count > 1)
        wmem_strbuf_append_printf(buf, "; the longest: %s for %s", words,
                                  td_fmt_duration(scope, st->worst_time));
    else
        wmem_strbuf_append_printf(buf, " to %s", words);
    wmem_strbuf_append_printf(buf, " (%s)", remedy);
}

/* "Lost 3 of 724 server->client segments (0.4%), recovered without a
 * timeout": the loss in words, the client's data first; from the account,
 * the same before and after the capture's end. */
static void
append_loss(wmem_strbuf_t *buf, const td_verdict_t *v, gboolean capital)
{
    gboolean first = TRUE;

    for (guint8 i = 0; i < 2; i++) {
        guint8 d = v->client >= 0 ? (i == 0 ? (guint8)v->client : (guint8)(1 - v->client)) : i;
        const td_dir_facts_t *q = &v->data.dir[d];
        guint32 n = q->lost, of = MAX(q->segments, n);

        if (!n)
            continue;
        wmem_strbuf_append_printf(buf, "%s %u of %u %s->%s segments (%.1f%%)",
                                  first ? (capital ? "Lost" : "lost") : "; lost", n, of,
                                  td_verdict_side_name(v, d), td_verdict_side_name(v, 1 - d),
                                  100.0 * n / of);
        if (q->kind[TD_RETX_RTO])
            wmem_strbuf_append_printf(buf, ", %u timeout%s", q->timeouts,
                                      q->timeouts == 1 ? "" : "s");
        else if (q->kind[TD_RETX_FAST] || q->kind[TD_RETX_TLP])
            wmem_strbuf_append(buf, ", recovered without a timeout");
        first = FALSE;
    }
}

/* The end-of-capture conclusions, in words that do not depend on the end. */
static void
append_concluded(wmem_allocator_t *scope, wmem_strbuf_t *buf, const td_verdict_t *v,
                 td_code_t code)
{
    const td_handshake_part_t *hs = &v->handshake_part;
    const td_teardown_part_t *td = &v->teardown_part;
    int d;

    switch (code) {
    case TD_HS_SYN_UNANSWERED:
        wmem_strbuf_append_printf(buf, "SYN never answered: %u SYN%s", hs->syn_count,
                                  hs->syn_count > 1 ? "s" : "");
        if (hs->syn_count > 1)
            wmem_strbuf_append_printf(buf, " over %s", td_fmt_duration(scope, hs->syn_span));
        wmem_strbuf_append(buf, hs->client_reset
                           ? ", then the client reset the attempt"
                           : ", no SYN-ACK, RST or ICMP came back (server down or unreachable, "
                             "or a firewall drops the SYN)");
        break;
    case TD_HS_SYNACK_LOST:
        wmem_strbuf_append_printf(buf, "SYN-ACK lost: the client kept sending its SYN after the "
                                  "server's SYN-ACK (frame %u), so the SYN-ACKs never reached it",
                                  hs->synack_first_frame);
        break;
    case TD_HS_INCOMPLETE:
        wmem_strbuf_append(buf, "Handshake incomplete: the server's SYN-ACK");
        if (hs->synack_count > 1)
            wmem_strbuf_append_printf(buf, " (sent %u times)", hs->synack_count);
        wmem_strbuf_append(buf, " was never acknowledged by the client");
        break;
    case TD_HS_MIDSTREAM:
        if (hs->client_direction_only)
            wmem_strbuf_append(buf, "Cannot tell: the capture holds only the client's direction, "
                               "so handshake and RTT verdicts are unavailable");
        else
            wmem_strbuf_append(buf, "Cannot tell: no SYN from the client in the capture (it "
                               "missed the start, or holds only the server's direction)");
        break;
    case TD_TD_ABANDONED:
        if ((d = td->abandoning_side) < 0)
            goto title; /* a stream concluded before its last packet (live capture) */
        wmem_strbuf_append_printf(buf, "Abandoned: the %s retransmitted the same data %u times "
                                  "with no reply from the %s (dead peer or path)",
                                  td_verdict_side_name(v, d), td->chain_count,
                                  td_verdict_side_name(v, 1 - d));
        break;
    case TD_DT_KEEPALIVE_DEAD:
        if ((d = v->data.keepalive_dead_side) < 0)
            goto title;
        wmem_strbuf_append_printf(buf, "Keep-alive: the %s's %u probes got no answer from the %s "
                                  "(dead peer or path)%s", td_verdict_side_name(v, d),
                                  v->data.dir[d].ka_count, td_verdict_side_name(v, 1 - d),
                                  v->reset_sent[d] ? ", then it reset the connection" : "");
        break;
    case TD_TD_FIN_RETRANSMITTED:
        if ((d = td->fin_unacked_side) < 0)
            goto title; /* a stream concluded before its last packet (live capture) */
        wmem_strbuf_append_printf(buf, "FIN retransmitted %u time%s and never acknowledged by "
                                  "the %s (peer gone)", td->fin_count - 1,
                                  td->fin_count > 2 ? "s" : "", td_verdict_side_name(v, 1 - d));
        break;
    case TD_TD_HALF_CLOSED:
        if ((d = td->half_closed_side) < 0)
            goto title; /* a stream concluded before its last packet (live capture) */
        wmem_strbuf_append_printf(buf, "Half-closed: the %s's FIN was acknowledged, but the %s "
                                  "never closed (CLOSE_WAIT: its application did not call "
                                  "close())", td_verdict_side_name(v, d),
                                  td_verdict_side_name(v, 1 - d));
        break;
    default:
    title:
        wmem_strbuf_append(buf, td_code_info(code)->title);
        break;
    }
}

static void
append_healthy(wmem_allocator_t *scope, wmem_strbuf_t *buf, const td_verdict_t *v)
{
    const td_finding_t *graceful = v->graceful;
    int unacked = v->teardown_part.both_closed_unacked_side;
    int closing = v->teardown_part.closing_side;

    /* Nearly every row of a table of healthy streams is made here: plain
     * appends, one printf (the duration). */
    wmem_strbuf_append(buf, "Healthy");
    if (v->initial_rtt >= 0.0) {
        wmem_strbuf_append(buf, ": connected in ");
        wmem_strbuf_append(buf, td_fmt_duration(scope, v->initial_rtt));
    } else {
        wmem_strbuf_append(buf, ": no problem found");
    }
    if (v->codes & TD_CODE_BIT(TD_HS_TFO))
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
    } else if ((v->codes & TD_CODE_BIT(TD_TD_OPEN)) && unacked >= 0)
        wmem_strbuf_append_printf(buf, ", closing when the capture ended (both sides sent a FIN, "
                                  "the %s's not acknowledged in the capture)",
                                  td_verdict_side_name(v, unacked));
    else if ((v->codes & TD_CODE_BIT(TD_TD_OPEN)) && closing >= 0)
        wmem_strbuf_append_printf(buf, ", closing when the capture ended (the %s's FIN "
                                  "acknowledged, the %s not closed yet)",
                                  td_verdict_side_name(v, closing),
                                  td_verdict_side_name(v, 1 - closing));
    else if (v->codes & TD_CODE_BIT(TD_TD_OPEN))
        wmem_strbuf_append(buf, ", still open at the end of the capture");
    wmem_strbuf_append(buf, ", no stall");
}

char *
td_verdict_summary(wmem_allocator_t *scope, const td_verdict_t *v)
{
    wmem_strbuf_t *buf = wmem_strbuf_new(scope, "");
    td_code_t headline = v->headline, hs = v->handshake;
    td_stream_severity_t severity = v->severity;
    const td_finding_t *f;

    if (severity == TD_STREAM_HEALTHY) {
        append_healthy(scope, buf, v);
        return wmem_strbuf_finalize(buf);
    }
    if (severity == TD_STREAM_STALLED) {
        append_stalls(scope, buf, v);
    } else if (severity == TD_STREAM_LOSSY && headline == TD_DT_PATH_MTU) {
        wmem_strbuf_append(buf, td_finding_message(v->path_mtu, scope));
        wmem_strbuf_append(buf, "; ");
        append_loss(buf, v, FALSE);
    } else if (severity == TD_STREAM_LOSSY) {
        append_loss(buf, v, TRUE);
    } else if ((f = v->headline_finding) != NULL) {
        wmem_strbuf_append(buf, td_finding_message(f, scope));
    } else {
        append_concluded(scope, buf, v, headline);
    }
    /* The symptom after the root cause of a failed connection. */
    if (severity == TD_STREAM_FAILED && headline == TD_HS_SYNACK_LOST)
        wmem_strbuf_append(buf, "; the handshake never completed");
    if (severity == TD_STREAM_FAILED && headline == TD_HS_ACK_LOST)
        wmem_strbuf_append(buf, "; none of the client's data was ever acknowledged: the "
                                "connection never worked");
    /* What else went wrong, shortly: the lost time first. */
    if (headline != TD_DT_PATH_MTU && (f = v->path_mtu) != NULL)
        wmem_strbuf_append(buf, g_str_equal(f->detail, "black_hole")
                                    ? "; a path MTU black hole (data.path_mtu)"
                                    : "; segments too large for a hop (data.path_mtu)");
    if (severity < TD_STREAM_STALLED && v->stalls.count)
        wmem_strbuf_append_printf(buf, "; also %u stall%s (%s)", v->stalls.count,
                                  v->stalls.count > 1 ? "s" : "",
                                  td_fmt_duration(scope, v->stalls.time));
    if (severity < TD_STREAM_LOSSY && (v->data_codes & TD_CODE_BIT(TD_DT_LOSS))) {
        wmem_strbuf_append(buf, "; also ");
        append_loss(buf, v, FALSE);
    }
    if (severity < TD_STREAM_SLOW && hs != headline)
        wmem_strbuf_append(buf, hs == TD_HS_SYN_RETRANSMITTED ? "; also a slow connect (SYN retransmitted)"
                                : hs == TD_HS_SYNACK_LOST ? "; also a slow connect (SYN-ACK lost)"
                                : hs == TD_HS_ACK_LOST ? "; also a slow connect (third ACK lost or late)"
                                : "");
    return wmem_strbuf_finalize(buf);
}
