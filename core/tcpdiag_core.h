/* tcpdiag_core.h
 * The tcpdiag analysis core: one TCP segment record in, per-stream state and
 * findings out. No epan include on purpose: the core is driven directly by the
 * unit tests, and by the epan glue (packet-tcpdiag.c) that reads Wireshark's
 * TCP fields.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPDIAG_CORE_H
#define TCPDIAG_CORE_H

#include <glib.h>
#include <wsutil/wmem/wmem.h>

#include "td_codes.h"
#include "td_times.h"

/* TCP header flag bits, as in the TCP header (RFC 9293 section 3.1). */
#define TD_FIN 0x001
#define TD_SYN 0x002
#define TD_RST 0x004
#define TD_PSH 0x008
#define TD_ACK 0x010

/* Bits of td_segment_t.opts: options carried by a SYN or SYN-ACK. */
#define TD_OPT_SACK_PERM   0x01
#define TD_OPT_TIMESTAMP   0x02
#define TD_OPT_TFO         0x04 /* TCP Fast Open option present (RFC 7413) */
#define TD_OPT_TFO_COOKIE  0x08 /* ... carrying a cookie (not a bare request) */

#define TD_NO_WSCALE (-1)
#define TD_MAX_WSCALE 14 /* RFC 7323 section 2.3 */

/* One TCP segment as the core sees it. The glue fills it from the TCP and IP
 * fields of a frame; anything it could not read keeps its "unknown" value. */
typedef struct td_segment {
    guint32 frame;      /* frame number */
    double  time;       /* seconds since the start of the capture */
    guint16 sport, dport; /* ports: they guess the roles when no SYN is seen */
    guint8  dir;        /* 0: sent by the endpoint first seen in the stream, 1: its peer */
    guint8  ip_version; /* 4 or 6; 0 unknown */
    guint8  ttl;        /* IPv4 TTL or IPv6 hop limit; 0 unknown */
    guint8  host_ttl;   /* TTL the glue saw on other (non-RST) packets from the same
                         * source address in the capture, any stream; 0 unknown */
    guint16 flags;      /* TD_FIN ... TD_ACK */
    guint32 seq;        /* raw sequence number */
    guint32 ack;        /* raw acknowledgment number */
    guint32 len;        /* TCP payload length */
    guint32 win;        /* window field as sent; the core scales it with the window
                         * scale the handshake negotiated */
    /* options, read on SYN and SYN-ACK only */
    guint16 mss;        /* 0: no MSS option */
    gint8   wscale;     /* TD_NO_WSCALE: no window scale option */
    guint8  opts;       /* TD_OPT_* */
    /* on every segment that carries them */
    gboolean ts_known;  /* a timestamps option (RFC 7323 section 3) */
    guint32 tsval, tsecr;
    guint8  sack_count; /* SACK blocks (RFC 2018), raw sequence numbers, as sent */
    guint32 sack[4][2]; /* [i][0] left edge, [i][1] right edge */
} td_segment_t;

/* What the sequence-space model (td_seqspace.c) says of one segment that is
 * not plain new data. */
typedef enum {
    TD_SEGCLASS_RETRANSMISSION = 1, /* data sent before */
    TD_SEGCLASS_REORDERED,   /* filled a hole sooner than a retransmission could */
    TD_SEGCLASS_KEEPALIVE,   /* keep-alive probe: seq one below the ACK, 0 or 1 byte */
    TD_SEGCLASS_ZW_PROBE,    /* zero-window probe: the peer's window is 0 */
    TD_SEGCLASS_DUPLICATE    /* the same frame again (a duplicating capture) */
} td_segclass_t;

/* Why a retransmission was sent (tcpdiag.retrans.kind). */
typedef enum {
    TD_RETX_UNKNOWN = 0, /* no loss signal, and too soon for a timer: cannot tell */
    TD_RETX_FAST,        /* the receiver signalled the loss (duplicate ACKs, SACK) */
    TD_RETX_RTO,         /* a timer fired: no signal, the sender quiet for the minimum RTO */
    TD_RETX_TLP,         /* tail loss probe: the last segment re-sent (RFC 8985) */
    TD_RETX_KINDS
} td_retx_kind_t;

