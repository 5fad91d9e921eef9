/* td_data.c
 * The data-phase detector (td_data.h). Each finding is drawn once: on the
 * segment that completes its evidence (the ACK of a path MTU black hole's
 * small resend, the first segment sent smaller after an ICMP "fragmentation
 * needed", the prober's RST after unanswered keep-alives), or at the
 * stream's end (the loss, spurious retransmission and reordering account;
 * keep-alives unanswered until the capture ends).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "detect/td_data.h"
#include "model/td_finding.h"
#include "model/td_path.h"

/* Slack on "at once": scheduling and timer jitter (as model/td_seqspace.c's
 * REACT_SLACK). */
#define REACT_SLACK 0.010

/* A resend clearly smaller than the segments that timed out (recorded by the
 * model's chain, model/td_seqspace.c) got through: a path MTU black hole,
 * reported on the ACK that acknowledged it. */
static void
check_black_hole(td_stream_t *s, guint8 dir, const td_segment_t *seg, td_finding_t **out)
{
    td_seqdir_t *q = &s->seq[dir];
    td_seqdir_trouble_t *t = q->trouble; /* NULL: nothing timed out, no black hole */

    /* this segment's ACK acknowledged new data of dir (the model set
     * una_time to its time, so the wait below is 0 once the RTT is known) */
    if (!t || !t->bh_frame || t->pmtu_reported || q->una_frame != seg->frame
        || !td_seq_le(t->bh_end, q->una)
        || !(seg->time - q->una_time < 2.0 * td_path_srtt(s, dir) + REACT_SLACK))
        return;
    t->pmtu_reported = TRUE;
    td_finding_add(s, out, TD_DT_PATH_MTU, seg->frame, "black_hole", t->bh_timeouts, -1.0,
                   t->bh_frame,
                   "A hop with a smaller MTU whose ICMP \"fragmentation needed\" is dropped "
                   "(a firewall): large segments vanish, small ones pass; black-hole "
                   "detection (RFC 4821, tcp_mtu_probing) got it through",
                   "Path MTU black hole: the %s's %u-byte segment timed out %u times with "
                   "no ICMP from the path; resent in %u bytes (frame %u), it got through "
                   "at once", td_side_name(s, dir), t->bh_big, t->bh_timeouts, t->bh_small,
                   t->bh_frame);
}

/* After an ICMP "fragmentation needed" / "packet too big" quoting its data
 * (model/td_seqspace.c keeps it), the sender's first smaller segment. */
static void
check_pmtu_icmp(td_stream_t *s, guint8 dir, const td_segment_t *seg, td_finding_t **out)
{
    td_seqdir_trouble_t *t = s->seq[dir].trouble;

    if (!t || !t->pmtu_icmp_frame || t->pmtu_reported || seg->len >= t->pmtu_big)
        return;
    t->pmtu_reported = TRUE;
    td_finding_add(s, out, TD_DT_PATH_MTU, seg->frame, "icmp", t->pmtu_icmps, -1.0,
                   t->pmtu_icmp_frame,
                   "A hop with a smaller MTU (a tunnel, a VPN, PPPoE); path MTU discovery "
                   "worked (RFC 1191, RFC 8201), at the cost of resending what was too large",
                   "Path MTU: an ICMP %s from %s (next-hop MTU %u, frame %u) quoted the %s's "
                   "%u-byte segments; it resends them in %u-byte segments",
                   t->pmtu_v6 ? "packet too big" : "fragmentation needed",
                   t->pmtu_sender ? t->pmtu_sender : "?", t->pmtu_mtu, t->pmtu_icmp_frame,
                   td_side_name(s, dir), t->pmtu_big, seg->len);
}

