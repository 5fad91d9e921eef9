/* packet-tcpdiag.c
 * tcpdiag: a postdissector that diagnoses TCP connections from what
 * Wireshark's TCP dissector saw.
 *
 * Data flow (as plugins/epan/transum): on the first pass read the segment
 * (td_fields.c: the TCP dissector's stream, the header's bytes), feed the
 * analysis core, and keep each frame's findings in file scope; on every pass
 * draw the tree and expert items from what was kept and queue the tap. The
 * TCP dissector's conversations are looked up as of the frame on the first
 * pass only, so nothing here reads them later.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/tap.h>
#include <epan/to_str.h>

#include "tcpdiag_core.h"
#include "td_capture.h"
#include "td_fields.h"
#include "td_stream_id.h"
#include "td_rollup.h"
#include "td_gui.h"
#include "tcpdiag_table.h"
#include "tcpdiag_hosts_table.h"

void proto_register_tcpdiag(void);
void proto_reg_handoff_tcpdiag(void);

static int proto_tcpdiag = -1;
static int tcpdiag_tap = -1;
static int expert_tap = -1;  /* Wireshark's "expert" tap (-z expert) */
static int proto_ws_expert = -1; /* "_ws.expert", the parent of the expert info fields */
static dissector_handle_t tcpdiag_handle;

static int hf_stream = -1;
static int hf_stream_conn_state = -1;
static int hf_stream_history = -1;
static int hf_stream_handshake = -1;
static int hf_stream_teardown = -1;
static int hf_stream_diagnoses = -1;
static int hf_stream_initial_rtt = -1;
static int hf_stream_final = -1;
static int hf_host_service = -1;
static int hf_host_address = -1;
static int hf_stream_client_mss = -1;
static int hf_stream_vantage = -1;
static int hf_stream_client_share = -1;
static int hf_stream_server_mss = -1;
static int hf_stream_stalls = -1;
static int hf_stream_stall_time = -1;
static int hf_stall = -1;
static int hf_stall_kind = -1;
static int hf_stall_duration = -1;
static int hf_stall_begin = -1;
static int hf_stall_release = -1;
static int hf_stall_open = -1;
static int hf_stream_data = -1;
static int hf_stream_segments = -1;
static int hf_stream_retransmissions = -1;
static int hf_stream_lost = -1;
static int hf_stream_loss_rate = -1;
static int hf_stream_spurious = -1;
static int hf_stream_reordered = -1;
static int hf_stream_fast = -1;
static int hf_stream_rto = -1;
static int hf_stream_tlp = -1;
static int hf_stream_timeouts = -1;
static int hf_stream_dsacks = -1;
static int hf_stream_keepalives = -1;
static int hf_stream_zw_probes = -1;
static int hf_stream_duplicates = -1;
static int hf_stream_retrans_control = -1;
static int hf_retrans_control = -1;
static int hf_retrans = -1;
static int hf_retrans_kind = -1;
static int hf_retrans_loss_at = -1;
static int hf_retrans_spurious = -1;
static int hf_retrans_spurious_by = -1;
static int hf_probe = -1;
static int hf_reordered = -1;
static int hf_duplicate = -1;
static int hf_finding = -1;
static int hf_finding_detail = -1;
static int hf_finding_cause = -1;
static int hf_finding_count = -1;
static int hf_finding_duration = -1;
static int hf_finding_frame = -1;

static gint ett_tcpdiag = -1;
static gint ett_stream = -1;
static gint ett_finding = -1;
static gint ett_stall = -1;
static gint ett_data = -1;
static gint ett_retrans = -1;
static gint ett_data_each = -1;

/* One expert item per code, and one per code's second face (td_code_alt_info):
 * the same name, another severity and heading. */
static expert_field ei_code[TD_CODE_COUNT];
static expert_field ei_alt[TD_CODE_COUNT];

/* The scripting names of tcpdiag.retrans.kind and tcpdiag.retrans.loss_at. */
static const char *const retx_kind_names[TD_RETX_KINDS] = {
    [TD_RETX_UNKNOWN] = "unknown", [TD_RETX_FAST] = "fast", [TD_RETX_RTO] = "rto",
    [TD_RETX_TLP] = "tlp",
};
static const char *const loss_at_names[] = {
    [TD_LOSS_UNKNOWN] = "unknown", [TD_LOSS_DOWNSTREAM] = "downstream",
    [TD_LOSS_UPSTREAM] = "upstream", [TD_LOSS_WINDOW] = "beyond_window",
};

static const value_string yes_vals[] = {
    { 0, "no" },
    { 1, "yes" },
    { 0, NULL }
};

static const value_string final_vals[] = {
    { 0, "no, as of this frame" },
    { 1, "yes, the whole capture" },
    { 0, NULL }
};

/* Preferences, in the units a user thinks in; copied into the core's config. */
static guint pref_min_rto_ms = 200;
static guint pref_time_wait_s = 60;
static guint pref_idle_reset_ms = 1000;
static guint pref_delayed_ack_min_ms = 30;
static guint pref_window_full_min_ms = 10;
static guint pref_mss_low = 1220;
static guint pref_late_close_ms = 1000;
/* The host rollup's (core/hosts/td_host_checks.c gives each default's reason). */
static guint pref_host_min_conns = 20;
static guint pref_host_closed_first_pct = 50;
static guint pref_host_time_wait_min = 100;
static guint pref_host_close_wait_min = 3;
static guint pref_host_accept_queue_min = 3;
static guint pref_host_scan_min_targets = 20;
static guint pref_host_scan_probes_pct = 80;
static guint pref_host_loss_min_permille = 5;
static guint pref_host_loss_conns_pct = 50;
static guint pref_host_idle_min_resets = 3;
static guint pref_host_idle_spread_pct = 10;
static guint pref_host_port_reuse_min = 3;

static void
apply_preferences(void)
{
    td_config_t *cfg = td_capture_config();
    td_hosts_config_t *hc = td_rollup_config();

    cfg->min_rto = pref_min_rto_ms / 1000.0;
    cfg->time_wait = (double)pref_time_wait_s;
    cfg->idle_reset = pref_idle_reset_ms / 1000.0;
    cfg->delayed_ack_min = pref_delayed_ack_min_ms / 1000.0;
    cfg->window_full_min = pref_window_full_min_ms / 1000.0;
    cfg->mss_low = pref_mss_low;
    cfg->late_close = pref_late_close_ms / 1000.0;

    hc->min_conns = pref_host_min_conns;
    hc->time_wait = cfg->time_wait;
    hc->closed_first_share = pref_host_closed_first_pct / 100.0;
    hc->time_wait_min = pref_host_time_wait_min;
    hc->close_wait_min = pref_host_close_wait_min;
    hc->late_close = cfg->late_close;
    hc->accept_queue_min = pref_host_accept_queue_min;
    hc->scan_min_targets = pref_host_scan_min_targets;
    hc->scan_failed_share = pref_host_scan_probes_pct / 100.0;
    hc->loss_min_rate = pref_host_loss_min_permille / 1000.0;
    hc->loss_conns_share = pref_host_loss_conns_pct / 100.0;
    hc->idle_min_resets = pref_host_idle_min_resets;
    hc->idle_reset = cfg->idle_reset;
    hc->idle_spread = pref_host_idle_spread_pct / 100.0;
    hc->port_reuse_min = pref_host_port_reuse_min;
    td_rollup_forget(); /* made again with these */
}

