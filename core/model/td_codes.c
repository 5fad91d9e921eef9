/* td_codes.c
 * Names, severities and descriptions of the diagnosis codes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "model/td_codes.h"

static const td_code_info_t code_table[TD_CODE_COUNT] = {
    [TD_HS_SYN_UNANSWERED] = { "handshake.syn_unanswered", "SYN unanswered", TD_SEV_ERROR,
        "SYN and its retransmissions got no SYN-ACK, RST or ICMP: server down, unreachable, or a firewall drops it",
        "SYN retransmissions" },
    [TD_HS_REJECTED] = { "handshake.rejected", "Connection rejected", TD_SEV_ERROR,
        "SYN answered by RST or an ICMP destination unreachable: port closed or firewall REJECT",
        "SYNs sent" },
    [TD_HS_SYN_RETRANSMITTED] = { "handshake.syn_retransmitted", "Slow connect: SYN retransmitted", TD_SEV_WARN,
        "Handshake completed only after SYN retransmission(s): the first SYN(s) were lost",
        "SYN retransmissions" },
    [TD_HS_SYNACK_LOST] = { "handshake.synack_lost", "SYN-ACK lost", TD_SEV_WARN,
        "Server sent a SYN-ACK but the client retransmitted its SYN: the SYN-ACK did not reach the client",
        "SYN-ACK retransmissions" },
    [TD_HS_ACK_LOST] = { "handshake.ack_lost", "Third ACK lost", TD_SEV_WARN,
        "Server retransmitted its SYN-ACK after the client's ACK: the ACK did not reach the server",
        "SYN-ACK retransmissions" },
    [TD_HS_INCOMPLETE] = { "handshake.incomplete", "Handshake incomplete", TD_SEV_ERROR,
        "SYN and SYN-ACK, then no ACK from the client",
        "SYN-ACK retransmissions" },
    [TD_HS_DUPLICATE_SYN] = { "handshake.duplicate_syn", "Duplicate SYN", TD_SEV_NOTE,
        "A second SYN with the same ISN although the first was answered, or a duplicated frame", NULL },
    [TD_HS_TFO] = { "handshake.tfo", "TCP Fast Open", TD_SEV_CHAT,
        "TCP Fast Open in use: cookie exchange, data in SYN accepted or rejected",
        "bytes of data in the SYN" },
    [TD_HS_OPTIONS] = { "handshake.options", "TCP option negotiation", TD_SEV_NOTE,
        "Window scaling, SACK or timestamps offered by one side only, or MSS missing or low", NULL },
    [TD_HS_PORT_REUSE] = { "handshake.port_reuse", "Port reuse", TD_SEV_NOTE,
        "New SYN on the 4-tuple of a connection that ended recently (TIME_WAIT) or is still open", NULL },
    [TD_HS_MIDSTREAM] = { "handshake.midstream", "Capture started mid-stream", TD_SEV_NOTE,
        "No SYN in the capture: handshake verdicts, initial RTT and negotiated options are unavailable", NULL },
    [TD_TD_GRACEFUL] = { "teardown.graceful", "Graceful close", TD_SEV_CHAT,
        "FIN from both sides, acknowledged: four-way or three-way close, who closed first", NULL },
    [TD_TD_HALF_CLOSED] = { "teardown.half_closed", "Half-closed (CLOSE_WAIT)", TD_SEV_ERROR,
        "One side's FIN acknowledged, the other never closed before the capture ends: CLOSE_WAIT leak", NULL },
    [TD_TD_FIN_RETRANSMITTED] = { "teardown.fin_retransmitted", "FIN retransmitted", TD_SEV_ERROR,
        "FIN retransmitted and never acknowledged: the peer is gone (FIN_WAIT_1 retries)",
        "FIN retransmissions" },
    [TD_TD_RESET] = { "teardown.reset", "Connection reset", TD_SEV_ERROR,
        "A RST ended the connection: which side, and why (abort, unread data, half-open, idle, middlebox)",
        "RSTs its sender sent" },
    [TD_TD_ABANDONED] = { "teardown.abandoned", "Connection abandoned", TD_SEV_ERROR,
        "Retransmissions with exponential backoff and no reply: the peer or the path is dead",
        "retransmissions without a reply" },
    [TD_TD_OPEN] = { "teardown.open", "Open at capture end", TD_SEV_CHAT,
        "No FIN or RST by the end of the capture: not a problem", NULL },
    [TD_ST_NAGLE_DELAYED_ACK] = { "stall.nagle_delayed_ack", "Stall: Nagle x delayed ACK", TD_SEV_WARN,
        "A small segment held by Nagle until the peer's delayed ACK: TCP_NODELAY or coalesced writes fix it",
        "bytes held" },
    [TD_ST_ZERO_WINDOW] = { "stall.zero_window", "Stall: zero window", TD_SEV_WARN,
        "The receiver advertised a zero window: its application is not reading",
        "window probes" },
    [TD_ST_WINDOW_FULL] = { "stall.window_full", "Stall: window full", TD_SEV_WARN,
        "The sender filled the advertised window and waited for it to open: receive buffer too small or slow reader", NULL },
    [TD_ST_RTO] = { "stall.rto", "Stall: retransmission timeout", TD_SEV_WARN,
        "A segment retransmitted by timeout, not fast retransmit: loss with too little data in flight, or a dead path",
        "timeouts" },
    [TD_DT_LOSS] = { "data.loss", "Data lost", TD_SEV_WARN,
        "Data segments retransmitted: how many, in which direction, lost before or after the capture point, recovered how",
        "segments lost" },
    [TD_DT_SPURIOUS_RETRANSMISSION] = { "data.spurious_retransmission", "Spurious retransmission", TD_SEV_NOTE,
        "Data retransmitted although it had arrived (D-SACK, early ACK, Eifel): a timer too eager for the path, or a delay spike",
        "retransmissions proved spurious" },
    [TD_DT_REORDERING] = { "data.reordering", "Reordering", TD_SEV_NOTE,
        "Segments that filled a hole sooner than any retransmission could: the path reorders",
        "segments reordered" },
    [TD_DT_KEEPALIVE_DEAD] = { "data.keepalive_dead", "Keep-alive unanswered: peer dead", TD_SEV_ERROR,
        "Keep-alive probes with no answer, then a reset or silence: the peer or the path died while the connection was idle",
        "keep-alive probes" },
    [TD_DT_PATH_MTU] = { "data.path_mtu", "Path MTU", TD_SEV_WARN,
        "Segments too large for a hop: ICMP fragmentation needed / packet too big, then smaller resends; or a black hole (large segments time out, smaller ones pass)",
        "ICMP errors" },
    [TD_ST_IDLE_RESTART] = { "stall.idle_restart", "Stall: window restart after idle x delayed ACK", TD_SEV_WARN,
        "After an idle period the sender's congestion window restarted small; its last segment waited for the receiver's delayed ACK",
        "segments in the restarted flight" },
};

/* The second faces (td_code_alt_info) and the details that show them. */
static const td_code_info_t alt_table[TD_CODE_COUNT] = {
    [TD_TD_RESET] = { "teardown.reset", "Connection reset to end a close", TD_SEV_NOTE,
        "A RST that ended a connection after the peer's FIN with all data delivered, or after "
        "a late close: a way to end it, not a failure", "RSTs its sender sent" },
    [TD_TD_GRACEFUL] = { "teardown.graceful", "Late close", TD_SEV_NOTE,
        "Both sides closed, the second long after the first: a connection held open, or a "
        "peer slow to close (its application never called close)", NULL },
};
static const char *const alt_details[TD_CODE_COUNT][3] = {
    /* exactly these: a middlebox's RST ("after_peer_fin,middlebox") is not
     * the end of a close (detect/td_teardown.c ranks its reset by this) */
    [TD_TD_RESET] = { "after_peer_fin", "late_close", NULL },
    [TD_TD_GRACEFUL] = { "late_close", NULL },
};