static void
keepalive_dead_finding(td_stream_t *s, guint8 d, guint32 frame, gboolean reset, double after,
                       td_finding_t **out)
{
    const td_seqdir_trouble_t *t = td_seqdir_trouble_of(&s->seq[d]);
    guint n = MIN(t->ka_count, TD_MAX_TIMES);

    td_finding_add(s, out, TD_DT_KEEPALIVE_DEAD, frame, reset ? "reset" : "silence", t->ka_count,
                   td_times_span(&t->ka_times, n), t->ka_first_frame,
                   "The peer or the path died while the connection was idle (host down, NAT or "
                   "firewall state expired); keep-alive found it (tcp_keepalive_time/intvl/probes)",
                   "Keep-alive: the %s's %u probes (%s) got no answer from the %s, %s",
                   td_side_name(s, d), t->ka_count, td_times_intervals(s->scope, &t->ka_times, n),
                   td_side_name(s, 1 - d),
                   reset ? "then it reset the connection: the peer was gone"
                         : wmem_strdup_printf(s->scope, "until the capture ends %s later",
                                              td_fmt_duration(s->scope, after)));
}

void
td_data_segment(td_stream_t *s, const td_segment_t *seg, td_finding_t **out)
{
    guint8 d = seg->dir;

    /* Every finding here needs evidence in a direction's trouble, which
     * most streams never have. */
    if (!s->seq[0].trouble && !s->seq[1].trouble)
        return;
    /* as the receiver of the peer's data */
    check_black_hole(s, (guint8)(1 - d), seg, out);
    /* as a sender */
    if (seg->flags & TD_RST) {
        /* the prober giving up on a peer that never answered (a dead side
         * has sent keep-alives: its trouble exists) */
        if (td_seqspace_keepalive_dead_side(s) == d && !s->seq[d].trouble->ka_reported) {
            keepalive_dead_finding(s, d, seg->frame, TRUE, 0.0, out);
            s->seq[d].trouble->ka_reported = TRUE;
        }
        return;
    }
    if ((s->seg_notes & TD_NOTE_SENT) && seg->len)
        check_pmtu_icmp(s, d, seg, out);
}

guint32
td_data_publish(const td_seqspace_facts_t *f)
{
    guint32 codes = 0;

    for (int d = 0; d < 2; d++) {
        if (f->dir[d].lost)
            codes |= TD_CODE_BIT(TD_DT_LOSS);
        if (f->dir[d].spurious)
            codes |= TD_CODE_BIT(TD_DT_SPURIOUS_RETRANSMISSION);
        if (f->dir[d].reordered)
            codes |= TD_CODE_BIT(TD_DT_REORDERING);
    }
    if (f->keepalive_dead_side >= 0)
        codes |= TD_CODE_BIT(TD_DT_KEEPALIVE_DEAD);
    return codes;
}

static const char *
where(td_stream_t *s, const td_seqdir_t *q)
{
    const td_seqdir_trouble_t *acct = td_seqdir_trouble_of(q);

    if (acct->downstream && !acct->upstream)
        return wmem_strdup_printf(s->scope, "all after this capture point%s",
                                  td_path_vantage_words(s));
    if (acct->upstream && !acct->downstream)
        return wmem_strdup_printf(s->scope, "all before this capture point%s",
                                  td_path_vantage_words(s));
    if (acct->upstream && acct->downstream)
        return wmem_strdup_printf(s->scope, "%u after this capture point, %u before%s",
                                  acct->downstream, acct->upstream, td_path_vantage_words(s));
    return "where it was lost cannot be told";
}

/* How the lost data was resent, shortly: the message must fit an expert
 * info (under 240 characters, ITEM_LABEL_LENGTH) with every count at its
 * widest, or Wireshark cuts it (and marks the cut differently per release). */