static void
seconds_to_nstime(nstime_t *t, double seconds)
{
    t->secs = (time_t)seconds;
    t->nsecs = (int)((seconds - (double)t->secs) * 1e9 + 0.5);
    if (t->nsecs >= 1000000000) {
        t->secs++;
        t->nsecs -= 1000000000;
    }
}

/* An ICMP error quoting a stream's segment, as the first pass read it. */
typedef struct icmp_frame {
    td_frame_fields_t ff;
    guint32 frame;
    double  time;
    address src, dst;
} icmp_frame_t;

/* Feed an ICMP error to its stream. Its findings go on frame `on`: the ICMP's
 * own, or, for one that came before the segment it quotes, the frame that
 * made the stream (every pass then taps and draws the same frames: a later
 * pass cannot reach back to a frame the first pass had no stream for). */
static void
feed_icmp(td_glue_stream_t *gs, const icmp_frame_t *f, guint32 on)
{
    td_finding_t *found;

    /* An ICMP error goes back to the sender of the packet it quotes (RFC 792;
     * RFC 4443 section 2.4), so the quoted segment came from the ICMP's
     * destination. The ports cannot tell on every release: Wireshark 4.4 and
     * later leave pinfo's ports 0 in an ICMP error. */
    guint8 dir = addresses_equal(&f->dst, &gs->addr[0]) ? 0 : 1;
    td_icmp_error_t icmp = {
        .frame = f->frame,
        .time = f->time,
        .ip_version = f->ff.icmp_version,
        .type = f->ff.icmp_type,
        .code = f->ff.icmp_code,
        .mtu = f->ff.icmp_mtu,
        .quoted_dir = dir,
        .quoted_flags = f->ff.seg.flags,
        .quoted_seq = f->ff.seg.seq,
        .quoted_seq_known = f->ff.seq_known,
        .sender = address_to_str(wmem_file_scope(), &f->src),
        /* Sent by the host the quoted segment was going to, or by a router? */
        .from_peer_host = addresses_equal(&f->src, &gs->addr[1 - dir]),
    };

    found = td_stream_icmp_error(gs->core, &icmp);
    for (td_finding_t *i = found; i; i = i->next)
        i->frame = on;
    if (on == f->frame)
        td_capture_set_frame_stream(f->frame, f->ff.stream);
    td_capture_add_findings(found);
}

/* First pass: read the frame, feed the core, keep the findings. */
static td_glue_stream_t *
analyse_frame(tvbuff_t *tvb, packet_info *pinfo)
{
    td_frame_fields_t ff;
    td_glue_stream_t *gs;
    wmem_list_t *waiting;

    td_fields_read(tvb, pinfo, &ff);
    if (ff.kind == TD_FRAME_OTHER)
        return NULL;
    if (ff.kind == TD_FRAME_ICMP_ERROR) {
        icmp_frame_t f = { .ff = ff, .frame = pinfo->num, .time = td_capture_time(pinfo) };

        copy_address_shallow(&f.src, &pinfo->src);
        copy_address_shallow(&f.dst, &pinfo->dst);
        gs = td_capture_find_stream(ff.stream);
        if (!gs) {
            /* Before the segment it quotes (a capture out of order): it
             * cannot set the stream's endpoints, which are the quoted
             * segment's; it waits for the stream's first segment. */
            icmp_frame_t *kept = wmem_new(wmem_file_scope(), icmp_frame_t);
            *kept = f;
            copy_address_wmem(wmem_file_scope(), &kept->src, &pinfo->src);
            copy_address_wmem(wmem_file_scope(), &kept->dst, &pinfo->dst);
            td_capture_defer(ff.stream, kept);
            return NULL;
        }
        feed_icmp(gs, &f, f.frame);
        return gs;
    }
    gs = td_capture_stream(ff.stream, pinfo, &ff.seg);
    if (!gs)
        return NULL;
    td_capture_set_frame_stream(pinfo->num, ff.stream);

    ff.seg.frame = pinfo->num;
    ff.seg.time = td_capture_time(pinfo);
    ff.seg.dir = td_capture_dir(gs, pinfo);
    /* The TTL of a host's handshake packets is the reference a RST's TTL is
     * compared with (a middlebox's RST arrives with another TTL). */
    if ((ff.seg.flags & (TD_SYN | TD_RST)) == TD_SYN)
        td_capture_note_host_ttl(pinfo, ff.seg.ttl);
    else if (ff.seg.flags & TD_RST)
        ff.seg.host_ttl = td_capture_host_ttl(pinfo);
    td_capture_add_findings(td_stream_segment(gs->core, &ff.seg));
    if ((ff.seg.flags & TD_RST) && td_stream_wants_host_ttl(gs->core)
        && gs->core->handshake.reject_frame == ff.seg.frame)
        td_capture_wait_host_ttl(gs, pinfo);
    if (td_stream_segment_verdict(gs->core))
        td_capture_set_frame_verdict(pinfo->num, td_stream_segment_verdict(gs->core));
    /* ICMP errors that came before the segment they quote, now that the
     * stream has its endpoints. */
    if ((waiting = td_capture_take_deferred(ff.stream)) != NULL) {
        for (wmem_list_frame_t *i = wmem_list_head(waiting); i; i = wmem_list_frame_next(i))
            feed_icmp(gs, (const icmp_frame_t *)wmem_list_frame_data(i), pinfo->num);
    }
    return gs;
}

/* The data each side sent: its loss account (the client's first), under an
 * item of its own (30 lines a stream: behind the findings and the stream's
 * verdict, not in front of them). */
static void
draw_data(proto_tree *parent, tvbuff_t *tvb, const td_verdict_t *v)
{
    proto_item *each;
    proto_tree *tree = NULL;

    for (int i = 0; i < 2; i++) {
        int d = v->client >= 0 ? (i == 0 ? v->client : 1 - v->client) : i;
        const td_dir_facts_t *q = &v->data.dir[d];
        const char *sender = td_verdict_side_name(v, d);
        proto_item *ti;
        proto_tree *dt;

        if (!q->segments && !q->retrans && !q->keepalives && !q->zw_probes && !q->duplicates)
            continue;
        if (!tree) {
            tree = proto_tree_add_subtree(parent, tvb, 0, 0, ett_data_each, &each,
                                          "Data each way: segments, retransmissions, loss");
            proto_item_set_generated(each);
        }
        ti = proto_tree_add_string_format_value(tree, hf_stream_data, tvb, 0, 0, sender,
                                                "%s -> %s: %u segments, %u retransmitted, "
                                                "%u lost", sender, td_verdict_side_name(v, 1 - d),
                                                q->segments, q->retrans, q->lost);
        proto_item_set_generated(ti);
        dt = proto_item_add_subtree(ti, ett_data);
        proto_item_set_generated(proto_tree_add_uint(dt, hf_stream_segments, tvb, 0, 0, q->segments));
        proto_item_set_generated(proto_tree_add_uint(dt, hf_stream_retransmissions, tvb, 0, 0,
                                                     q->retrans));
        proto_item_set_generated(proto_tree_add_uint(dt, hf_stream_lost, tvb, 0, 0, q->lost));
        /* per mille, an integer: -T fields prints it alike on every release */
        proto_item_set_generated(proto_tree_add_uint(dt, hf_stream_loss_rate, tvb, 0, 0,
                                                     q->segments ? (guint32)(1000.0 * q->lost
                                                                             / MAX(q->segments, q->lost) + 0.5)
                                                                 : 0));
        proto_item_set_generated(proto_tree_add_uint(dt, hf_stream_spurious, tvb, 0, 0,
                                                     q->spurious));
        proto_item_set_generated(proto_tree_add_uint(dt, hf_stream_reordered, tvb, 0, 0,
                                                     q->reordered));
        proto_item_set_generated(proto_tree_add_uint(dt, hf_stream_fast, tvb, 0, 0,
                                                     q->kind[TD_RETX_FAST]));
        proto_item_set_generated(proto_tree_add_uint(dt, hf_stream_rto, tvb, 0, 0,
                                                     q->kind[TD_RETX_RTO]));
        proto_item_set_generated(proto_tree_add_uint(dt, hf_stream_tlp, tvb, 0, 0,
                                                     q->kind[TD_RETX_TLP]));
        proto_item_set_generated(proto_tree_add_uint(dt, hf_stream_timeouts, tvb, 0, 0,
                                                     q->timeouts));
        proto_item_set_generated(proto_tree_add_uint(dt, hf_stream_dsacks, tvb, 0, 0,
                                                     q->dsacks));
        /* counted apart: none of these is a retransmission */
        proto_item_set_generated(proto_tree_add_uint(dt, hf_stream_keepalives, tvb, 0, 0,
                                                     q->keepalives));
        proto_item_set_generated(proto_tree_add_uint(dt, hf_stream_zw_probes, tvb, 0, 0,
                                                     q->zw_probes));
        proto_item_set_generated(proto_tree_add_uint(dt, hf_stream_duplicates, tvb, 0, 0,
                                                     q->duplicates));
        proto_item_set_generated(proto_tree_add_uint(dt, hf_stream_retrans_control, tvb, 0, 0,
                                                     q->control));
    }
}