/* Where the original of a retransmission was lost, seen from the capture point. */
typedef enum {
    TD_LOSS_UNKNOWN = 0,
    TD_LOSS_DOWNSTREAM,  /* the original passed the capture point */
    TD_LOSS_UPSTREAM     /* the original never reached the capture point */
} td_loss_at_t;

/* How a retransmission was proved spurious (the data had arrived). */
#define TD_SPURIOUS_DSACK    0x01 /* a D-SACK covered it (RFC 2883) */
#define TD_SPURIOUS_EARLY    0x02 /* the ACK came sooner than a round trip after it */
#define TD_SPURIOUS_EIFEL    0x04 /* the ACK echoed an earlier TSval (RFC 3522) */
#define TD_SPURIOUS_ACKED    0x08 /* it re-sent data already acknowledged */

typedef struct td_seg_verdict {
    guint32 frame;
    guint8  segclass;   /* td_segclass_t */
    guint8  kind;       /* td_retx_kind_t, retransmissions only */
    guint8  loss_at;    /* td_loss_at_t, retransmissions only */
    guint8  spurious;   /* TD_SPURIOUS_* evidence; 0: not known to be spurious */
} td_seg_verdict_t;

/* An ICMP or ICMPv6 error that quotes a TCP segment of the stream. */
typedef struct td_icmp_error {
    guint32     frame;
    double      time;
    guint8      ip_version;    /* of the ICMP packet: 4 -> ICMP, 6 -> ICMPv6 */
    guint8      type, code;
    guint32     mtu;           /* next-hop MTU (ICMP 3/4, ICMPv6 2); 0 none */
    guint8      quoted_dir;    /* direction of the quoted TCP segment */
    guint16     quoted_flags;  /* flags of the quoted segment (0 if not quoted) */
    guint32     quoted_seq;
    gboolean    quoted_seq_known; /* ICMPv4 errors show no raw sequence number */
    gboolean    from_peer_host; /* the ICMP came from the quoted segment's destination */
    const char *sender;        /* printable address of the ICMP's sender */
} td_icmp_error_t;

/* A finding: one diagnosis, attached to the frame that completes its evidence. */
typedef struct td_finding {
    td_code_t   code;
    guint32     frame;      /* the frame that carries it */
    const char *detail;     /* short keyword refining the code, e.g. "gave_up", "icmp" */
    const char *message;    /* what happened, which side, what it cost; fits an expert
                             * info (under 240 characters, ITEM_LABEL_LENGTH). NULL
                             * when describe makes it: read td_finding_message() */
    /* Makes the message when it is shown, from the finding alone (its detail,
     * duration, describe_arg): for the finding nearly every stream carries
     * (a graceful close), so that a stream no tree shows formats no string
     * (issue 12: 3,000 instructions and 140 bytes a stream). NULL: message. */
    char     *(*describe)(wmem_allocator_t *scope, const struct td_finding *f);
    const char *cause;      /* likely causes and what to check; NULL if none */
    guint32     count;      /* retries, repeats ...; 0 when not applicable */
    guint32     describe_arg; /* what describe needs besides the finding's fields */
    double      duration;   /* seconds it cost or lasted; < 0 when not applicable */
    guint32     ref_frame;  /* frame where the evidence began; 0 when not applicable */
    guint32     trigger_frame; /* stalls: the late ACK or window update that released it */
    struct td_finding *next; /* next finding on the same frame */
    struct td_finding *stream_prev; /* the stream's previous finding (newest first) */
} td_finding_t;

/* Thresholds. Every one is a user preference; td_config_default() gives the
 * documented defaults (see docs/heuristics.md). */
