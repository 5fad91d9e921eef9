/* td_record.h
 * The stream record: everything the core knows about one TCP stream, and the
 * segment and ICMP error it is fed. The bottom of the core: every other file
 * reads it; it calls nothing.
 *
 * Who writes what (docs/architecture.md):
 *  - the model (model/): the sides' endpoint facts (td_endpoint.c), each
 *    direction's sequence space (td_seqspace.c), the findings list
 *    (td_finding.c), and what it made of the segment just fed (seg_verdict,
 *    seg_notes);
 *  - each detector (detect/) its own part and nothing else: the handshake
 *    detector s->handshake and the handshake's timing s->path, which the
 *    model's path facts read (model/td_path.c); the teardown detector
 *    s->teardown and the sides' FIN tracking; the stall detector
 *    s->stall_account and the sides' stall evidence (an opaque part only it
 *    reads); the data-phase detector its marks in a direction's trouble;
 *  - the stream's entry (td_stream.c): the clock, the version, and what a
 *    finalize changed.
 * The verdict (verdict/) writes nothing here.
 *
 * No epan include on purpose: the core is driven directly by the unit tests,
 * and by the epan glue (packet-tcpdiag.c) that reads the frame's bytes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_RECORD_H
#define TD_RECORD_H

#include <glib.h>
#include <wsutil/wmem/wmem.h>

#include "model/td_codes.h"
#include "model/td_times.h"

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
    TD_LOSS_UPSTREAM,    /* the original never reached the capture point */
    TD_LOSS_WINDOW       /* not lost: sent beyond the receiver's window, which refused it
                          * (RFC 9293 section 3.10.7.4: a segment past the right edge is
                          * not acceptable) */
} td_loss_at_t;

/* How a retransmission was proved spurious (the data had arrived). */
#define TD_SPURIOUS_DSACK    0x01 /* a D-SACK covered it (RFC 2883) */
#define TD_SPURIOUS_EARLY    0x02 /* the ACK came sooner than a round trip after it */
#define TD_SPURIOUS_EIFEL    0x04 /* the ACK echoed an earlier TSval (RFC 3522) */
#define TD_SPURIOUS_ACKED    0x08 /* it re-sent data already acknowledged */

/* What a retransmission carried: data, or only a SYN, SYN-ACK or FIN. The
 * kernel counts all of them (TcpRetransSegs; TCPSynRetrans for the first
 * two), Zeek TCPRS names them too; tcpdiag counts the control ones apart,
 * since no data was lost or resent. */
typedef enum {
    TD_CTL_DATA = 0,
    TD_CTL_SYN,
    TD_CTL_SYNACK,
    TD_CTL_FIN
} td_control_t;

typedef struct td_seg_verdict {
    guint32 frame;
    guint8  segclass;   /* td_segclass_t */
    /* retransmissions only: td_retx_kind_t and td_control_t (four bits each:
     * a verdict per resent segment stays 16 bytes) */
    guint8  kind : 4;
    guint8  control : 4;
    guint8  loss_at;    /* td_loss_at_t, retransmissions only */
    guint8  spurious;   /* TD_SPURIOUS_* evidence; 0: not known to be spurious */
    /* retransmissions only: the same data's previous retransmission, so that
     * evidence that the data had arrived marks every copy sent (a timeout's
     * backoff resends the same segment) */
    struct td_seg_verdict *prev_copy;
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
 * documented defaults (docs/diagnoses.md). */
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

/* One range of a direction's outstanding data (model/td_seqspace.c). */
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
    guint8  sacked : 1;
    guint8  beyond : 1;  /* its first copy was sent past the receiver's right edge, or the
                          * receiver moved the edge below it after (the window refused it) */
    guint8  copy_beyond : 1; /* the same of its last resend (which covered it up to copy_end) */
    guint32 copy_end;    /* the end of the part its last resend covered; valid if retx */
} td_sb_range_t;