/* What the sequence-space model said of this frame's segment. */
static void
draw_verdict(proto_tree *tree, tvbuff_t *tvb, const td_seg_verdict_t *v)
{
    proto_item *ti;
    proto_tree *rt;

    switch (v->segclass) {
    case TD_SEGCLASS_RETRANSMISSION: {
        const char *kind = retx_kind_names[v->kind < TD_RETX_KINDS ? v->kind : 0];
        const char *loss_at = loss_at_names[v->loss_at <= TD_LOSS_WINDOW ? v->loss_at : 0];
        static const char *const carried[] = { "data", "syn", "synack", "fin" };
        static const char *const carried_words[] = { "data", "SYN", "SYN-ACK", "FIN" };
        guint ctl = v->control <= TD_CTL_FIN ? v->control : 0;
        ti = ctl
             ? proto_tree_add_string_format_value(tree, hf_retrans, tvb, 0, 0, kind,
                                                  "%s, the %s sent again%s", kind,
                                                  carried_words[ctl],
                                                  v->spurious ? " (spurious: the first had "
                                                                "arrived)" : "")
             : v->loss_at == TD_LOSS_WINDOW
             ? proto_tree_add_string_format_value(tree, hf_retrans, tvb, 0, 0, kind,
                                                  "%s, the original was sent beyond the "
                                                  "receiver's window, which refused it: not "
                                                  "lost", kind)
             : proto_tree_add_string_format_value(tree, hf_retrans, tvb, 0, 0, kind,
                                                  "%s%s, original lost %s", kind,
                                                  v->spurious ? " (spurious: the data had arrived)"
                                                              : "", loss_at);
        proto_item_set_generated(ti);
        rt = proto_item_add_subtree(ti, ett_retrans);
        proto_item_set_generated(proto_tree_add_string(rt, hf_retrans_kind, tvb, 0, 0, kind));
        proto_item_set_generated(proto_tree_add_string(rt, hf_retrans_control, tvb, 0, 0,
                                                       carried[ctl]));
        proto_item_set_generated(proto_tree_add_string(rt, hf_retrans_loss_at, tvb, 0, 0,
                                                       loss_at));
        proto_item_set_generated(proto_tree_add_uint(rt, hf_retrans_spurious, tvb, 0, 0,
                                                     v->spurious ? 1 : 0));
        if (v->spurious)
            proto_item_set_generated(proto_tree_add_string(rt, hf_retrans_spurious_by, tvb, 0, 0,
                (v->spurious & TD_SPURIOUS_DSACK) ? "dsack"
                : (v->spurious & TD_SPURIOUS_EIFEL) ? "eifel"
                : (v->spurious & TD_SPURIOUS_EARLY) ? "early_ack" : "acked"));
        break;
    }
    case TD_SEGCLASS_KEEPALIVE:
    case TD_SEGCLASS_ZW_PROBE:
        proto_item_set_generated(proto_tree_add_string(tree, hf_probe, tvb, 0, 0,
            v->segclass == TD_SEGCLASS_KEEPALIVE ? "keepalive" : "zero_window"));
        break;
    case TD_SEGCLASS_REORDERED:
        proto_item_set_generated(proto_tree_add_uint(tree, hf_reordered, tvb, 0, 0, 1));
        break;
    case TD_SEGCLASS_DUPLICATE:
        proto_item_set_generated(proto_tree_add_uint(tree, hf_duplicate, tvb, 0, 0, 1));
        break;
    default:
        break;
    }
}

/* The stream's service and addresses, as the TCP Diagnosis by Host table's
 * rows name them (core/hosts/td_host_summary.c td_host_row_name): the
 * filters its rows print select the stream's packets with them. */
static void
draw_ends(proto_tree *tree, tvbuff_t *tvb, const td_glue_stream_t *gs, const td_verdict_t *v)
{
    int c = v->client < 0 ? 0 : v->client;
    const td_stream_names_t *n = td_capture_names(gs, 1 - c);

    proto_item_set_generated(proto_tree_add_string(tree, hf_host_service, tvb, 0, 0,
                                                   n->service[1 - c]));
    proto_item_set_generated(proto_tree_add_string(tree, hf_host_address, tvb, 0, 0, n->addr[c]));
    if (!addresses_equal(&gs->addr[0], &gs->addr[1]))
        proto_item_set_generated(proto_tree_add_string(tree, hf_host_address, tvb, 0, 0,
                                                       n->addr[1 - c]));
}

