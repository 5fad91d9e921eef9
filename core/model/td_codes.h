/* td_codes.h
 * The diagnosis codes: the stable names users filter and script on
 * (tcpdiag.<area>.<name>, see docs/diagnoses.md and DIAGNOSES.md).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_CODES_H
#define TD_CODES_H

#include <glib.h>

/* Order = catalogue order = the order codes appear in tcpdiag.stream.diagnoses.
 * Append only: the values index bit masks and registration tables. */
typedef enum {
    TD_HS_SYN_UNANSWERED = 0,
    TD_HS_REJECTED,
    TD_HS_SYN_RETRANSMITTED,
    TD_HS_SYNACK_LOST,
    TD_HS_ACK_LOST,
    TD_HS_INCOMPLETE,
    TD_HS_DUPLICATE_SYN,
    TD_HS_TFO,
    TD_HS_OPTIONS,
    TD_HS_PORT_REUSE,
    TD_HS_MIDSTREAM,
    TD_TD_GRACEFUL,
    TD_TD_HALF_CLOSED,
    TD_TD_FIN_RETRANSMITTED,
    TD_TD_RESET,
    TD_TD_ABANDONED,
    TD_TD_OPEN,
    TD_ST_NAGLE_DELAYED_ACK,
    TD_ST_ZERO_WINDOW,
    TD_ST_WINDOW_FULL,
    TD_ST_RTO,
    TD_DT_LOSS,
    TD_DT_SPURIOUS_RETRANSMISSION,
    TD_DT_REORDERING,
    TD_DT_KEEPALIVE_DEAD,
    TD_DT_PATH_MTU,
    TD_ST_IDLE_RESTART,
    TD_CODE_COUNT,
    TD_CODE_NONE = TD_CODE_COUNT
} td_code_t;

#define TD_CODE_BIT(c) (1u << (c))
#define TD_IS_STALL(c) (((c) >= TD_ST_NAGLE_DELAYED_ACK && (c) <= TD_ST_RTO) || (c) == TD_ST_IDLE_RESTART)

/* How bad a finding is; the glue maps it to Wireshark's expert severities
 * (Chat, Note, Warning, Error). They rank as the TCP Diagnosis table does
 * (verdict/td_verdict.h): a connection that failed or broke above one that
 * lost time, above what is worth knowing, above a feature in use. */
typedef enum {
    TD_SEV_CHAT,  /* informational: a feature in use, nothing wrong */
    TD_SEV_NOTE,  /* worth knowing, may cost performance */
    TD_SEV_WARN,  /* a fault that cost time: a stall, lost data, a slow connect */
    TD_SEV_ERROR  /* the connection failed or broke: no connection, reset, dead peer */
} td_severity_t;

typedef struct td_code_info {
    const char   *name;     /* "handshake.syn_unanswered" */
    const char   *title;    /* short human title: a heading (Expert Information's groups) */
    td_severity_t severity;
    const char   *blurb;    /* one-line description for field/expert registration */
    const char   *counts;   /* what a finding's count counts, plural ("SYN
                             * retransmissions"; its noun the first word ending in
                             * s, for the singular); NULL: it has none */
} td_code_info_t;

const td_code_info_t *td_code_info(td_code_t code);

/* A code's second face: the same code and name, another title and
 * severity, for the findings whose detail ranks them apart in the table
 * (verdict/td_verdict.c): a RST that only ends a close both sides had begun
 * is a note there, not a broken connection; a close a side left for long is
 * a note, not a chat. NULL when the code has none. */
const td_code_info_t *td_code_alt_info(td_code_t code);

/* The face a finding of code with this detail shows: the code's own, or its
 * second face. */
const td_code_info_t *td_code_info_for(td_code_t code, const char *detail);

/* What the count of a finding of code with this detail counts ("SYN
 * retransmissions"); NULL when its count means nothing. */
const char *td_code_counts(td_code_t code, const char *detail);

/* The first code of order[0..n-1] whose bit is in codes; TD_CODE_NONE if none. */
td_code_t td_first_code(guint32 codes, const td_code_t *order, guint n);

/* The code's name without its area ("syn_unanswered"), or none_text. */
const char *td_code_short_name(td_code_t code, const char *none_text);

/* The codes' names in catalogue order, comma-separated
 * ("handshake.syn_retransmitted,handshake.options"; "" for none): an
 * interned string, never freed. A capture has few combinations, drawn on
 * every packet of a stream: the last one made is kept. */
const char *td_codes_text(guint32 codes);

#endif /* TD_CODES_H */