typedef struct td_config {
    /* A SYN or SYN-ACK repeated sooner than this is a duplicated frame, not a
     * retransmission: no TCP retransmits sooner than its minimum RTO, 200 ms
     * on Linux (TCP_RTO_MIN) and 1 s by RFC 6298 section 2.4. */
    double  min_rto;
    /* A RST after both sides were silent this long is an idle-connection
     * reset (application, load balancer or firewall idle timeout). 1 s is
     * above any delayed ACK (at most 500 ms, RFC 1122 section 4.2.3.2) and
     * Linux's minimum RTO, so a quiet second means nothing was in progress. */
    double  idle_reset;
    /* A pure ACK that comes this much later than the RTT to its sender is a
     * delayed ACK: Linux's delayed-ACK timer is at least 40 ms (TCP_DELACK_MIN,
     * HZ/25), Windows' 200 ms; 30 ms leaves room for timer granularity while
     * staying far above RTT jitter on a LAN. */
    double  delayed_ack_min;
    /* A window-full wait shorter than this is not reported (timer and
     * scheduling noise); a sender blocked by a full window for a round trip
     * or more is held back by the receive buffer. */
    double  window_full_min;
    /* A new SYN on the 4-tuple of a connection that ended less than this ago
     * is port reuse against TIME_WAIT: 60 s is Linux's TCP_TIMEWAIT_LEN, the
     * shortest common 2*MSL. */
    double  time_wait;
    /* An MSS below this is reported as low. 1220 is the MSS of IPv6's minimum
     * MTU (1280, RFC 8200 section 5): any working path carries that much, so a
     * smaller MSS is a clamp or a broken path MTU that costs many more
     * packets. Milder reductions (1452 PPPoE, ~1380 VPN) are normal on the
     * Internet and cost a few percent: they show in tcpdiag.stream.mss. */
    guint32 mss_low;
    /* A passive side that closes (FIN or RST) this long or longer after its
     * peer's FIN closes late: an application that reads EOF calls close()
     * at once in every event loop; 1 s is above any delayed ACK (500 ms,
     * RFC 1122 4.2.3.2) and Linux's minimum RTO, so the wait is the
     * application's, not TCP's (as idle_reset). */
    double  late_close;
} td_config_t;

void td_config_default(td_config_t *cfg);

/* Zeek's per-endpoint TCP states (zeek/zeek src/analyzer/protocol/tcp/TCP_Endpoint.h). */
typedef enum {
    TD_EP_INACTIVE = 0,
    TD_EP_SYN_SENT,
    TD_EP_SYN_ACK_SENT,
    TD_EP_PARTIAL,
    TD_EP_ESTABLISHED,
    TD_EP_CLOSED,
    TD_EP_RESET
} td_ep_state_t;


/* One range of a direction's outstanding data (td_seqspace.c). */
typedef struct td_sb_range {
    guint32 start, end;  /* [start, end), raw sequence numbers */
    double  sent;        /* first transmission seen; for a hole, when it showed */
    double  resent;      /* its last retransmission; 0 none */
    guint32 frame;       /* first transmission's frame; 0: never seen here */
    guint32 tsval;       /* TSval of its first transmission (a hole: of the
                          * segment that showed it); 0 unknown */
    guint32 resent_tsval;
    td_seg_verdict_t *verdict; /* its last retransmission's verdict */
    guint16 retx;
    guint8  sacked;
} td_sb_range_t;

#define TD_SB_MAX 12 /* ranges per direction: the bound of td_seqspace.h */

/* What a direction needs only once its data is in trouble: a chain of
 * unanswered retransmissions, keep-alives, path MTU evidence, a stall on its
 * retransmission timer, and the count of every segment that was not plain
 * new data (retransmitted, reordered, a probe, a duplicated frame). Most
 * directions never are, so it is allocated the first time one of these
 * begins (td_seqdir_trouble) and read through td_seqdir_trouble_of(), which
 * gives all zeros until then: a short stream does not pay for it (issue 12:
 * bytes per stream). */