#define TD_SB_MAX 12 /* ranges per direction: the bound of model/td_seqspace.h */

/* What a direction needs only once its data is in trouble: a chain of
 * unanswered retransmissions, keep-alives, path MTU evidence, a stall on its
 * retransmission timer, and the count of every segment that was not plain
 * new data (retransmitted, reordered, a probe, a duplicated frame). Most
 * directions never are, so it is allocated the first time one of these
 * begins (td_seqdir_trouble) and read through td_seqdir_trouble_of(), which
 * gives all zeros until then: a short stream does not pay for it (issue 12:
 * bytes per stream). */
/* Acknowledged retransmitted ranges a direction remembers for late D-SACKs:
 * a timeout's go-back-N is reported a few ranges at a time. */
#define TD_ACKED_RETX 4

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
    guint32  refused;       /* retransmissions of data first sent beyond the receiver's
                             * window: resent because refused, neither lost nor spurious */
    guint32  control;       /* SYN, SYN-ACK or FIN sent again without data (not in retrans) */
    guint32  control_spurious; /* of those, shown to have arrived (a D-SACK, Eifel) */
    /* its SYN or SYN-ACK sent again: the last copy's verdict (prev_copy the
     * others), and the TSval of the first resend (0 none), for the ACK that
     * shows the first had arrived (Eifel) */
    td_seg_verdict_t *syn_copy;
    guint32  syn_resent_tsval;
    guint32  spurious_evidence; /* TD_SPURIOUS_* seen */
    /* retransmitted data acknowledged since, newest last: a receiver reports
     * a duplicate (D-SACK, RFC 2883) when the duplicate arrives, most often
     * after the original was acknowledged and its range left the scoreboard */
    struct {
        guint32 start, end;
        guint32 resent_tsval;     /* its last retransmission's TSval; 0 unknown */
        td_seg_verdict_t *copies; /* its last retransmission; prev_copy the others */
    } acked_retx[TD_ACKED_RETX];
    guint8   acked_next;    /* the slot the next one takes (the oldest goes) */
    guint8   pmtu_v6;
    guint8   rto_open;
    guint8   rto_spurious;  /* the rto stall under way: shown spurious by the ACK that
                             * ends it (the data had arrived: a spurious timeout) */
    /* the data-phase detector's marks (detect/td_data.c): its finding on
     * the path MTU, on the dead keep-alive, was drawn */
    guint8   pmtu_reported, ka_reported;
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
    guint32  rcv_edge;      /* the receiver's right edge (ACK + window) as its highest ACK
                             * set it; valid if edge_known */
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
    double   win_open_time; /* when the receiver's window last opened from zero; 0 never */
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
    /* its SYN (or SYN-ACK): the last copy sent, to tell its resends (their
     * verdicts are in the trouble part: syn_copy) */
    double   syn_time;
    guint32  syn_seq, syn_peer_packets;
    /* the highest range acknowledged, and the TSval of its newest copy seen
     * here (0 unknown): to tell its original arriving after its
     * retransmission (td_seqspace.c late_copy) */
    guint32  acked_tail_start, acked_tail_end, acked_tail_tsval;
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
    guint8   syn_sent;      /* syn_time, syn_seq are set */
    guint8   edge_known;    /* rcv_edge is set */
    guint8   n, cap;        /* ranges in use, and allocated (at most TD_SB_MAX) */
    td_sb_range_t *r;       /* grown on demand: most streams need one or two */
    td_seqdir_trouble_t *trouble; /* NULL until its data is first in trouble */
    wmem_allocator_t *scope; /* where r and trouble live: the stream's own */
} td_seqdir_t;

/* The stall detector's evidence of one side as a sender (detect/td_stall.h):
 * allocated on its first stall event, read by the stall detector alone. */
struct td_side_stall;

