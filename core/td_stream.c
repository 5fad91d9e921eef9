/* td_stream.c
 * A stream's life in the core (td_stream.h): each segment goes to the model
 * first (the endpoints, then the sequence space), then to the detectors,
 * which read the model and what it noted of the segment, and write findings;
 * the endpoints close the segment. The detectors do not call each other:
 * where one needs another's answer (the teardown, whether a connection was
 * made), it is handed over here.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "td_stream.h"
#include "model/td_endpoint.h"
#include "model/td_seqspace.h"
#include "detect/td_data.h"
#include "detect/td_handshake.h"
#include "detect/td_stall.h"
#include "detect/td_teardown.h"

void
td_config_default(td_config_t *cfg)
{
    cfg->min_rto = 0.2;
    cfg->idle_reset = 1.0;
    cfg->delayed_ack_min = 0.030;
    cfg->window_full_min = 0.010;
    cfg->time_wait = 60.0;
    cfg->mss_low = 1220;
    cfg->late_close = 1.0;
}

td_stream_t *
td_stream_new(wmem_allocator_t *scope, const td_config_t *cfg, guint32 index, td_stream_t *prev)
{
    td_stream_t *s = wmem_new0(scope, td_stream_t);

    s->scope = scope;
    s->cfg = cfg;
    s->index = index;
    s->prev_same_tuple = prev;
    s->client = -1;
    s->path.initial_rtt = -1.0;
    s->side[0].wscale = s->side[1].wscale = TD_NO_WSCALE;
    s->side[0].rwnd = s->side[1].rwnd = -1;
    s->stall_account.worst = TD_CODE_NONE;
    s->version = 1;
    s->seq[0].scope = s->seq[1].scope = scope;
    return s;
}

gboolean
td_stream_is_new_connection(const td_stream_t *prev, const td_segment_t *seg)
{
    return td_endpoint_opens_connection(prev, seg);
}

td_finding_t *
td_stream_segment(td_stream_t *s, const td_segment_t *seg)
{
    td_finding_t *out = NULL;

    if (seg->dir > 1)
        return NULL;
    td_stream_thaw(s);
    s->version++;
    td_stream_clock(s, seg->time);
    /* the model: what the segment is */
    td_endpoint_segment(s, seg);
    td_seqspace_segment(s, seg);
    /* the detectors, each on what the model holds */
    td_data_segment(s, seg, &out);
    td_handshake_segment(s, seg, &out);
    td_stall_segment(s, seg, &out);
    /* a RST ends a connection only where the handshake made one */
    td_teardown_segment(s, seg, (seg->flags & TD_RST) && td_handshake_connected(s), &out);
    td_endpoint_segment_done(s, seg);
    s->version++; /* again: a verdict may have been computed meanwhile */
    return out;
}

void
td_stream_clock(td_stream_t *s, double now)
{
    if (now > s->clock) {
        td_stream_thaw(s);
        s->clock = now;
        s->version++;
    }
}

void
td_stream_late_host_ttl(td_stream_t *s, guint8 ttl)
{
    td_stream_thaw(s);
    td_handshake_late_host_ttl(s, ttl);
    s->version++;
}

double
td_stream_deadline(const td_stream_t *s)
{
    return td_teardown_deadline(s);
}

td_finding_t *
td_stream_icmp_error(td_stream_t *s, const td_icmp_error_t *icmp)
{
    td_finding_t *out = NULL;

    if (s->packets == 0)
        return NULL;
    td_stream_thaw(s);
    s->version++;
    /* An ICMP error that came before its stream (a capture out of order) is
     * fed after the stream's first segment: the last frame stays that one's,
     * where the conclusions go (the ICMP's own frame has no stream). */
    if (icmp->frame > s->last_frame)
        s->last_frame = icmp->frame;
    if (icmp->time > s->last_time)
        s->last_time = icmp->time;
    td_seqspace_icmp(s, icmp);
    td_handshake_icmp(s, icmp, &out);
    s->version++;
    return out;
}

/* Every field td_stream_finalize() and the detectors' finalize functions
 * write, so that td_stream_thaw() can restore them. tests/unit/test_core.c
 * finalizes and thaws every stream it builds and compares the whole
 * td_stream_t, so a field written there and missing here fails the tests. */
typedef struct td_prefinal {
    guint32       hs_flags, codes, stalls;
    td_finding_t *last_finding, *last_segment_finding;
    double        stall_time, stall_counted_until, worst_stall_time;
    td_code_t     worst_stall;
    const char   *worst_stall_detail;
    guint32       zw_frame[2];
    guint8        rto_open[2], ka_reported[2];
} td_prefinal_t;

/* Save those fields into p (save), or put them back from p: one list. */
static void
prefinal_keep(td_stream_t *s, td_prefinal_t *p, gboolean save)
{
#define KEEP(field, kept) do { if (save) (kept) = (field); else (field) = (kept); } while (0)
    KEEP(s->handshake.flags, p->hs_flags);
    KEEP(s->codes, p->codes);
    KEEP(s->stall_account.count, p->stalls);
    KEEP(s->last_finding, p->last_finding);
    KEEP(s->last_segment_finding, p->last_segment_finding);
    KEEP(s->stall_account.time, p->stall_time);
    KEEP(s->stall_account.counted_until, p->stall_counted_until);
    KEEP(s->stall_account.worst_time, p->worst_stall_time);
    KEEP(s->stall_account.worst, p->worst_stall);
    KEEP(s->stall_account.worst_detail, p->worst_stall_detail);
    for (int d = 0; d < 2; d++) {
        /* Parts allocated on first use: none is allocated while a stream
         * is finalized, so a part absent when saved is absent when put back
         * (and a finalize writes nothing in it). */
        td_side_stall_t *st = s->side[d].stall;
        td_seqdir_trouble_t *t = s->seq[d].trouble;

        if (st)
            KEEP(st->zw_frame, p->zw_frame[d]);
        if (t) {
            KEEP(t->rto_open, p->rto_open[d]);
            KEEP(t->ka_reported, p->ka_reported[d]);
        }
    }
#undef KEEP
}

td_finding_t *
td_stream_finalize(td_stream_t *s, double capture_end)
{
    return td_stream_finalize_in(s, capture_end, NULL);
}

td_finding_t *
td_stream_finalize_in(td_stream_t *s, double capture_end, wmem_allocator_t *scope)
{
    td_finding_t *out = NULL;
    wmem_allocator_t *own = s->scope;

    if (s->finalized)
        return NULL;
    /* The clock first: it is not undone (the capture's time only moves on,
     * and it moves as far in a single pass). */
    td_stream_clock(s, capture_end);
    if (!s->prefinal)
        s->prefinal = wmem_new(s->scope, td_prefinal_t);
    prefinal_keep(s, s->prefinal, TRUE);
    s->finalized = TRUE;
    s->version++;
    s->last_segment_finding = s->last_finding;
    /* The conclusions, and nothing else, are allocated while the finalize
     * functions run: they may go to a scope of their own (the stream keeps
     * no pointer into it once thawed). */
    if (scope)
        s->scope = scope;
    td_handshake_finalize(s, capture_end, &out);
    td_teardown_finalize(s, capture_end, td_handshake_connected(s), &out);
    td_stall_finalize(s, &out);
    td_data_finalize(s, capture_end, &out);
    s->scope = own;
    s->version++;
    return out;
}

void
td_stream_thaw(td_stream_t *s)
{
    if (!s->finalized)
        return;
    s->finalized = FALSE;
    prefinal_keep(s, s->prefinal, FALSE);
    s->version++;
}