static void
draw_stream(proto_tree *tree, tvbuff_t *tvb, wmem_allocator_t *pool, const td_glue_stream_t *gs,
            gboolean final)
{
    /* As of this frame in a first pass; concluded in a later one
     * (td_capture_final). */
    const td_verdict_t *v = td_capture_verdict(gs);
    const char *handshake = td_code_short_name(v->handshake, "ok");
    const char *teardown = td_code_short_name(v->teardown, "none");
    proto_item *ti;
    proto_tree *st;
    nstime_t t;

    ti = proto_tree_add_uint(tree, hf_stream, tvb, 0, 0, v->stream);
    proto_item_append_text(ti, " [%s, handshake %s, teardown %s]", v->conn_state, handshake,
                           teardown);
    proto_item_set_generated(ti);
    st = proto_item_add_subtree(ti, ett_stream);
    proto_item_set_generated(proto_tree_add_string(st, hf_stream_conn_state, tvb, 0, 0,
                                                   v->conn_state));
    proto_item_set_generated(proto_tree_add_string(st, hf_stream_history, tvb, 0, 0, v->history));
    proto_item_set_generated(proto_tree_add_string(st, hf_stream_handshake, tvb, 0, 0, handshake));
    proto_item_set_generated(proto_tree_add_string(st, hf_stream_teardown, tvb, 0, 0, teardown));
    proto_item_set_generated(proto_tree_add_string(st, hf_stream_diagnoses, tvb, 0, 0,
                                                   v->codes_text));
    proto_item_set_generated(proto_tree_add_uint(st, hf_stream_stalls, tvb, 0, 0,
                                                 v->stalls.count));
    seconds_to_nstime(&t, v->stalls.time);
    proto_item_set_generated(proto_tree_add_time(st, hf_stream_stall_time, tvb, 0, 0, &t));
    if (v->initial_rtt >= 0.0) {
        seconds_to_nstime(&t, v->initial_rtt);
        proto_item_set_generated(proto_tree_add_time(st, hf_stream_initial_rtt, tvb, 0, 0, &t));
    }
    if (v->client >= 0 && v->mss[v->client])
        proto_item_set_generated(proto_tree_add_uint(st, hf_stream_client_mss, tvb, 0, 0,
                                                     v->mss[v->client]));
    if (v->client >= 0 && v->mss[1 - v->client])
        proto_item_set_generated(proto_tree_add_uint(st, hf_stream_server_mss, tvb, 0, 0,
                                                     v->mss[1 - v->client]));
    proto_item_set_generated(proto_tree_add_string(st, hf_stream_vantage, tvb, 0, 0,
                                                   td_vantage_name(v->vantage)));
    if (v->vantage != TD_VANTAGE_UNKNOWN)
        proto_item_set_generated(proto_tree_add_uint(st, hf_stream_client_share, tvb, 0, 0,
                                                     v->client_share));
    proto_item_set_generated(proto_tree_add_uint(st, hf_stream_final, tvb, 0, 0, final ? 1 : 0));
    draw_data(tree, tvb, v);
    draw_ends(tree, tvb, gs, v);
}

/* " SYN retransmissions" for a count of n; one: " SYN retransmission" (its
 * plural noun is the first word ending in s: td_codes.c words them so);
 * "" when it counts nothing. */
static void
count_words(char *buf, gsize size, const char *counts, guint32 n)
{
    const char *end;

    if (!counts)
        return;
    g_snprintf(buf, size, " %s", counts);
    if (n != 1)
        return;
    for (char *w = buf + 1; *w; w = *end ? (char *)end + 1 : (char *)end) {
        end = strchr(w, ' ');
        if (!end)
            end = w + strlen(w);
        if (end > w && end[-1] == 's') {
            memmove((char *)end - 1, end, strlen(end) + 1);
            return;
        }
    }
}

/* The expert item a finding raises: its code's, or its code's second face's. */
static expert_field *
finding_ei(const td_finding_t *f)
{
    return td_code_info_for(f->code, f->detail) == td_code_info(f->code) ? &ei_code[f->code]
                                                                         : &ei_alt[f->code];
}

/* A finding and, for a stall, its tcpdiag.stall item. gs: the stream whose
 * conclusions f is one of, when f may be a stall still open at its last
 * packet (NULL for a segment's findings, which never are). */
static void
draw_finding(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, const td_finding_t *f,
             const td_glue_stream_t *gs)
{
    const td_code_info_t *info = td_code_info_for(f->code, f->detail); /* its face's title */
    proto_item *ti;
    proto_tree *ft;

    const char *message = td_finding_message(f, pinfo->pool);

    /* the code and its title; the message is the expert info right below,
     * the detail keyword a line further */
    ti = proto_tree_add_string_format_value(tree, hf_finding, tvb, 0, 0, info->name, "%s (%s)",
                                            info->name, info->title);
    proto_item_set_generated(ti);
    ft = proto_item_add_subtree(ti, ett_finding);
    expert_add_info_format(pinfo, ti, finding_ei(f), "%s", message);
    if (f->detail)
        proto_item_set_generated(proto_tree_add_string(ft, hf_finding_detail, tvb, 0, 0, f->detail));
    if (f->cause)
        proto_item_set_generated(proto_tree_add_string(ft, hf_finding_cause, tvb, 0, 0, f->cause));
    if (f->count) {
        /* "10 SYN retransmissions": the number says what it counts, beside
         * a message that may count something else ("11 SYNs") */
        char counts[64] = "";
        count_words(counts, sizeof counts, td_code_counts(f->code, f->detail), f->count);
        proto_item_set_generated(proto_tree_add_uint_format_value(ft, hf_finding_count, tvb, 0, 0,
                                                                  f->count, "%u%s", f->count,
                                                                  counts));
    }
    if (f->duration >= 0.0) {
        nstime_t d;
        seconds_to_nstime(&d, f->duration);
        proto_item_set_generated(proto_tree_add_time(ft, hf_finding_duration, tvb, 0, 0, &d));
    }
    if (f->ref_frame)
        proto_item_set_generated(proto_tree_add_uint(ft, hf_finding_frame, tvb, 0, 0, f->ref_frame));
    /* tcpdiag.stall marks the packets that end a stall, and the stream's
     * last packet when a stall was still open there and the end of the
     * capture is known (a later pass, a live capture's redraw): the worst
     * stalls of a file, a black hole or a dead peer, are those that never
     * end. Its duration then runs to the end of the capture. */
    if (TD_IS_STALL(f->code)) {
        gboolean open = g_str_equal(f->detail, "open");
        const char *kind = td_code_short_name(f->code, "");
        double duration = f->duration;
        proto_item *si;
        proto_tree *stt;
        nstime_t d;

        if (open && !gs)
            return;
        if (open && gs->final_end > gs->core->last_time)
            duration += gs->final_end - gs->core->last_time; /* it began f->duration earlier */
        si = open ? proto_tree_add_string_format(tree, hf_stall, tvb, 0, 0, kind,
                                                 "Stall still open when the capture ended: %s "
                                                 "for %s", kind,
                                                 td_fmt_duration(pinfo->pool, duration))
                  : proto_tree_add_string_format_value(tree, hf_stall, tvb, 0, 0, kind, "%s",
                                                       message);
        stt = proto_item_add_subtree(si, ett_stall);
        proto_item_set_generated(si);
        proto_item_set_generated(proto_tree_add_string(stt, hf_stall_kind, tvb, 0, 0, kind));
        seconds_to_nstime(&d, duration);
        proto_item_set_generated(proto_tree_add_time(stt, hf_stall_duration, tvb, 0, 0, &d));
        if (open)
            proto_item_set_generated(proto_tree_add_uint(stt, hf_stall_open, tvb, 0, 0, 1));
        if (f->ref_frame)
            proto_item_set_generated(proto_tree_add_uint(stt, hf_stall_begin, tvb, 0, 0,
                                                         f->ref_frame));
        if (f->trigger_frame)
            proto_item_set_generated(proto_tree_add_uint(stt, hf_stall_release, tvb, 0, 0,
                                                         f->trigger_frame));
    }
}

/* "TCP Diagnosis: stalled: <the stream's one-line diagnosis>". A label holds
 * ITEM_LABEL_LENGTH bytes (240, with the protocol's name): a longer diagnosis
 * is cut after its last whole clause that fits, and says so, rather than in
 * the middle of a number. */
static void
label_headline(proto_item *ti, wmem_allocator_t *pool, const td_verdict_t *v)
{
    const char *severity = td_severity_label(v->severity) + 2; /* without its rank */
    /* what the label holds besides the summary: "TCP Diagnosis: <severity>: " and " ..." */
    const gsize room = ITEM_LABEL_LENGTH - 1 - strlen("TCP Diagnosis: : ") - strlen(severity)
                       - strlen(" ...");
    char *summary = td_verdict_summary(pool, v);

    if (strlen(summary) > room + strlen(" ...")) {
        char *cut = summary + room;
        /* back to the end of the last whole clause ("; " or ", ") */
        for (char *c = cut; c > summary; c--) {
            if ((c[0] == ';' || c[0] == ',') && c[1] == ' ') {
                cut = c;
                break;
            }
        }
        g_strlcpy(cut, " ...", strlen(" ...") + 1);
    }
    /* "Healthy: connected in ..." says its severity itself */
    if (g_ascii_strncasecmp(summary, severity, strlen(severity)) == 0
        && summary[strlen(severity)] == ':')
        proto_item_append_text(ti, ": %s", summary);
    else
        proto_item_append_text(ti, ": %s: %s", severity, summary);
}

