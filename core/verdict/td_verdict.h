/* td_verdict.h
 * A stream's verdict: one snapshot of everything the tree, the table, the
 * fields (and a host rollup) show of a stream, computed at once from the
 * model's facts and the part each detector publishes. Ranking (the worst
 * code of the handshake and of the teardown, the severity that orders the
 * TCP Diagnosis table and the code that earns it) reads only the snapshot,
 * and so does the wording (verdict/td_summary.h).
 *
 * Both depend only on the stream's own packets, never on where the capture
 * ends, so single-pass tshark (which never finalizes) and two-pass tshark or
 * the GUI (which do) print the same rows: what the end of the capture would
 * conclude is included as pending.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_VERDICT_H
#define TD_VERDICT_H

#include "model/td_record.h"
#include "model/td_path.h"
#include "model/td_seqspace.h"
#include "detect/td_handshake.h"
#include "detect/td_teardown.h"
#include "detect/td_stall.h"

/* Worst first: the table sorts on this. */
typedef enum {
    TD_STREAM_FAILED = 1, /* no connection: SYN unanswered, rejected, handshake incomplete */
    TD_STREAM_BROKEN,     /* connected, then reset, abandoned, FIN unanswered, CLOSE_WAIT */
    TD_STREAM_STALLED,    /* connected, lost time to stalls */
    TD_STREAM_LOSSY,      /* connected, lost data and recovered without a stall */
    TD_STREAM_SLOW,       /* connected late: SYN, SYN-ACK or ACK lost */
    TD_STREAM_NOTE,       /* worth knowing: duplicate SYN, options, port reuse, mid-stream */
    TD_STREAM_HEALTHY,
} td_stream_severity_t;

typedef struct td_verdict {
    guint32 version;              /* the stream's version it shows (td_record.h) */
    guint32 stream;               /* tcpdiag's stream number */
    guint32 packets;
    gint8   client;               /* the client's direction; -1 unknown (0 is named the client) */
    guint8  final;                /* concluded at the capture's end */
    guint16 mss[2];               /* each side's MSS option; 0 none */
    guint8  reset_sent[2];        /* each side sent a RST */

    /* the model's facts */
    const char *conn_state;       /* Zeek's conn_state; REJ for a SYN refused by an ICMP
                                   * error, which Zeek does not tie to the connection */
    const char *history;          /* Zeek's history string (the stream's own) */
    double  first_time, last_time; /* its first and last packet (capture seconds) */
    double  initial_rtt;          /* < 0 unknown */
    td_vantage_t vantage;
    guint   client_share;         /* per cent of the RTT on the client's side */
    td_seqspace_facts_t data;     /* each direction's data */

    /* the detectors' parts */
    td_handshake_part_t handshake_part;
    td_teardown_part_t teardown_part;
    td_stall_part_t stalls;       /* ended, and still open at the stream's last packet */
    guint32 data_codes;           /* the data.* codes the account shows */

    /* the ranking */
    guint32 codes;                /* bit per code found so far, and pending */
    const char *codes_text;       /* the same as text (tcpdiag.stream.diagnoses) */
    td_code_t handshake;          /* the worst handshake code; TD_CODE_NONE: ok */
    td_code_t teardown;           /* the worst teardown code; TD_CODE_NONE: no connection */
    td_stream_severity_t severity;
    td_code_t headline;           /* the code that earns it: TD_CODE_NONE when healthy; the
                                   * longest stall's kind when stalls earn it */
    /* the findings the one-line diagnosis words: the newest of their code
     * that a segment drew (not the end of the capture, which single-pass
     * tshark never sees) */
    const td_finding_t *headline_finding, *graceful, *path_mtu;
} td_verdict_t;

/* The verdict of s as of its version: a few hundred instructions; the glue
 * keeps the last one it computed (plugin/td_capture.c), so that a tree, its
 * fields and a table row of the same stream compute it once per change. */
void td_verdict_compute(const td_stream_t *s, td_verdict_t *v);

/* "client" or "server": the side that sends in direction dir. */
static inline const char *
td_verdict_side_name(const td_verdict_t *v, int dir)
{
    return dir == (v->client < 0 ? 0 : v->client) ? "client" : "server";
}

#endif /* TD_VERDICT_H */