typedef struct td_seqdir_trouble {
    /* the unanswered chain: retransmissions of the same data with nothing
     * from the receiver since the first (abandoned: a dead peer or path) */
    td_times_t chain_times;
    guint32  chain_seq, chain_count, chain_first_frame, chain_peer_packets;
    guint32  chain_len;     /* the length of its last retransmission */
    /* keep-alive probes with nothing from the receiver since the first
     * (data.keepalive_dead) */
    guint32  ka_count, ka_first_frame, ka_peer_packets;
    td_times_t ka_times;
    /* the rto stall under way */
    double   rto_begin, rto_last;
    guint32  rto_count, rto_begin_frame, rto_last_frame, rto_seq;
    /* path MTU: "fragmentation needed" / "packet too big" quoting its data
     * (data.path_mtu), or a black hole: the same data timed out at one size
     * and passed at once when resent smaller */
    const char *pmtu_sender;
    guint32  pmtu_icmps, pmtu_icmp_frame, pmtu_mtu, pmtu_big;
    guint32  bh_frame, bh_end, bh_big, bh_small, bh_timeouts;
    /* the account of what was not plain new data */
    guint32  retrans, retrans_kind[TD_RETX_KINDS], upstream, downstream;
    guint32  timeouts;      /* times its timer fired (the first rto retransmissions) */
    guint32  dsacks;        /* ACKs from the receiver that carried a D-SACK (RFC 2883) */
    guint32  spurious, reordered, keepalives, zw_probes, duplicates;
    guint32  spurious_evidence; /* TD_SPURIOUS_* seen */
    guint8   pmtu_reported, pmtu_v6;
    guint8   ka_reported;   /* its finding was drawn (on the prober's RST, or at the end) */
    guint8   rto_open;
} td_seqdir_trouble_t;

/* The sequence-space model of the data one side sends (td_seqspace.h). */
typedef struct td_seqdir {
    /* Fields are grouped by size within each concern, so that the struct
     * has no padding: a stream holds two. */
    guint32  una;           /* the receiver's cumulative ACK */
    guint32  nxt;           /* highest sequence number sent + 1 */
    double   una_time;      /* when una last advanced (or the data started) */
    guint32  una_frame;
    guint32  una_advance;   /* bytes that last advance acknowledged */
    double   last_tx_time;  /* its last data or FIN, new or not */
    double   new_time;      /* its last new data (what advanced nxt); */
    guint32  new_frame;     /* 0: none yet */
    guint32  ack_high;      /* the receiver's highest ACK, even past nxt (data this capture
                             * missed); valid once ack_time is set */
    double   timer_time;    /* when its retransmission timer last started; */
    double   progress_time; /* its last progress: the timer's start without the */
    guint32  timer_frame;   /* 0: not running (nothing outstanding) */
    guint32  progress_frame; /* restarts by retransmissions (an rto stall begins there) */
    guint32  zwp_seq, zwp_end; /* new data a zero-window probe carried; zwp_end 0 none */
    /* the previous data segment, to tell a duplicated frame */
    guint32  last_seq, last_len, last_ack, peer_packets_at_last;
    double   last_time;
    /* loss signals from the receiver (RFC 5681, RFC 6675) */
    double   signal_time;   /* the receiver's last duplicate ACK or new SACK */
    double   ack_time;      /* the receiver's last ACK */
    guint32  dupacks;       /* duplicate ACKs since una last advanced */
    guint32  rcv_win;       /* the window of the receiver's last ACK */
    guint32  sack_high;     /* highest SACKed sequence number above una; valid if sack_seen */
    guint32  recovery_point; /* nxt when the recovery under way began (RFC 6582) */
    /* RTT: one timed segment at a time (as BSD), none from a retransmission
     * (Karn); capture point -> receiver -> capture point */
    double   timed_at;
    double   srtt, rttvar, rtt_min;
    guint32  timed_end;
    guint32  rtt_samples;
    guint32  max_len;       /* its largest segment so far: its effective MSS */
    guint32  syn_data_end;  /* end of the data its SYN carried (TFO); 0 none */
    /* the flight under way: new data sent since nothing was outstanding */
    double   flight_idle;   /* the sender's silence before it; < 0: its first data */
    guint32  flight_frame;  /* its first segment; 0 none yet */
    guint32  flight_seq, flight_segs;
    guint32  segments;      /* data segments sent, new or not */
    /* flags */
    guint8   known;
    guint8   sack_seen;
    guint8   recovery;      /* td_retx_kind_t of the recovery under way; 0 none */
    guint8   tlp_sent;      /* a tail loss probe since una last advanced */
    guint8   frto_done;     /* the first ACK after a timeout came (RFC 5682) */
    guint8   timing;        /* a segment is being timed (timed_end, timed_at) */
    guint8   n, cap;        /* ranges in use, and allocated (at most TD_SB_MAX) */
    td_sb_range_t *r;       /* grown on demand: most streams need one or two */
    td_seqdir_trouble_t *trouble; /* NULL until its data is first in trouble */
    wmem_allocator_t *scope; /* where r and trouble live: the stream's own */
} td_seqdir_t;