/* A finding's expert info without an item: its text only for a reader of it
 * (the expert tap), else its severity alone (the summary, no message made). */
static void
note_finding(packet_info *pinfo, const td_finding_t *f, gboolean text)
{
    if (text)
        expert_add_info_format(pinfo, NULL, finding_ei(f), "%s",
                               td_finding_message(f, pinfo->pool));
    else
        expert_add_info(pinfo, NULL, finding_ei(f));
}

/* On every packet of a stream: the stream's verdict (later passes: over the
 * whole capture; a first pass, a live capture's newest packets: as of the
 * packet), what the model said of the segment, and the frame's findings.
 * Every packet carries it so that a per-stream filter selects the stream's
 * packets, in every mode. */
static void
draw_frame(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, const td_glue_stream_t *gs,
           gboolean final, gboolean expert_text)
{
    const td_finding_t *findings = td_capture_frame_findings(pinfo->num);
    const td_finding_t *conclusions = final ? gs->final_findings : NULL;
    const td_seg_verdict_t *verdict;
    proto_item *ti;
    proto_tree *dt;

    /* What is drawn is what someone reads. tcpdiag's items: a tree shown
     * (the GUI's details, tshark -V / -O) or filtered on (a filter, column or
     * field on any tcpdiag field makes the protocol referenced); the
     * findings' expert info items too when a filter or field reads
     * _ws.expert. Otherwise a pass that builds a tree (tshark -q -z io,stat,
     * a filter on other fields, the GUI's coloring rules) or has the expert
     * tap listening gets the findings' expert infos without items: the
     * expert tap (-z expert, the GUI's Expert Information) reads their text,
     * the Expert column and the GUI's highest severity their severity. Their
     * items cost 5,500 instructions for the close nearly every stream has
     * (callgrind, `many`). */
    gboolean wanted = tree && (final || proto_field_is_referenced(tree, proto_tcpdiag));
    gboolean expert_items = wanted || (tree && proto_ws_expert > 0
                                       && proto_field_is_referenced(tree, proto_ws_expert));

    if (!expert_items) {
        for (const td_finding_t *f = findings; f; f = f->next)
            note_finding(pinfo, f, expert_text);
        for (const td_finding_t *f = conclusions; f; f = f->next) {
            if (f->frame == pinfo->num)
                note_finding(pinfo, f, expert_text);
        }
        return;
    }
    ti = proto_tree_add_item(tree, proto_tcpdiag, tvb, 0, 0, ENC_NA);
    dt = proto_item_add_subtree(ti, ett_tcpdiag);
    proto_item_set_generated(ti);
    /* The top line says what is wrong with the stream, as of this packet
     * (the whole capture on a later pass), the way Wireshark's own items
     * summarize theirs: its severity and one-line diagnosis. Worded only
     * for a tree someone reads (the GUI's details, tshark -V / -O). */
    if (wanted && PTREE_DATA(tree)->visible)
        label_headline(ti, pinfo->pool, td_capture_verdict(gs));
    /* First what this packet shows: its findings, the stalls it ends, what
     * the end of the capture proves (on the stream's last frame). */
    for (const td_finding_t *f = findings; f; f = f->next)
        draw_finding(dt, tvb, pinfo, f, NULL);
    for (const td_finding_t *f = conclusions; f; f = f->next) {
        if (f->frame == pinfo->num)
            draw_finding(dt, tvb, pinfo, f, gs);
    }
    if (wanted) {
        if ((verdict = td_capture_frame_verdict(pinfo->num)) != NULL)
            draw_verdict(dt, tvb, verdict);
        draw_stream(dt, tvb, pinfo->pool, gs, final);
    }
}

static void
cleanup_tcpdiag(void)
{
    td_rollup_cleanup();
    td_capture_cleanup();
    td_stream_id_cleanup();
}

/* Every file's start (and a redissection after Enabled Protocols changed). */
static void
init_tcpdiag(void)
{
    td_capture_init();
    td_fields_reset();
    td_stream_id_reset();
    expert_tap = find_tap_id("expert");
    /* registered after every handoff (epan_init: expert_packet_init) */
    proto_ws_expert = proto_get_id_by_filter_name("_ws.expert");
}

static int
dissect_tcpdiag(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    td_glue_stream_t *gs;
    gboolean final = FALSE;
    gboolean expert_text; /* the expert tap reads the findings' text */

    if (!PINFO_FD_VISITED(pinfo)) {
        gs = analyse_frame(tvb, pinfo);
        td_capture_clock(gs);
    } else {
        /* A later pass: conclude what only the end of the capture (as read
         * so far) proves, before anything is drawn from it. */
        gs = td_capture_frame_stream(pinfo->num);
        if (gs)
            td_capture_final(gs);
        final = TRUE;
    }
    if (!gs)
        return 0;
    expert_text = expert_tap > 0 && have_tap_listener(expert_tap);
    if (tree || expert_text)
        draw_frame(tree, tvb, pinfo, gs, final, expert_text);
    if (have_tap_listener(tcpdiag_tap))
        tap_queue_packet(tcpdiag_tap, pinfo, gs);
    return 0;
}

