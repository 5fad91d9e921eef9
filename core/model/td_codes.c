/* td_codes.c
 * Names, severities and descriptions of the diagnosis codes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "model/td_codes.h"

static const td_code_info_t code_table[TD_CODE_COUNT] = {
    [TD_HS_SYN_UNANSWERED] = { "handshake.syn_unanswered", "SYN unanswered", TD_SEV_WARN,
        "SYN and its retransmissions got no SYN-ACK, RST or ICMP: server down, unreachable, or a firewall drops it" },
    [TD_HS_REJECTED] = { "handshake.rejected", "Connection rejected", TD_SEV_WARN,
        "SYN answered by RST or an ICMP destination unreachable: port closed or firewall REJECT" },
    [TD_HS_SYN_RETRANSMITTED] = { "handshake.syn_retransmitted", "Slow connect: SYN retransmitted", TD_SEV_WARN,
        "Handshake completed only after SYN retransmission(s): the first SYN(s) were lost" },
    [TD_HS_SYNACK_LOST] = { "handshake.synack_lost", "SYN-ACK lost", TD_SEV_WARN,
        "Server sent a SYN-ACK but the client retransmitted its SYN: the SYN-ACK did not reach the client" },
    [TD_HS_ACK_LOST] = { "handshake.ack_lost", "Third ACK lost", TD_SEV_WARN,
        "Server retransmitted its SYN-ACK after the client's ACK: the ACK did not reach the server" },
    [TD_HS_INCOMPLETE] = { "handshake.incomplete", "Handshake incomplete", TD_SEV_WARN,
        "SYN and SYN-ACK, then no ACK from the client" },
    [TD_HS_DUPLICATE_SYN] = { "handshake.duplicate_syn", "Duplicate SYN", TD_SEV_NOTE,
        "A second SYN with the same ISN although the first was answered, or a duplicated frame" },
    [TD_HS_TFO] = { "handshake.tfo", "TCP Fast Open", TD_SEV_CHAT,
        "TCP Fast Open in use: cookie exchange, data in SYN accepted or rejected" },
    [TD_HS_OPTIONS] = { "handshake.options", "TCP option negotiation", TD_SEV_NOTE,
        "Window scaling, SACK or timestamps offered by one side only, or MSS missing or low" },
    [TD_HS_PORT_REUSE] = { "handshake.port_reuse", "Port reuse", TD_SEV_NOTE,
        "New SYN on the 4-tuple of a connection that ended recently (TIME_WAIT) or is still open" },
    [TD_HS_MIDSTREAM] = { "handshake.midstream", "Capture started mid-stream", TD_SEV_NOTE,
        "No SYN in the capture: handshake verdicts, initial RTT and negotiated options are unavailable" },
    [TD_TD_GRACEFUL] = { "teardown.graceful", "Graceful close", TD_SEV_CHAT,
        "FIN from both sides, acknowledged: four-way or three-way close, who closed first" },
    [TD_TD_HALF_CLOSED] = { "teardown.half_closed", "Half-closed (CLOSE_WAIT)", TD_SEV_WARN,
        "One side's FIN acknowledged, the other never closed before the capture ends: CLOSE_WAIT leak" },
    [TD_TD_FIN_RETRANSMITTED] = { "teardown.fin_retransmitted", "FIN retransmitted", TD_SEV_WARN,
        "FIN retransmitted and never acknowledged: the peer is gone (FIN_WAIT_1 retries)" },
    [TD_TD_RESET] = { "teardown.reset", "Connection reset", TD_SEV_WARN,
        "A RST ended the connection: which side, and why (abort, unread data, half-open, idle, middlebox)" },
    [TD_TD_ABANDONED] = { "teardown.abandoned", "Connection abandoned", TD_SEV_WARN,
        "Retransmissions with exponential backoff and no reply: the peer or the path is dead" },
    [TD_TD_OPEN] = { "teardown.open", "Open at capture end", TD_SEV_CHAT,
        "No FIN or RST by the end of the capture: not a problem" },
    [TD_ST_NAGLE_DELAYED_ACK] = { "stall.nagle_delayed_ack", "Stall: Nagle x delayed ACK", TD_SEV_WARN,
        "A small segment held by Nagle until the peer's delayed ACK: TCP_NODELAY or coalesced writes fix it" },
    [TD_ST_ZERO_WINDOW] = { "stall.zero_window", "Stall: zero window", TD_SEV_WARN,
        "The receiver advertised a zero window: its application is not reading" },
    [TD_ST_WINDOW_FULL] = { "stall.window_full", "Stall: window full", TD_SEV_WARN,
        "The sender filled the advertised window and waited for it to open: receive buffer too small or slow reader" },
    [TD_ST_RTO] = { "stall.rto", "Stall: retransmission timeout", TD_SEV_WARN,
        "A segment retransmitted by timeout, not fast retransmit: loss with too little data in flight, or a dead path" },
    [TD_DT_LOSS] = { "data.loss", "Data lost", TD_SEV_WARN,
        "Data segments retransmitted: how many, in which direction, lost before or after the capture point, recovered how" },
    [TD_DT_SPURIOUS_RETRANSMISSION] = { "data.spurious_retransmission", "Spurious retransmission", TD_SEV_NOTE,
        "Data retransmitted although it had arrived (D-SACK, early ACK, Eifel): a timer too eager for the path, or a delay spike" },
    [TD_DT_REORDERING] = { "data.reordering", "Reordering", TD_SEV_NOTE,
        "Segments that filled a hole sooner than any retransmission could: the path reorders" },
    [TD_DT_KEEPALIVE_DEAD] = { "data.keepalive_dead", "Keep-alive unanswered: peer dead", TD_SEV_WARN,
        "Keep-alive probes with no answer, then a reset or silence: the peer or the path died while the connection was idle" },
    [TD_DT_PATH_MTU] = { "data.path_mtu", "Path MTU", TD_SEV_WARN,
        "Segments too large for a hop: ICMP fragmentation needed / packet too big, then smaller resends; or a black hole (large segments time out, smaller ones pass)" },
    [TD_ST_IDLE_RESTART] = { "stall.idle_restart", "Stall: window restart after idle x delayed ACK", TD_SEV_WARN,
        "After an idle period the sender's congestion window restarted small; its last segment waited for the receiver's delayed ACK" },
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
