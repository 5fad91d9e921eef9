/* td_host_row.h
 * What the host rollup says (hosts/td_hosts.h): its rows (a service, a
 * host), their host.* findings and the numbers their words need, and the
 * thresholds (td_hosts_config_t). The types only, and the code table: what
 * the rollup, its checks, its explanations and the glue share.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_HOST_ROW_H
#define TD_HOST_ROW_H

#include "verdict/td_verdict.h"

/* The host diagnoses. */
typedef enum {
    TD_HOST_TIME_WAIT = 0,  /* a server that closes first holds a TIME_WAIT per connection */
    TD_HOST_CLOSE_WAIT,     /* a server application that never closes: CLOSE_WAIT leak */
    TD_HOST_ACCEPT_QUEUE,   /* a listener whose accept queue overflowed */
    TD_HOST_SCANNER,        /* one source probing many ports or hosts */
    TD_HOST_PATH_LOSS,      /* every connection of a host loses, in one direction */
    TD_HOST_IDLE_TIMEOUT,   /* connections reset after the same silence: a middlebox timer */
    TD_HOST_PORT_EXHAUSTION, /* a client reusing 4-tuples still in TIME_WAIT */
    TD_HOST_CODE_COUNT
} td_host_code_t;

typedef struct td_host_code_info {
    const char *name;       /* "host.time_wait" */
    const char *title;
    td_stream_severity_t severity; /* where the row it earns ranks */
} td_host_code_info_t;

const td_host_code_info_t *td_host_code_info(td_host_code_t code);

/* Thresholds (preferences; td_hosts_config_default gives the documented
 * defaults, with their reasons in td_host_checks.c). */
typedef struct td_hosts_config {
    guint32 min_conns;          /* connections a service or host needs before a rate is read
                                 * from them */
    double  time_wait;          /* how long the side that closes first holds TIME_WAIT */
    double  closed_first_share; /* the server closed first this share of its connections */
    guint32 time_wait_min;      /* ... and held this many TIME_WAITs at once */
    guint32 close_wait_min;     /* connections whose server never closed after the client's FIN */
    double  late_close;         /* ... for at least this long (the stream's late_close) */
    guint32 accept_queue_min;   /* connections whose handshake the listener dropped */
    double  accept_window;      /* ... while another connection to it completed this near */
    guint32 scan_min_targets;   /* distinct ports or hosts a source tried */
    double  scan_failed_share;  /* ... of which this share failed */
    double  loss_min_rate;      /* a host's direction lost this share of its segments */
    double  loss_conns_share;   /* ... and this share of its connections lost some */
    guint32 idle_min_resets;    /* resets after a silence of the same length */
    double  idle_reset;         /* the shortest silence that counts (the stream's idle_reset) */
    double  idle_spread;        /* the silences agree within this share of their median */
    guint32 port_reuse_min;     /* a client's connections that reused a 4-tuple in TIME_WAIT */
} td_hosts_config_t;

void td_hosts_config_default(td_hosts_config_t *cfg);

/* The stream's two ends, as the glue numbers addresses (any number but 0,
 * the same for the same address in the capture). */
typedef struct td_conn_ends {
    guint32 client_host, server_host;
    guint16 client_port, server_port;
} td_conn_ends_t;

typedef enum {
    TD_ROW_SERVICE = 0,     /* a server address and port: the connections to it */
    TD_ROW_HOST             /* an address: every connection it takes part in */
} td_host_row_kind_t;

/* A finding of a row: its code and the numbers its words need. */
typedef struct td_host_finding {
    td_host_code_t code;
    guint32 count;          /* the connections it is about */
    guint32 of;             /* ... out of */
    guint32 peak;           /* time_wait: at once; close_wait: at the end */
    guint32 other;          /* time_wait: at the capture's end; scanner: distinct ports;
                             * port_exhaustion: distinct source ports */
    guint8  dir;            /* path_loss: 0 from the host, 1 to it */
    guint8  where;          /* path_loss: td_loss_at_t of most of the loss */
    guint16 lo, hi;         /* port_exhaustion, scanner: the ports' range */
    double  value;          /* time_wait: how long each lasts; close_wait: the oldest;
                             * idle_timeout: the silence (median);
                             * path_loss: the rate; accept_queue: the first drop */
    double  low, high;      /* idle_timeout: the silences' range; close_wait: late_close,
                             * and how long before the end the newest began */
    double  lived;          /* idle_timeout: the longest silence a connection to the
                             * service lived through */
    guint32 targets;        /* scanner: distinct hosts */
} td_host_finding_t;

/* Per row. Directions are the host's: [0] what it sent, [1] what it received. */
/* The kinds of reset (the detail of teardown.reset, detect/td_teardown.c). */
typedef enum {
    TD_RESET_AFTER_FIN, TD_RESET_AFTER_PEER_FIN, TD_RESET_LATE_CLOSE, TD_RESET_HALF_OPEN,
    TD_RESET_GAVE_UP, TD_RESET_KEEPALIVE_DEAD, TD_RESET_MID_TRANSFER, TD_RESET_IDLE,
    TD_RESET_INSTEAD_OF_FIN, TD_RESET_KINDS
} td_reset_kind_t;
/* Its name ("mid_transfer"). */
const char *td_reset_kind_name(td_reset_kind_t kind);

typedef struct td_host_row {
    guint32 id;             /* its number in the rollup, from 0 (dense) */
    td_host_row_kind_t kind;
    guint32 host;           /* the glue's number of its address */
    guint16 port;           /* TD_ROW_SERVICE */
    guint32 conns;
    guint32 by_severity[TD_STREAM_HEALTHY + 1]; /* connections of each stream severity */
    guint32 refused, unanswered;
    guint32 resets[2];      /* RSTs ending its connections: sent by the host, by the peer */
    guint32 resets_middlebox; /* ... of which by another TTL than the sender's */
    guint32 reset_kinds[TD_RESET_KINDS];
    guint32 closed_first[3]; /* the host closed first, its peer, neither (no FIN) */
    guint32 half_closed[2]; /* the host in CLOSE_WAIT (its peer's FIN acknowledged, it never
                             * closed), its peer */
    guint64 segments[2], retrans[2], lost[2];
    double  stall_time[TD_STALL_KINDS];
    double  irtt_median, irtt_worst; /* initial RTT of its connections; < 0 none */
    double  first_time, last_time;
    guint32 scanner_probes; /* connections that were a scanner's probes (listed under it) */
    td_host_finding_t findings[TD_HOST_CODE_COUNT];
    guint32 codes;          /* bit per td_host_code_t found */
    td_stream_severity_t severity; /* the worst of its findings and its connections' */
    gboolean listed;        /* among td_hosts_row()'s (not only a scanner's probes) */
    /* No finding of its own: another row's finding that explains most of
     * its connections (its service's, its server's or its client's), and
     * how many it explains; 0 none. */
    guint32 explained;
    td_host_code_t explained_code;
    td_host_row_kind_t explained_kind;
    guint32 explained_host;
    guint16 explained_port;
} td_host_row_t;

/* The rollup (hosts/td_hosts.h). */
typedef struct td_hosts td_hosts_t;

#endif /* TD_HOST_ROW_H */
