/* td_host_evidence.h
 * The host rollup's own state while it is built (hosts/td_hosts.c adds the
 * streams, hosts/td_host_checks.c reads the evidence, hosts/td_host_explain.c
 * ties streams to findings): not for use outside core/hosts/. Memory: a
 * record per stream and a few numbers per stream in its rows' evidence,
 * all given back when the rollup is finished; a row per service and host.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_HOST_EVIDENCE_H
#define TD_HOST_EVIDENCE_H

#include "hosts/td_host_row.h"

/* The segments a connection carries one way before its loss counts toward
 * a host's path loss (check_path_loss). */
#define LOSS_SEGMENTS 50

/* What finish() needs of one stream besides the rows' sums. */
typedef struct conn_rec {
    guint32 client_host, server_host;
    guint16 client_port, server_port;
    guint32 service;        /* row index of its service */
    guint32 client_row;     /* row index of its client's host */
    guint8  severity;       /* td_stream_severity_t */
    guint8  probe;          /* no data from the client and no working connection */
    guint8  failed;         /* no connection was made */
    guint8  scan;           /* a probe from a source found to be a scanner */
    guint32 server_row;     /* row index of its server's host */
    struct explain_facts {  /* what td_hosts_explain() reads of its verdict */
        guint8 hs_dropped;  /* a SYN sent again or unanswered, a third ACK "lost" */
        guint8 client_closing; /* the client's FIN acknowledged, the server not closed */
        guint8 port_reuse;  /* it reused a 4-tuple */
        guint8 lost[2];     /* it lost data: [0] from the client, [1] from the server */
        double silence;     /* the silence before the RST that ended it; < 0 none */
    } why;
} conn_rec_t;
typedef struct explain_facts explain_facts_t;

/* A connection of a service, for its TIME_WAIT: the server's TIME_WAIT
 * begins when it closed first and both FINs went through, and lasts
 * cfg->time_wait, or until a new connection from the same client port
 * takes the 4-tuple over (RFC 9293 3.6.1: a SYN may reopen a 4-tuple in
 * TIME_WAIT; Linux tcp_timewait_state_process). */
typedef struct tw_ev {
    guint64 client;         /* client host and port */
    double  syn;            /* when it began */
    double  closed;         /* the server's TIME_WAIT began; < 0 none */
} tw_ev_t;

/* A row's evidence while the rollup is built. */
typedef struct row_ev {
    GArray *irtt;           /* double */
    GArray *tw;             /* tw_ev_t: the connections' ends, for TIME_WAIT on the server */
    GArray *cw;             /* double: the server in CLOSE_WAIT since */
    GArray *drops;          /* double: SYN times of connections whose handshake was dropped */
    GArray *est;            /* double: SYN times of connections that got through at once */
    GArray *silence;        /* double: the silence before a RST */
    guint32 syn_resent, ack_ignored; /* SYNs sent again; SYN-ACKs resent after the client's ACK */
    guint32 resets_middlebox_silent; /* of the silent resets, by another TTL */
    double  quiet_survived; /* the longest silence one of its connections lived through */
    guint32 data_conns[2], lossy_conns[2]; /* connections with LOSS_SEGMENTS that way; that
                                            * lost some */
    guint32 upstream[2], downstream[2];
    /* the host as a client */
    guint32 as_client;      /* its connections */
    guint32 port_reuse;     /* ... that reused a 4-tuple */
    guint16 port_lo, port_hi; /* its source ports */
    GHashTable *ports;      /* distinct source ports */
    guint32 probes, probes_failed; /* connections without data (td_hosts_add) */
    guint16 probe_lo, probe_hi; /* the ports they tried */
    GHashTable *targets;    /* distinct (address, port) they tried */
    GHashTable *target_hosts; /* distinct addresses */
    GHashTable *explainers; /* row index * TD_HOST_CODE_COUNT + code -> its connections that
                             * finding explains (explain_rows) */
} row_ev_t;

struct td_hosts {
    td_hosts_config_t cfg;
    GArray     *rows;       /* td_host_row_t */
    GPtrArray  *ev;         /* row_ev_t*, by row; freed by finish */
    GHashTable *index;      /* row key -> row index + 1 */
    GArray     *conns;      /* conn_rec_t; freed by finish */
    GArray     *order;      /* guint: row indices worst first, the rows listed */
    GHashTable *scanners;   /* client host of a scanner -> its row index + 1 */
    gboolean    finished;
};

static inline guint64
row_key(td_host_row_kind_t kind, guint32 host, guint16 port)
{
    return ((guint64)kind << 48) | ((guint64)port << 32) | host;
}

static inline td_host_row_t *
row_at(td_hosts_t *h, guint i)
{
    return &g_array_index(h->rows, td_host_row_t, i);
}

static inline const td_host_row_t *
find_row(const td_hosts_t *h, td_host_row_kind_t kind, guint32 host, guint16 port)
{
    guint64 key = row_key(kind, host, port);
    gpointer found_at = g_hash_table_lookup(h->index, &key);

    return found_at ? row_at((td_hosts_t *)h, GPOINTER_TO_UINT(found_at) - 1) : NULL;
}

/* hosts/td_host_explain.c, for the rollup: */
/* The silence before the RST that ended v, if at least shortest; else < 0. */
double td_host_reset_silence(const td_verdict_t *v, double shortest);

/* Whether v was a probe: no data from its client, and no connection or one
 * ended at once. */
gboolean td_host_is_probe(const td_verdict_t *v);

/* What v's verdict says that a host finding may explain, kept per stream. */
void td_host_explain_facts_of(const td_hosts_t *h, const td_verdict_t *v, explain_facts_t *why);

/* Every row without a finding of its own: the other row's finding that
 * explains most of its connections (td_host_row_t explained*). */
void td_host_explain_rows(td_hosts_t *h);

#endif /* TD_HOST_EVIDENCE_H */