/* What the core keeps about each side of a stream. */
typedef struct td_side {
    /* the endpoint model (model/td_endpoint.c) */
    td_ep_state_t state;
    guint32  isn;           /* sequence number of its SYN / SYN-ACK */
    guint32  nxt;           /* highest sequence number sent + 1 (seq + len + SYN/FIN) */
    guint32  base_seq;      /* its ISN (SYN), else the sequence number before its first byte */
    guint16  mss;           /* from its SYN / SYN-ACK; 0 none */
    gint8    wscale;
    guint8   opts;
    guint8   ttl;           /* TTL of its last non-RST packet; 0 unknown */
    guint8   seq_known;
    guint8   syn_seen;      /* sent a SYN or SYN-ACK: the options above are its */
    guint8   ack_known;
    guint16  history_seen;  /* which history letters it already logged */
    guint32  packets;
    guint64  payload_bytes;
    guint32  retransmissions;
    guint32  zero_windows;
    gint64   rwnd;          /* the window the PEER last advertised to it, bytes; -1 unknown */
    guint32  ack_max;       /* highest acknowledgment number it sent */
    guint32  last_data_frame;
    double   last_time;     /* time of its last packet */
    double   last_data_time; /* time of its last packet with payload */
    guint32  last_frame_seen; /* frame of its last packet */
    guint32  rst_count;

    /* its FINs (detect/td_teardown.c) */
    guint32  fin_count;     /* FINs sent with its first FIN's sequence number */
    guint32  fin_seq;       /* sequence number of its FIN */
    guint32  fin_first_frame;
    guint32  fin_acked_frame; /* the peer's ACK of its FIN; 0 not yet */
    guint32  sent_after_peer_fin; /* payload bytes sent after the peer's FIN */
    td_times_t fin_times;
    double   fin_acked_time;

    struct td_side_stall *stall; /* detect/td_stall.c's; NULL until its first stall evidence */
} td_side_t;

#define TD_MAX_SYN_TIMES TD_MAX_TIMES

/* The handshake's timing, from which the model reads the round trip to each
 * side and the vantage point (model/td_path.c). Written by the handshake
 * detector (detect/td_handshake.c), which alone can tell which SYN a SYN-ACK
 * answered and when the handshake completed. */
typedef struct td_path {
    double   synack_first_time, synack_last_time;
    double   answered_syn_time;  /* the SYN the SYN-ACK answered: initial_rtt starts there */
    double   established_time;
    double   initial_rtt;        /* < 0 unknown */
    guint32  established_frame;  /* client's ACK of the SYN-ACK; 0 not yet */
} td_path_t;

/* The handshake detector's own state (detect/td_handshake.c). */
typedef struct td_handshake_state {
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
    guint32  synack_first_frame;
    guint32  reject_frame;       /* RST or ICMP that rejected the SYN; 0 none */
    guint32  flags;              /* TD_HSF_* (detect/td_handshake.h) */
    guint8   reject_ttl;         /* that RST's TTL while no reference TTL judged it; 0 none */
} td_handshake_state_t;

/* The teardown detector's own state (detect/td_teardown.c). */
typedef struct td_teardown_state {
    double   rst_time;           /* first RST after the handshake */
    double   rst_quiet;          /* the silence the packet just before it broke (a middlebox
                                  * that lost the connection's state answers the first packet
                                  * after its idle timer with a RST); 0 none */
    struct td_finding *rst_finding; /* its teardown.reset finding, refined by later packets */
    guint32  flags;              /* TD_TDF_* (detect/td_teardown.h) */
    guint8   rst_dir;            /* the side that sent the first RST */
} td_teardown_state_t;

/* The stall detector's account of the stalls that ended (detect/td_stall.c). */
typedef struct td_stall_account {
    guint32  count;              /* stalls ended so far */
    td_code_t worst;             /* kind of the longest, TD_CODE_NONE if none */
    double   time;               /* the union of their intervals */
    double   counted_until;      /* the end of the stall time counted so far */
    double   worst_time;
    const char *worst_detail;    /* the longest's detail ("spurious": a spurious timeout;
                                  * "no_window_scaling": a 64 KB window) */
} td_stall_account_t;