/* A direction's trouble, all zeros while it had none (never NULL). */
extern const td_seqdir_trouble_t td_seqdir_no_trouble;
static inline const td_seqdir_trouble_t *
td_seqdir_trouble_of(const td_seqdir_t *q)
{
    return q->trouble ? q->trouble : &td_seqdir_no_trouble;
}
/* The same, to write: allocated (zeroed) on the first call. */
td_seqdir_trouble_t *td_seqdir_trouble(td_seqdir_t *q);

/* What the core keeps about each side of a stream. */
/* What the stall detector (td_stall.c) keeps of one side as a sender while
 * a stall may be forming: a late ACK of its data (a Nagle candidate), the
 * segment that ACK released, its filling the peer's window, the peer's zero
 * window. Allocated on the first such event (td_side_stall), read through
 * td_side_stall_of(), all zeros until then. */
typedef struct td_side_stall {
    /* the peer's late ACK of all its data: Nagle candidate */
    double   late_ack_time, late_ack_excess;
    double   late_ack_from;  /* time of the data it acked */
    double   late_ack_idle;  /* the sender's idle time before the flight it acked; < 0 none */
    guint32  late_ack_frame; /* 0 none */
    guint32  late_ack_from_frame;
    guint32  late_ack_flight; /* segments in that flight */
    /* the segment the late ACK released, awaiting the next packet to tell
     * a lone release from a flight */
    guint32  held_frame;    /* 0 none */
    double   held_time;
    guint32  held_len;
    guint32  wf_frame;      /* it filled the peer's window here; 0 none */
    double   wf_time;
    double   zw_time;
    double   zw_update_time;
    guint32  zw_frame;      /* the peer's zero window began here; 0 none */
    guint32  zw_update_frame; /* the peer reopened its window here; 0 not yet */
    td_times_t zw_probe_times;
    guint32  zw_probes;
    guint8   late_ack_full;  /* the late-acked flight's segments were all full-sized */
} td_side_stall_t;

typedef struct td_side {
    td_ep_state_t state;
    guint32  isn;           /* sequence number of its SYN / SYN-ACK */
    guint32  nxt;           /* highest sequence number sent + 1 (seq + len + SYN/FIN) */
    guint32  base_seq;      /* its ISN (SYN), else the sequence number before its first byte */
    guint16  mss;           /* from its SYN / SYN-ACK; 0 none */
    gint8    wscale;
    guint8   opts;
    guint8   ttl;           /* TTL of its last non-RST packet; 0 unknown */
    guint8   seq_known;
    guint8   syn_seen;      /* sent a SYN or SYN-ACK */
    guint8   ack_known;
    guint16  history_seen;  /* which history letters it already logged */
    guint32  packets;
    guint64  payload_bytes;
    guint32  retransmissions;
    guint32  zero_windows;
    gint64   rwnd;          /* the window the PEER last advertised to it, bytes; -1 unknown */

    /* teardown */
    guint32  ack_max;       /* highest acknowledgment number it sent */
    guint32  last_data_frame;
    double   last_time;     /* time of its last packet */
    double   last_data_time; /* time of its last packet with payload */
    guint32  last_frame_seen; /* frame of its last packet */
    guint32  fin_count;     /* FINs sent with its first FIN's sequence number */
    guint32  fin_seq;       /* sequence number of its FIN */
    guint32  fin_first_frame;
    td_times_t fin_times;
    guint32  fin_acked_frame; /* the peer's ACK of its FIN; 0 not yet */
    double   fin_acked_time;
    guint32  sent_after_peer_fin; /* payload bytes sent after the peer's FIN */
    guint32  rst_count;
    td_side_stall_t *stall;  /* NULL until its first stall evidence */
} td_side_t;