static const char *
recovered(td_stream_t *s, const td_seqdir_t *q)
{
    const td_seqdir_trouble_t *acct = td_seqdir_trouble_of(q);
    gboolean sack = (s->side[0].opts & s->side[1].opts & TD_OPT_SACK_PERM) != 0;
    gboolean acked = TRUE;
    wmem_strbuf_t *b;
    const char *sep = "";

    for (guint i = 0; i < q->n; i++) {
        if (q->r[i].retx)
            acked = FALSE;
    }
    b = wmem_strbuf_new(s->scope, acked ? "recovered by " : "resent by ");
    if (acct->retrans_kind[TD_RETX_FAST]) {
        wmem_strbuf_append_printf(b, "fast retransmission%s", sack ? " with SACK" : "");
        sep = ", ";
    }
    if (acct->retrans_kind[TD_RETX_TLP]) {
        wmem_strbuf_append_printf(b, "%s%u tail loss probe%s", sep, acct->retrans_kind[TD_RETX_TLP],
                                  acct->retrans_kind[TD_RETX_TLP] > 1 ? "s" : "");
        sep = ", ";
    }
    if (acct->retrans_kind[TD_RETX_RTO]) {
        wmem_strbuf_append_printf(b, "%s%u timeout%s", sep, acct->timeouts,
                                  acct->timeouts == 1 ? "" : "s");
        sep = ", ";
    } else if (*sep) {
        wmem_strbuf_append(b, ", no timeout");
    }
    if (acct->retrans_kind[TD_RETX_UNKNOWN])
        wmem_strbuf_append_printf(b, "%s%u of unknown cause", sep,
                                  acct->retrans_kind[TD_RETX_UNKNOWN]);
    if (!acked)
        wmem_strbuf_append(b, ", never acknowledged");
    return wmem_strbuf_finalize(b);
}

void
td_data_finalize(td_stream_t *s, double capture_end, td_finding_t **out)
{
    int ka = td_seqspace_keepalive_dead_side(s);

    /* A dead side has sent keep-alives: its trouble exists (and was not
     * allocated here, in the conclusions' scope). */
    if (ka >= 0 && !s->seq[ka].trouble->ka_reported) {
        keepalive_dead_finding(s, (guint8)ka, s->last_frame, FALSE, capture_end - s->last_time, out);
        s->seq[ka].trouble->ka_reported = TRUE;
    }
    for (guint8 d = 0; d < 2; d++) {
        td_seqdir_t *q = &s->seq[d];
        const td_seqdir_trouble_t *acct = td_seqdir_trouble_of(q);
        guint32 n = td_seqdir_lost(acct);

        if (n) {
            guint32 of = MAX(q->segments, n);
            td_finding_add(s, out, TD_DT_LOSS, s->last_frame,
                           acct->downstream && !acct->upstream ? "downstream"
                           : acct->upstream && !acct->downstream ? "upstream"
                           : acct->upstream ? "both" : "unknown", n, -1.0, 0,
                           "Congestion or a lossy link on the path; where it was lost relative to "
                           "the capture point says which part of the path to look at",
                           "Lost %u of %u %s->%s segments (%.1f%%), %s; %s", n, of,
                           td_side_name(s, d), td_side_name(s, 1 - d), 100.0 * n / of,
                           where(s, q), recovered(s, q));
        }
        if (acct->spurious) {
            td_finding_add(s, out, TD_DT_SPURIOUS_RETRANSMISSION, s->last_frame,
                           (acct->spurious_evidence & TD_SPURIOUS_DSACK) ? "dsack"
                           : (acct->spurious_evidence & TD_SPURIOUS_EIFEL) ? "eifel"
                           : (acct->spurious_evidence & TD_SPURIOUS_EARLY) ? "early_ack" : "acked",
                           acct->spurious, -1.0, 0,
                           "A retransmission timer too eager for the path, or a sudden delay "
                           "(a mobile handover, a queue filling up)",
                           "%u of the %s's %u retransmissions were spurious: the data had "
                           "arrived (%s%s%s%s)", acct->spurious, td_side_name(s, d), acct->retrans,
                           (acct->spurious_evidence & TD_SPURIOUS_DSACK) ? "D-SACK " : "",
                           (acct->spurious_evidence & TD_SPURIOUS_EARLY) ? "early ACK " : "",
                           (acct->spurious_evidence & TD_SPURIOUS_EIFEL) ? "Eifel " : "",
                           (acct->spurious_evidence & TD_SPURIOUS_ACKED) ? "already ACKed" : "");
        }
        if (acct->reordered) {
            td_finding_add(s, out, TD_DT_REORDERING, s->last_frame, "reordered", acct->reordered,
                           -1.0, 0,
                           "The path reorders packets (parallel links, load balancing); "
                           "receivers then send duplicate ACKs that can trigger needless "
                           "fast retransmissions",
                           "%u %s->%s segments arrived out of order, sooner than any "
                           "retransmission could", acct->reordered, td_side_name(s, d),
                           td_side_name(s, 1 - d));
        }
    }
}