td_code_t
td_first_code(guint32 codes, const td_code_t *order, guint n)
{
    for (guint i = 0; i < n; i++) {
        if (codes & TD_CODE_BIT(order[i]))
            return order[i];
    }
    return TD_CODE_NONE;
}

const td_code_info_t *
td_code_info(td_code_t code)
{
    return code < TD_CODE_COUNT ? &code_table[code] : NULL;
}

const char *
td_code_short_name(td_code_t code, const char *none_text)
{
    const char *dot;

    if (code >= TD_CODE_COUNT)
        return none_text;
    dot = strchr(code_table[code].name, '.');
    return dot ? dot + 1 : code_table[code].name;
}

const char *
td_codes_text(guint32 codes)
{
    /* The last combination asked for (a stream's packets ask in a row);
     * the strings are interned, so keeping one costs nothing. */
    static guint32 last_codes;
    static const char *last_text;
    GString *buf;

    if (last_text && codes == last_codes)
        return last_text;
    buf = g_string_new("");
    for (int c = 0; c < TD_CODE_COUNT; c++) {
        if (codes & TD_CODE_BIT(c)) {
            if (buf->len)
                g_string_append_c(buf, ',');
            g_string_append(buf, code_table[c].name);
        }
    }
    last_text = g_intern_string(buf->str);
    last_codes = codes;
    g_string_free(buf, TRUE);
    return last_text;
}

const td_code_info_t *
td_code_alt_info(td_code_t code)
{
    return code < TD_CODE_COUNT && alt_table[code].name ? &alt_table[code] : NULL;
}

const td_code_info_t *
td_code_info_for(td_code_t code, const char *detail)
{
    if (code >= TD_CODE_COUNT)
        return NULL;
    for (int i = 0; detail && alt_details[code][i]; i++) {
        if (strcmp(detail, alt_details[code][i]) == 0)
            return &alt_table[code];
    }
    return &code_table[code];
}

const char *
td_code_counts(td_code_t code, const char *detail)
{
    if (code >= TD_CODE_COUNT)
        return NULL;
    /* the details whose count counts something else than their code's */
    if (detail && code == TD_DT_PATH_MTU && strcmp(detail, "black_hole") == 0)
        return "timeouts of the large segment";
    if (detail && code == TD_HS_SYNACK_LOST && strcmp(detail, "syn_retransmitted") == 0)
        return "SYN-ACKs lost";
    return td_code_info_for(code, detail)->counts;
}