/* A side's stall evidence, all zeros while it had none (never NULL). */
extern const td_side_stall_t td_side_no_stall;
static inline const td_side_stall_t *
td_side_stall_of(const td_side_t *side)
{
    return side->stall ? side->stall : &td_side_no_stall;
}

#define TD_MAX_SYN_TIMES TD_MAX_TIMES

/* Everything the core knows about one TCP stream. */
/* A stream's verdict at one moment: everything the tree, the table and the
 * fields show of it, computed together (td_stream_snapshot). */
typedef struct td_snapshot {
    guint32   version;          /* the stream's version it shows; 0 none yet */
    guint32   codes;            /* found so far, and what is pending */
    td_code_t handshake, teardown;
    guint32   stalls;           /* ended and still open */
    td_code_t worst_stall;
    int       severity;         /* td_stream_severity_t (td_summary.h) */
    td_code_t headline;         /* the code that earns it */
    double    stall_time, worst_stall_time;
} td_snapshot_t;

typedef struct td_stream {
    /* Fields are grouped by size within each concern, so that the struct
     * has no padding (issue 12: bytes per stream). */
    wmem_allocator_t  *scope;    /* where its findings and strings live */
    const td_config_t *cfg;
    struct td_stream *prev_same_tuple; /* earlier stream on the same 4-tuple, if any */
    guint32  index;              /* tcpdiag's stream number: Wireshark 4.0's tcp.stream
                                  * (td_stream_is_new_connection) */
    guint32  packets;

    td_side_t side[2];

    double   last_time;
    double   clock;              /* the capture's time as last told (td_stream_clock): */
                                 /* >= last_time; verdicts that take time read it */
    guint32  last_frame;
    gint8    client;             /* dir of the side that sent the first SYN; -1 unknown */
    guint8   ip_version;

    /* handshake */
    guint8   reject_ttl;         /* that RST's TTL while no reference TTL judged it; 0 none */
    guint8   rst_dir;            /* teardown: the side that sent the first RST */
    td_times_t syn_times;
    guint32 *syn_tsval_more;     /* their TSvals (RFC 7323; 0 none): the 2nd to the */
    guint32  syn_tsval_first;    /* TD_MAX_SYN_TIMES-th allocated with the 2nd SYN */
    guint32  syn_count;          /* SYNs from the client with its first ISN */
    guint32  syn_before_synack;  /* ... sent before the first SYN-ACK */
    guint32  synack_first_tsval, synack_first_tsecr, synack_last_tsval; /* 0 none */
    guint32  suspect_frame;      /* a SYN repeated after a SYN-ACK, verdict awaiting the ACK */
    double   suspect_time;
    guint32  syn_first_frame, syn_last_frame;
    guint32  syn_data_len;       /* payload of the first SYN (TCP Fast Open) */
    guint32  server_packets_at_syn;    /* server's packet count when the last SYN was sent */
    guint32  client_packets_at_synack; /* client's packet count when the last SYN-ACK was sent */
    guint32  synack_count;
    double   synack_first_time, synack_last_time;
    guint32  synack_first_frame;
    guint32  established_frame;  /* client's ACK of the SYN-ACK; 0 not yet */
    double   established_time;
    double   initial_rtt;        /* < 0 unknown */
    double   answered_syn_time;  /* the SYN the SYN-ACK answered: initial_rtt starts there */
    guint32  reject_frame;       /* RST or ICMP that rejected the SYN; 0 none */
    guint32  hs_flags;           /* TD_HSF_* (td_handshake.h) */

    /* teardown */
    double   rst_time;           /* first RST after the handshake */
    struct td_finding *rst_finding; /* its teardown.reset finding, refined by later packets */
    guint32  td_flags;           /* TD_TDF_* (td_teardown.h) */

    /* stalls */
    guint32  stalls;             /* stalls ended so far */
    double   stall_time;         /* the union of their intervals */
    double   stall_counted_until; /* the end of the stall time counted so far */
    double   worst_stall_time;
    td_code_t worst_stall;       /* kind of the longest, TD_CODE_NONE if none */

    guint32  codes;              /* bit per td_code_t found so far */

    /* the data phase: the sequence-space model of each side's data */
    td_seqdir_t seq[2];
    td_seg_verdict_t *verdict;   /* of the segment just fed; NULL: plain */

    td_finding_t *last_finding;  /* its newest finding; older ones via stream_prev */
    td_finding_t *last_segment_finding; /* the newest before td_stream_finalize() added
                                         * its conclusions (those depend on the capture's end) */
    struct td_prefinal *prefinal; /* what td_stream_finalize() changed, for td_stream_thaw() */
    char     history[40];
    guint8   history_len;
    guint8   finalized;
    /* The verdict as of the stream's last change, computed once on the first
     * read after it (td_stream_snapshot): the tree, the table and the fields
     * all read this. version counts the changes (packets, ICMP errors, the
     * capture clock, the end). */
    guint32  version;
    td_snapshot_t snap;
} td_stream_t;

