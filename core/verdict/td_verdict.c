/* td_verdict.c
 * A stream's verdict (td_verdict.h): the model's facts and the detectors'
 * parts gathered into one snapshot, then ranked from the snapshot alone.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "verdict/td_verdict.h"
#include "model/td_endpoint.h"
#include "detect/td_data.h"

/* The newest finding of code that a segment (not the end of the capture)
 * drew, from the newest finding back. */
static const td_finding_t *
segment_finding(const td_finding_t *newest, td_code_t code)
{
    for (const td_finding_t *f = newest; f; f = f->stream_prev) {
        if (f->code == code)
            return f;
    }
    return NULL;
}

/* The stream's handshake verdict: its worst handshake code, TD_CODE_NONE if
 * ok. Worst first: a failed connection, then lost time, then information. */
static td_code_t
handshake_code(const td_verdict_t *v)
{
    static const td_code_t order[] = {
        TD_HS_REJECTED, TD_HS_SYN_UNANSWERED, TD_HS_INCOMPLETE, TD_HS_ACK_LOST,
        TD_HS_SYNACK_LOST, TD_HS_SYN_RETRANSMITTED, TD_HS_PORT_REUSE, TD_HS_DUPLICATE_SYN,
        TD_HS_OPTIONS, TD_HS_TFO, TD_HS_MIDSTREAM,
    };
    guint32 codes = v->codes;

    /* Root cause first: a handshake that never completed because the
     * SYN-ACKs never reached the client (it kept retrying its SYN after
     * them) failed by the lost SYN-ACKs; "incomplete" is the symptom. */
    if ((codes & TD_CODE_BIT(TD_HS_INCOMPLETE)) && (codes & TD_CODE_BIT(TD_HS_SYNACK_LOST))
        && v->handshake_part.synack_unseen && !(codes & TD_CODE_BIT(TD_HS_REJECTED)))
        return TD_HS_SYNACK_LOST;
    return td_first_code(codes, order, G_N_ELEMENTS(order));
}

/* The stream's teardown verdict: its worst teardown code; TD_CODE_NONE when
 * no connection was made (the handshake failed). */
static td_code_t
teardown_code(const td_verdict_t *v)
{
    static const td_code_t order[] = {
        TD_TD_ABANDONED, TD_TD_RESET, TD_TD_FIN_RETRANSMITTED, TD_TD_HALF_CLOSED,
        TD_TD_GRACEFUL, TD_TD_OPEN,
    };
    return td_first_code(v->codes, order, G_N_ELEMENTS(order));
}

/* The severity and the code that earns it. */
static td_stream_severity_t
rank(const td_verdict_t *v, td_code_t *headline)
{
    const guint32 failed = TD_CODE_BIT(TD_HS_REJECTED) | TD_CODE_BIT(TD_HS_SYN_UNANSWERED)
                           | TD_CODE_BIT(TD_HS_INCOMPLETE);
    const guint32 broken = TD_CODE_BIT(TD_TD_ABANDONED) | TD_CODE_BIT(TD_TD_RESET)
                           | TD_CODE_BIT(TD_TD_FIN_RETRANSMITTED) | TD_CODE_BIT(TD_TD_HALF_CLOSED);
    const guint32 slow = TD_CODE_BIT(TD_HS_ACK_LOST) | TD_CODE_BIT(TD_HS_SYNACK_LOST)
                         | TD_CODE_BIT(TD_HS_SYN_RETRANSMITTED);
    td_code_t hs = v->handshake, td = v->teardown;
    /* A RST after the peer's FIN with all data delivered only ends the
     * connection (detect/td_teardown.c); like a late FIN it is worth a note,
     * not a failure: it ranks below real aborts. */
    gboolean benign_reset = td == TD_TD_RESET && v->teardown_part.reset_ends_close;
    gboolean late_close = td == TD_TD_GRACEFUL && v->graceful
                          && g_str_equal(v->graceful->detail, "late_close");

    if (hs != TD_CODE_NONE && (v->codes & failed) && !v->handshake_part.established) {
        *headline = hs; /* the root cause: lost SYN-ACKs rather than "incomplete" */
        return TD_STREAM_FAILED;
    }
    /* The client believes the connection is up, the server never got the
     * third ACK, and none of the client's data was ever acknowledged: the
     * connection never worked (the server never left SYN_RECV). */
    if (hs == TD_HS_ACK_LOST && v->client >= 0 && v->data.dir[v->client].never_acked) {
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
    if (v->data.keepalive_dead_side >= 0) {
        *headline = TD_DT_KEEPALIVE_DEAD;
        return TD_STREAM_BROKEN;
    }
    if (td != TD_CODE_NONE && (TD_CODE_BIT(td) & broken) && !benign_reset) {
        *headline = td;
        return TD_STREAM_BROKEN;
    }
    if (v->stalls.count) {
        *headline = v->stalls.worst;
        return TD_STREAM_STALLED;
    }
    /* Lost data costs throughput even when recovered without a stall; it
     * ranks above a slow connect, which cost one timeout once. */
    if (v->data_codes & TD_CODE_BIT(TD_DT_LOSS)) {
        /* segments too large for a hop: the cause of that loss */
        *headline = v->path_mtu ? TD_DT_PATH_MTU : TD_DT_LOSS;
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

void
td_verdict_compute(const td_stream_t *s, td_verdict_t *v)
{
    const td_finding_t *newest;

    v->version = s->version;
    v->stream = s->index;
    v->packets = s->packets;
    v->client = s->client;
    v->final = s->finalized;
    for (int d = 0; d < 2; d++) {
        v->mss[d] = s->side[d].mss;
        v->reset_sent[d] = s->side[d].rst_count > 0;
    }

    /* the model's facts */
    v->conn_state = td_endpoint_conn_state(s);
    v->history = s->history;
    v->first_time = s->first_time;
    v->last_time = s->last_time;
    v->initial_rtt = s->path.initial_rtt;
    v->vantage = td_path_vantage(s, &v->client_share);
    td_seqspace_facts(s, &v->data);

    /* the detectors' parts: what each found, and what it would conclude if
     * the capture ended at the stream's last packet */
    td_handshake_publish(s, &v->handshake_part);
    td_teardown_publish(s, v->handshake_part.connected, &v->teardown_part);
    td_stall_publish(s, &v->data, &v->stalls);
    v->data_codes = td_data_publish(&v->data);
    v->codes = s->codes;
    if (!s->finalized)
        v->codes |= v->handshake_part.pending | v->teardown_part.pending | v->stalls.pending
                    | v->data_codes;
    if (v->handshake_part.rejected && strcmp(v->conn_state, "S0") == 0)
        v->conn_state = "REJ";

    /* the ranking */
    v->handshake = handshake_code(v);
    v->teardown = teardown_code(v);
    newest = s->finalized ? s->last_segment_finding : s->last_finding;
    v->graceful = segment_finding(newest, TD_TD_GRACEFUL);
    v->path_mtu = segment_finding(newest, TD_DT_PATH_MTU);
    v->severity = rank(v, &v->headline);
    v->headline_finding = segment_finding(newest, v->headline);
    v->codes_text = td_codes_text(v->codes);
}