/* td_stream_t.seg_notes: what the model noted of the segment just fed
 * (model/td_seqspace.c), for the detectors that run after it on the same
 * segment. */
#define TD_NOTE_SENT       0x01 /* its data went through the sender's model (not a
                                 * probe or a duplicated frame) */
#define TD_NOTE_RTO_ENDED  0x02 /* its ACK ended the peer's wait on its retransmission
                                 * timer (the peer's trouble holds the wait) */

/* Everything the core knows about one TCP stream. */
typedef struct td_stream {
    /* Fields are grouped by owner, and by size within each, so that the
     * struct has little padding (issue 12: bytes per stream). */
    wmem_allocator_t  *scope;    /* where its findings and strings live */
    const td_config_t *cfg;
    struct td_stream *prev_same_tuple; /* earlier stream on the same 4-tuple, if any */
    guint32  index;              /* tcpdiag's stream number: Wireshark 4.0's tcp.stream
                                  * (td_stream_is_new_connection) */
    guint32  packets;

    /* the model */
    td_side_t side[2];
    td_seqdir_t seq[2];          /* the sequence-space model of each side's data */
    td_seg_verdict_t *seg_verdict; /* what the model made of the segment just fed, if
                                    * not plain new data; NULL: plain */
    td_finding_t *last_finding;  /* its newest finding; older ones via stream_prev */
    td_finding_t *last_segment_finding; /* the newest before td_stream_finalize() added
                                         * its conclusions (those depend on the capture's end) */
    double   first_time;         /* its first packet */
    double   last_time;
    double   clock;              /* the capture's time as last told (td_stream_clock): */
                                 /* >= last_time; verdicts that take time read it */
    guint32  last_frame;
    guint32  codes;              /* bit per td_code_t found so far (td_finding.c) */
    /* The longest silence the connection lived through: a gap between two
     * of its packets that a packet (not a RST) ended and the other side
     * answered (not with a RST). An idle timer on the path would have cut
     * it (hosts/td_host_checks.c td_host_check_idle_timeout). Seconds; floats hold them
     * to a microsecond for 16 s, a millisecond for 4 hours. */
    float    quiet_survived;
    float    quiet_pending;      /* the longest gap since, not answered yet */
    gint8    quiet_dir;          /* the side that ended it */
    gint8    client;             /* dir of the side that sent the first SYN; -1 unknown */
    guint8   ip_version;
    guint8   seg_notes;          /* TD_NOTE_* of the segment just fed */
    guint8   history_len;
    char     history[40];        /* Zeek's history string */

    /* the detectors' own parts */
    td_path_t path;
    td_handshake_state_t handshake;
    td_teardown_state_t teardown;
    td_stall_account_t stall_account;

    /* the stream's entry (td_stream.c) */
    struct td_prefinal *prefinal; /* what td_stream_finalize() changed, for td_stream_thaw() */
    /* Counts the changes (packets, ICMP errors, the capture clock, the end):
     * a verdict computed at one version holds until the next
     * (verdict/td_verdict.h). */
    guint32  version;
    guint8   finalized;
} td_stream_t;

/* "client" or "server": the side that sends in direction dir (without a
 * known client, the first sender counts as the client). */
static inline const char *
td_side_name(const td_stream_t *s, int dir)
{
    return dir == (s->client < 0 ? 0 : s->client) ? "client" : "server";
}

/* Sequence-number arithmetic modulo 2^32 (RFC 9293 section 3.4). */
static inline gboolean td_seq_lt(guint32 a, guint32 b) { return (gint32)(a - b) < 0; }
static inline gboolean td_seq_le(guint32 a, guint32 b) { return (gint32)(a - b) <= 0; }

#endif /* TD_RECORD_H */