/* A new stream. prev: the last stream seen on the same 4-tuple, or NULL. */
td_stream_t *td_stream_new(wmem_allocator_t *scope, const td_config_t *cfg,
                           guint32 index, td_stream_t *prev);

/* Whether seg, the first segment of what Wireshark made a new stream on the
 * 4-tuple of prev, opens a new connection, or continues prev. Wireshark 4.0
 * starts a new stream on a 4-tuple only for a SYN without ACK whose sequence
 * number differs from the ISN its sender used in the stream
 * (epan/dissectors/packet-tcp.c, TCP_S_BASE_SEQ_SET), which is a new
 * connect(): a new connect() chooses a new ISN (RFC 6528). Later releases
 * also split a connection at a SYN retried with the same ISN after a
 * challenge ACK and the client's RST, and at a SYN-ACK after a RST or with
 * another ISN; those continue prev, so that every release gives the same
 * streams. seg->dir is its direction in prev. */
gboolean td_stream_is_new_connection(const td_stream_t *prev, const td_segment_t *seg);

/* Feed one segment; returns the findings it completes (a list, NULL if none). */
td_finding_t *td_stream_segment(td_stream_t *s, const td_segment_t *seg);

/* What the model said of the segment td_stream_segment() was just fed: NULL
 * for plain new data or a pure ACK. It lives in the stream's scope, and its
 * spurious evidence may be set by later segments. */
static inline td_seg_verdict_t *td_stream_verdict(const td_stream_t *s) { return s->verdict; }

/* Feed an ICMP error quoting a segment of the stream; returns its findings. */
td_finding_t *td_stream_icmp_error(td_stream_t *s, const td_icmp_error_t *icmp);

/* The capture ended at capture_end (seconds): conclude what only the absence
 * of later packets proves (an unanswered SYN, an incomplete handshake). The
 * findings are attached to the stream's last frame. Idempotent. */
td_finding_t *td_stream_finalize(td_stream_t *s, double capture_end);
/* The same, the conclusions (findings and their strings) allocated in scope
 * (NULL: the stream's own), which may be freed once the stream is thawed:
 * a live capture that concludes a stream again and again keeps one set. */
td_finding_t *td_stream_finalize_in(td_stream_t *s, double capture_end,
                                    wmem_allocator_t *scope);