void
proto_register_tcpdiag(void)
{
    static hf_register_info hf[] = {
        { &hf_stream, { "Diagnosed stream", "tcpdiag.stream", FT_UINT32, BASE_DEC, NULL, 0x0,
            "tcpdiag's number of the stream this verdict is about: Wireshark 4.0's tcp.stream. "
            "Wireshark 4.2 and later also start a new tcp.stream within one connection (a SYN "
            "retried after a RST, a SYN-ACK after a RST); tcpdiag keeps those in the connection's "
            "stream, so its numbers are the same on every release",
            HFILL } },
        { &hf_stream_conn_state, { "Connection state", "tcpdiag.stream.conn_state", FT_STRING,
            BASE_NONE, NULL, 0x0,
            "Zeek's conn_state: S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH SHR OTH", HFILL } },
        { &hf_stream_history, { "Connection history", "tcpdiag.stream.history", FT_STRING, BASE_NONE, NULL,
            0x0, "Zeek-style history: S SYN, H SYN-ACK, A ACK, D data, F FIN, R RST, T retransmission, "
            "W zero window, ^ roles flipped; upper case client, lower case server", HFILL } },
        { &hf_stream_handshake, { "Handshake verdict", "tcpdiag.stream.handshake", FT_STRING, BASE_NONE,
            NULL, 0x0, "ok, or the worst handshake diagnosis of the stream (syn_unanswered, rejected, "
            "incomplete, ack_lost, synack_lost, syn_retransmitted, port_reuse, duplicate_syn, "
            "options, tfo, midstream)", HFILL } },
        { &hf_stream_teardown, { "Teardown verdict", "tcpdiag.stream.teardown", FT_STRING, BASE_NONE,
            NULL, 0x0, "How the stream ended: its worst teardown diagnosis (abandoned, reset, "
            "fin_retransmitted, half_closed, graceful, open), or none when no connection was made",
            HFILL } },
        { &hf_stream_diagnoses, { "Stream diagnoses", "tcpdiag.stream.diagnoses", FT_STRING, BASE_NONE,
            NULL, 0x0, "Comma-separated codes of every finding on the stream", HFILL } },
        { &hf_stream_initial_rtt, { "Initial RTT", "tcpdiag.stream.initial_rtt", FT_RELATIVE_TIME,
            BASE_NONE, NULL, 0x0, "Time from the SYN that was answered to the client's ACK of the "
            "SYN-ACK, seen from the capture point", HFILL } },
        { &hf_stream_vantage, { "Vantage point", "tcpdiag.stream.vantage", FT_STRING, BASE_NONE,
            NULL, 0x0, "Where the capture was taken: client, server, in_path or unknown, from the "
            "handshake's split of the RTT (or the data phase's round trips each way)", HFILL } },
        { &hf_stream_client_share, { "RTT share on the client's side (%)",
            "tcpdiag.stream.vantage.client_share", FT_UINT8, BASE_DEC, NULL, 0x0,
            "Per cent of the round trip between the capture point and the client", HFILL } },
        { &hf_stream_client_mss, { "Client MSS", "tcpdiag.stream.client_mss", FT_UINT32, BASE_DEC,
            NULL, 0x0, "MSS option of the client's SYN", HFILL } },
        { &hf_stream_server_mss, { "Server MSS", "tcpdiag.stream.server_mss", FT_UINT32, BASE_DEC,
            NULL, 0x0, "MSS option of the server's SYN-ACK", HFILL } },
        { &hf_host_service, { "Host service", "tcpdiag.host.service", FT_STRING, BASE_NONE, NULL,
            0x0, "The stream's server address and port, as a row of Statistics -> TCP Diagnosis "
            "by Host (tshark -z tcpdiag,hosts) names its service", HFILL } },
        { &hf_host_address, { "Host address", "tcpdiag.host.address", FT_STRING, BASE_NONE, NULL,
            0x0, "The stream's client and server addresses (two occurrences), as the host rows "
            "of Statistics -> TCP Diagnosis by Host name them", HFILL } },
        { &hf_stream_final, { "Verdict final", "tcpdiag.stream.final", FT_UINT8, BASE_DEC, VALS(final_vals), 0x0,
            "1 when the verdicts cover the whole capture (second pass: tshark -2, the GUI; in a "
            "live capture, the capture so far when the frame was drawn); 0 in single-pass tshark "
            "and on a live capture's newest frames, where they are as of this frame. A number, "
            "not a boolean, "
            "so that -T fields prints it alike on every release (4.2 prints booleans as True)",
            HFILL } },
        { &hf_stream_stalls, { "Stalls in stream", "tcpdiag.stream.stalls", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Number of stalls on the stream, including one still open at its last packet", HFILL } },
        { &hf_stream_stall_time, { "Stream stall time", "tcpdiag.stream.stall_time", FT_RELATIVE_TIME,
            BASE_NONE, NULL, 0x0, "Total time the stream's senders were held back", HFILL } },
        { &hf_stall, { "Stall ended", "tcpdiag.stall", FT_STRING, BASE_NONE, NULL, 0x0,
            "Present on each packet that ends a stall, and on a stream's last packet when a "
            "stall was still open there (two passes: tcpdiag.stall.open); its value is the "
            "stall's kind", HFILL } },
        { &hf_stall_open, { "Stall still open at the capture's end", "tcpdiag.stall.open",
            FT_UINT8, BASE_DEC, NULL, 0x0, "1: the stall never ended; its duration runs to the "
            "end of the capture (a number, not a boolean, for -T fields on every release)",
            HFILL } },
        { &hf_stall_kind, { "Stall kind", "tcpdiag.stall.kind", FT_STRING, BASE_NONE, NULL, 0x0,
            "nagle_delayed_ack, idle_restart, zero_window, window_full or rto", HFILL } },
        { &hf_stall_duration, { "Stall duration", "tcpdiag.stall.duration", FT_RELATIVE_TIME, BASE_NONE,
            NULL, 0x0, "How long the sender was held back: from where the stall began to this "
            "packet, or to the end of the capture for a stall still open",
            HFILL } },
        { &hf_stall_begin, { "Stall began in frame", "tcpdiag.stall.begin", FT_FRAMENUM, BASE_NONE, NULL,
            0x0, "The last data sent before the hold, the zero window, the window-full segment, or "
            "the original transmission", HFILL } },
        { &hf_stall_release, { "Stall released by frame", "tcpdiag.stall.release", FT_FRAMENUM, BASE_NONE,
            NULL, 0x0, "The late ACK or the window update that let the sender go", HFILL } },
        { &hf_stream_data, { "Data sent by", "tcpdiag.stream.data", FT_STRING, BASE_NONE, NULL, 0x0,
            "The data one side sent (client or server, the value): its loss account; one "
            "subtree per direction", HFILL } },
        { &hf_stream_segments, { "Segments sent", "tcpdiag.stream.segments", FT_UINT32, BASE_DEC, NULL,
            0x0, "Data segments the side sent, new and retransmitted (no probes, no duplicated "
            "frames)", HFILL } },
        { &hf_stream_retransmissions, { "Segments retransmitted", "tcpdiag.stream.retransmissions",
            FT_UINT32, BASE_DEC, NULL, 0x0, "Its retransmitted data segments (tcpdiag.retrans), "
            "spurious ones included", HFILL } },
        { &hf_stream_lost, { "Segments lost", "tcpdiag.stream.lost", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Retransmissions that were not spurious: segments lost on the path", HFILL } },
        { &hf_stream_loss_rate, { "Loss rate (per mille)", "tcpdiag.stream.loss_rate", FT_UINT32,
            BASE_DEC, NULL, 0x0, "Lost segments per thousand data segments it sent (21: 2.1%)",
            HFILL } },
        { &hf_stream_spurious, { "Spurious retransmissions", "tcpdiag.stream.spurious", FT_UINT32,
            BASE_DEC, NULL, 0x0, "Retransmissions of data that had arrived (D-SACK, early ACK, "
            "Eifel, already acknowledged)", HFILL } },
        { &hf_stream_reordered, { "Segments reordered", "tcpdiag.stream.reordered", FT_UINT32, BASE_DEC,
            NULL, 0x0, "Its segments that filled a hole sooner than a retransmission could",
            HFILL } },
        { &hf_stream_fast, { "Fast retransmissions", "tcpdiag.stream.retrans_fast", FT_UINT32,
            BASE_DEC, NULL, 0x0, "Its retransmissions of kind fast (Linux counts them as "
            "TCPFastRetrans)", HFILL } },
        { &hf_stream_rto, { "Timeout retransmissions", "tcpdiag.stream.retrans_rto", FT_UINT32,
            BASE_DEC, NULL, 0x0, "Its retransmissions of kind rto: each timeout and the go-back-N "
            "after it (Linux: TCPTimeouts + TCPSlowStartRetrans)", HFILL } },
        { &hf_stream_tlp, { "Tail loss probes", "tcpdiag.stream.retrans_tlp", FT_UINT32, BASE_DEC,
            NULL, 0x0, "Its retransmissions of kind tlp (Linux: TCPLossProbes that resent data)",
            HFILL } },
        { &hf_stream_timeouts, { "Retransmission timeouts", "tcpdiag.stream.timeouts", FT_UINT32, BASE_DEC, NULL,
            0x0, "Times its retransmission timer fired (Linux: TCPTimeouts)", HFILL } },
        { &hf_stream_dsacks, { "D-SACKs received", "tcpdiag.stream.dsacks", FT_UINT32, BASE_DEC,
            NULL, 0x0, "ACKs of its data that reported a duplicate (D-SACK, RFC 2883; Linux: "
            "TCPDSACKRecv)", HFILL } },
        { &hf_stream_keepalives, { "Keep-alive probes", "tcpdiag.stream.keepalives", FT_UINT32,
            BASE_DEC, NULL, 0x0, "Its keep-alive probes (tcpdiag.probe == \"keepalive\"), not "
            "retransmissions", HFILL } },
        { &hf_stream_zw_probes, { "Zero-window probes", "tcpdiag.stream.zw_probes", FT_UINT32,
            BASE_DEC, NULL, 0x0, "Its zero-window probes (tcpdiag.probe == \"zero_window\"), not "
            "retransmissions", HFILL } },
        { &hf_stream_duplicates, { "Duplicated frames", "tcpdiag.stream.duplicates", FT_UINT32,
            BASE_DEC, NULL, 0x0, "Its segments the capture holds twice (tcpdiag.duplicate), not "
            "retransmissions", HFILL } },
        { &hf_retrans, { "Retransmission", "tcpdiag.retrans", FT_STRING, BASE_NONE, NULL, 0x0,
            "Present on each retransmitted data segment; its value is the kind (fast, rto, tlp, "
            "unknown). Keep-alive and zero-window probes and duplicated frames are not "
            "retransmissions", HFILL } },
        { &hf_retrans_kind, { "Retransmission kind", "tcpdiag.retrans.kind", FT_STRING, BASE_NONE, NULL, 0x0,
            "fast: the receiver signalled the loss (duplicate ACKs, SACK), and the rest of that "
            "recovery; rto: a timer fired (no signal, the sender quiet for its minimum RTO), and "
            "the go-back-N after it; tlp: a tail loss probe (RFC 8985); unknown: no signal and "
            "too soon for a timer", HFILL } },
        { &hf_retrans_loss_at, { "Original lost (where)", "tcpdiag.retrans.loss_at", FT_STRING, BASE_NONE,
            NULL, 0x0, "downstream: the original passed the capture point (lost after it); "
            "upstream: it never did (lost before it); beyond_window: it was sent past the "
            "receiver's advertised window, which refused it (not lost); unknown", HFILL } },
        { &hf_retrans_spurious, { "Retransmission spurious", "tcpdiag.retrans.spurious", FT_UINT8, BASE_DEC,
            VALS(yes_vals), 0x0, "1 when the data had already arrived. Known from later packets "
            "(a D-SACK, the ACK), so in single pass it shows 0 on the retransmission itself",
            HFILL } },
        { &hf_stream_retrans_control, { "Control retransmissions", "tcpdiag.stream.retrans_control",
            FT_UINT32, BASE_DEC, NULL, 0x0, "Its SYN, SYN-ACK or FIN sent again without data "
            "(the kernel counts them in TcpRetransSegs): not in the retransmissions above, no "
            "data was resent", HFILL } },
        { &hf_retrans_control, { "Retransmission carried", "tcpdiag.retrans.carried", FT_STRING,
            BASE_NONE, NULL, 0x0, "What was sent again: data (and maybe a FIN with it), or only "
            "a syn, synack or fin", HFILL } },
        { &hf_retrans_spurious_by, { "Spurious, shown by", "tcpdiag.retrans.spurious_by", FT_STRING,
            BASE_NONE, NULL, 0x0, "The evidence: dsack (RFC 2883), early_ack (acknowledged "
            "sooner than a round trip after it), eifel (the ACK echoed an earlier TSval, RFC "
            "3522), acked (it re-sent data already acknowledged)", HFILL } },
        { &hf_probe, { "Probe kind", "tcpdiag.probe", FT_STRING, BASE_NONE, NULL, 0x0,
            "keepalive (one below the ACK, 0 or 1 byte, nothing outstanding) or zero_window (at "
            "most 1 byte into a closed window): not a retransmission", HFILL } },
        { &hf_reordered, { "Reordered segment", "tcpdiag.reordered", FT_UINT8, BASE_DEC, NULL, 0x0,
            "1: this segment filled a hole sooner than any retransmission could, or carries an "
            "older TSval than the segment that showed the hole", HFILL } },
        { &hf_duplicate, { "Duplicated frame", "tcpdiag.duplicate", FT_UINT8, BASE_DEC, NULL, 0x0,
            "1: the same segment again, nothing from the peer in between, sooner than any TCP "
            "timer: the capture recorded it twice; not a retransmission", HFILL } },
        { &hf_finding, { "Diagnosis finding", "tcpdiag.finding", FT_STRING, BASE_NONE, NULL, 0x0,
            "A diagnosis whose evidence this frame completes: its code (e.g. handshake.rejected)",
            HFILL } },
        { &hf_finding_detail, { "Finding detail", "tcpdiag.finding.detail", FT_STRING, BASE_NONE, NULL, 0x0,
            "Keyword refining the finding's code (e.g. gave_up, rst_middlebox, icmp, accepted)",
            HFILL } },
        { &hf_finding_cause, { "Likely cause", "tcpdiag.finding.cause", FT_STRING, BASE_NONE, NULL,
            0x0, "What probably caused the finding and what to check", HFILL } },
        { &hf_finding_count, { "Finding count", "tcpdiag.finding.count", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Retransmissions, retries or bytes the finding counts (see its message)", HFILL } },
        { &hf_finding_duration, { "Finding time", "tcpdiag.finding.duration", FT_RELATIVE_TIME, BASE_NONE,
            NULL, 0x0, "Time the finding cost or lasted (see its message)", HFILL } },
        { &hf_finding_frame, { "Finding evidence starts in frame", "tcpdiag.finding.frame", FT_FRAMENUM,
            BASE_NONE, NULL, 0x0, "Frame where the finding's evidence begins", HFILL } },
    };
    static gint *ett[] = { &ett_tcpdiag, &ett_stream, &ett_finding, &ett_stall, &ett_data,
                           &ett_retrans, &ett_data_each };
    static ei_register_info ei[2 * TD_CODE_COUNT];
    /* Wireshark's severities ranked as the table ranks streams: a connection
     * that failed or broke (Error) above time lost (Warning), above what is
     * worth knowing (Note), above a feature in use (Chat). Wireshark's own
     * TCP analysis uses the same levels: Warning for a zero window or a
     * segment not captured, Note for a retransmission, Chat for SYN and FIN;
     * it marks every RST a Warning, where tcpdiag tells an abort (Error) from
     * a RST that ends a close (Note). */
    static const int severity[] = { [TD_SEV_CHAT] = PI_CHAT, [TD_SEV_NOTE] = PI_NOTE,
                                    [TD_SEV_WARN] = PI_WARN, [TD_SEV_ERROR] = PI_ERROR };
    int n_ei = 0;
    expert_module_t *expert;
    module_t *prefs_module;

    proto_tcpdiag = proto_register_protocol("TCP Diagnosis", "TCPDIAG", "tcpdiag");
    proto_register_field_array(proto_tcpdiag, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));

    /* One expert item per diagnosis code, named tcpdiag.<code>. Its summary
     * is the code's title: Expert Information's grouped view shows it as the
     * group's heading (the registered summary, not a packet's message); the
     * description stays the field's blurb. */
    for (int face = 0; face < 2; face++) {
        for (int c = 0; c < TD_CODE_COUNT; c++) {
            const td_code_info_t *info = face ? td_code_alt_info((td_code_t)c)
                                              : td_code_info((td_code_t)c);
            ei_register_info one = { face ? &ei_alt[c] : &ei_code[c],
                                     { NULL, PI_SEQUENCE, PI_NOTE, NULL, EXPFILL } };
            if (!info)
                continue;
            one.eiinfo.name = g_strconcat("tcpdiag.", info->name, NULL);
            one.eiinfo.severity = severity[info->severity];
            one.eiinfo.summary = info->title;
            one.eiinfo.hf_info.hfinfo.blurb = info->blurb;
            ei[n_ei++] = one;
        }
    }
    expert = expert_register_protocol(proto_tcpdiag);
    expert_register_field_array(expert, ei, n_ei);

    prefs_module = prefs_register_protocol(proto_tcpdiag, apply_preferences);
    prefs_register_uint_preference(prefs_module, "min_rto_ms", "Minimum retransmission timeout (ms)",
        "A SYN or SYN-ACK repeated sooner than this is a duplicated frame, not a retransmission. "
        "200 ms is Linux's TCP_RTO_MIN, the smallest timer of common stacks (RFC 6298 asks for 1 s)",
        10, &pref_min_rto_ms);
    prefs_register_uint_preference(prefs_module, "time_wait_s", "TIME_WAIT duration (s)",
        "A new SYN on the 4-tuple of a connection that ended less than this ago is reported as "
        "port reuse. 60 s is Linux's TCP_TIMEWAIT_LEN (RFC 9293's 2*MSL is 4 minutes)",
        10, &pref_time_wait_s);
    prefs_register_uint_preference(prefs_module, "idle_reset_ms", "Idle before a reset (ms)",
        "A RST after both directions were silent this long, with nothing outstanding, is an "
        "idle-connection reset (teardown.reset, idle). 1000 ms is above any delayed ACK "
        "(at most 500 ms, RFC 1122) and Linux's minimum RTO",
        10, &pref_idle_reset_ms);
    prefs_register_uint_preference(prefs_module, "delayed_ack_min_ms", "Delayed ACK threshold (ms)",
        "A pure ACK arriving this much later than the round trip to its sender is a delayed ACK "
        "(Nagle x delayed-ACK stalls). Linux's delayed-ACK timer is at least 40 ms, Windows' "
        "200 ms; 30 ms leaves room for timer granularity",
        10, &pref_delayed_ack_min_ms);
    prefs_register_uint_preference(prefs_module, "window_full_min_ms", "Window-full wait threshold (ms)",
        "A sender that filled the receive window and waited at least this long for it to open "
        "is reported as a window_full stall; shorter waits are timer and scheduling noise",
        10, &pref_window_full_min_ms);
    prefs_register_uint_preference(prefs_module, "mss_low", "Low MSS threshold (bytes)",
        "An MSS option below this is reported (handshake.options, low_mss). 1220 fits IPv6's "
        "minimum MTU of 1280 (RFC 8200), which any working path carries; 1460 would also "
        "report PPPoE (1452) and VPN (~1380) paths",
        10, &pref_mss_low);
    prefs_register_uint_preference(prefs_module, "late_close_ms", "Late close (ms)",
        "A side that closes (FIN or RST) this long or longer after its peer's FIN is named a "
        "late close. An application that reads EOF closes at once; 1000 ms is above any delayed "
        "ACK (RFC 1122: 500 ms) and Linux's minimum RTO, so the wait is the application's",
        10, &pref_late_close_ms);
    prefs_register_uint_preference(prefs_module, "host_min_conns", "Host: connections for a rate",
        "A service or host needs this many connections before the host rollup reads a rate from "
        "them (TIME_WAIT share, path loss); fewer are better read one by one in TCP Diagnosis",
        10, &pref_host_min_conns);
    prefs_register_uint_preference(prefs_module, "host_closed_first_pct",
        "Host: server closes first (%)",
        "host.time_wait: the server closed at least this share of its connections first: a "
        "policy (Connection: close, an idle timer), not an accident", 10,
        &pref_host_closed_first_pct);
    prefs_register_uint_preference(prefs_module, "host_time_wait_min", "Host: TIME_WAIT at once",
        "host.time_wait: ... and held at least this many TIME_WAITs at once (each for the TIME_WAIT "
        "duration above): 100 is a steady 2 connections a second closed by the server", 10,
        &pref_host_time_wait_min);
    prefs_register_uint_preference(prefs_module, "host_close_wait_min", "Host: CLOSE_WAIT leaks",
        "host.close_wait: this many connections whose server never closed after the client's "
        "FIN (for at least the late close above): one can be an exit path, three are a pattern",
        10, &pref_host_close_wait_min);
    prefs_register_uint_preference(prefs_module, "host_accept_queue_min",
        "Host: handshakes dropped by a listener",
        "host.accept_queue: this many connections whose SYN was sent again or whose third ACK "
        "was ignored while other connections to the same listener got through within 1 s",
        10, &pref_host_accept_queue_min);
    prefs_register_uint_preference(prefs_module, "host_scan_min_targets", "Host: scan targets",
        "host.scanner: a source tried this many distinct ports or hosts without data (nmap's "
        "fastest scan tries 100; a misconfigured client tries a few)", 10,
        &pref_host_scan_min_targets);
    prefs_register_uint_preference(prefs_module, "host_scan_probes_pct", "Host: scan probes (%)",
        "host.scanner: ... in at least this share of its connections", 10,
        &pref_host_scan_probes_pct);
    prefs_register_uint_preference(prefs_module, "host_loss_min_permille",
        "Host: path loss rate (per mille)",
        "host.path_loss: a host's direction lost at least this share of its segments ...", 10,
        &pref_host_loss_min_permille);
    prefs_register_uint_preference(prefs_module, "host_loss_conns_pct",
        "Host: connections that lose (%)",
        "host.path_loss: ... on at least this share of its connections long enough to show it "
        "(50 segments that way): its path, not one flow's congestion", 10,
        &pref_host_loss_conns_pct);
    prefs_register_uint_preference(prefs_module, "host_idle_min_resets", "Host: idle resets",
        "host.idle_timeout: this many connections of a service reset after a silence of the same "
        "length (within the spread below): a timer on the path", 10, &pref_host_idle_min_resets);
    prefs_register_uint_preference(prefs_module, "host_idle_spread_pct",
        "Host: idle reset spread (%)",
        "host.idle_timeout: the silences agree within this share of their median (timers fire "
        "within a tick, a client's next request after its own think time)", 10,
        &pref_host_idle_spread_pct);
    prefs_register_uint_preference(prefs_module, "host_port_reuse_min", "Host: 4-tuples reused",
        "host.port_exhaustion: a client reused this many 4-tuples still in TIME_WAIT or open",
        10, &pref_host_port_reuse_min);

    td_config_default(td_capture_config());
    apply_preferences();
    register_init_routine(init_tcpdiag);
    register_cleanup_routine(cleanup_tcpdiag);
    td_gui_refilter_after_read_register(proto_tcpdiag);

    tcpdiag_handle = create_dissector_handle(dissect_tcpdiag, proto_tcpdiag);
    tcpdiag_tap = register_tap("tcpdiag");
    tcpdiag_table_register();
    tcpdiag_hosts_table_register();
}

void
proto_reg_handoff_tcpdiag(void)
{
    register_postdissector(tcpdiag_handle);
    td_fields_init();
    td_stream_id_init();
}