/* Undo td_stream_finalize(): the stream is again as the first pass left it,
 * its conclusions dropped (they stay allocated in its scope), so that more
 * packets can follow and a later td_stream_finalize() concludes again at a
 * later end. A live capture needs it: Wireshark redraws frames (a later
 * pass) while packets still arrive. Feeding a finalized stream (a segment,
 * an ICMP error, the clock, a late TTL) thaws it first. No-op when the stream
 * is not finalized. */
void td_stream_thaw(td_stream_t *s);

/* The capture was read to its end, and the server host of this stream showed
 * TTL ttl on its SYN-ACKs (any stream, any time; 0 unknown): a refusing RST
 * that no earlier packet could judge is judged now. Called once the first
 * pass is over, in every mode, before the table or a later pass reads it. */
void td_stream_late_host_ttl(td_stream_t *s, guint8 ttl);
/* A refusing RST waits for that reference. */
static inline gboolean td_stream_wants_host_ttl(const td_stream_t *s) { return s->reject_ttl != 0; }

/* The capture's clock reached now (seconds; packets of other streams move
 * it): verdicts that only time proves (a half-close that lasts long enough
 * to be a CLOSE_WAIT leak) read it. The glue calls it at the time
 * td_stream_deadline() gave, so that every mode sees the same verdict. */
void td_stream_clock(td_stream_t *s, double now);
/* The capture time at which this stream's verdict would change by time
 * alone, or < 0 if none. */
double td_stream_deadline(const td_stream_t *s);

/* Where the capture was taken (tcpdiag.stream.vantage). */
typedef enum {
    TD_VANTAGE_UNKNOWN = 0,
    TD_VANTAGE_CLIENT,      /* next to the client: its side holds < 10% of the RTT */
    TD_VANTAGE_SERVER,      /* next to the server */
    TD_VANTAGE_IN_PATH      /* in between; *client_share says how far */
} td_vantage_t;

/* The vantage point and the client side's share of the RTT (per cent, 0 if
 * unknown), from the handshake's split of the RTT, or without a handshake
 * from the data phase's smallest round trip each way. */
td_vantage_t td_stream_vantage(const td_stream_t *s, guint *client_share);
const char *td_vantage_name(td_vantage_t v);
/* Where the capture point is, for the reader of "after this capture point":
 * " (near the client)", " (in the path, 40% of the RTT client-side)", or ""
 * when it cannot be told. */
const char *td_vantage_words(td_stream_t *s);

/* The round trip from the capture point to side dir and back, from the
 * handshake (SYN -> SYN-ACK is the one to the server, SYN-ACK -> ACK the one
 * to the client); < 0 unknown. */
double td_stream_rtt_to(const td_stream_t *s, guint8 dir);

/* Per-stream verdicts, valid at any time: before finalize they say what the
 * stream would be if the capture ended at its last packet. */
const char *td_stream_conn_state(const td_stream_t *s);
/* The stream's verdict as of its last change, computed on the first read
 * after it; every getter below reads it. */
const td_snapshot_t *td_stream_snapshot(const td_stream_t *s);
td_code_t   td_stream_handshake(const td_stream_t *s);   /* TD_CODE_NONE: ok */
/* The stream's teardown verdict; TD_CODE_NONE when no connection was made. */
td_code_t   td_stream_teardown(const td_stream_t *s);
/* Stalls, including one still open at the stream's last packet: count, total
 * time, and the kind and duration of the longest. */
void        td_stream_stalls(const td_stream_t *s, guint32 *count, double *total,
                             td_code_t *worst, double *worst_time);
/* Bit per code of every finding on the stream, including the conclusions
 * td_stream_finalize() would draw. */
guint32     td_stream_codes(const td_stream_t *s);
/* Comma-separated codes, e.g. "handshake.syn_retransmitted,handshake.options". */
char       *td_stream_diagnoses(wmem_allocator_t *scope, const td_stream_t *s);

#endif /* TCPDIAG_CORE_H */
