/* td_host_checks.c
 * The host.* diagnoses (docs/diagnoses.md "Hosts and services"), each a
 * check of one row's evidence against its thresholds, whose defaults and
 * their reasons are here (td_hosts_config_default).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <math.h>

#include "hosts/td_host_checks.h"

static const td_host_code_info_t code_table[TD_HOST_CODE_COUNT] = {
    [TD_HOST_TIME_WAIT] = { "host.time_wait", "Server closes first: TIME_WAIT piles up",
                            TD_STREAM_NOTE },
    [TD_HOST_CLOSE_WAIT] = { "host.close_wait", "CLOSE_WAIT leak", TD_STREAM_BROKEN },
    [TD_HOST_ACCEPT_QUEUE] = { "host.accept_queue", "Accept queue full", TD_STREAM_BROKEN },
    [TD_HOST_SCANNER] = { "host.scanner", "Scanner", TD_STREAM_NOTE },
    [TD_HOST_PATH_LOSS] = { "host.path_loss", "Loss on the host's path", TD_STREAM_LOSSY },
    [TD_HOST_IDLE_TIMEOUT] = { "host.idle_timeout", "Reset after the same idle time",
                               TD_STREAM_BROKEN },
    /* a note: the reuse itself worked; the connections that failed on it
     * rank the row by their own severity */
    [TD_HOST_PORT_EXHAUSTION] = { "host.port_exhaustion", "Client ports reused in TIME_WAIT",
                                  TD_STREAM_NOTE },
};

const td_host_code_info_t *
td_host_code_info(td_host_code_t code)
{
    return code < TD_HOST_CODE_COUNT ? &code_table[code] : NULL;
}

void
td_hosts_config_default(td_hosts_config_t *cfg)
{
    /* A rate read from fewer connections says little that the streams
     * table does not say one by one. */
    cfg->min_conns = 20;
    /* Linux holds TIME_WAIT for TCP_TIMEWAIT_LEN, 60 s (not tunable); RFC
     * 9293 3.6 says 2 MSL, 240 s on Windows by default (TcpTimedWaitDelay). */
    cfg->time_wait = 60.0;
    /* A server that closes most of its connections first does so by design
     * (Connection: close, an idle timeout), not by accident. */
    cfg->closed_first_share = 0.5;
    /* Each TIME_WAIT holds its 4-tuple for 60 s: a client that returns
     * from the same port meets it (a challenge ACK, a RST). A hundred at
     * once is a steady connection rate of about 2 a second closed by the
     * server: a pattern, not a stray close. */
    cfg->time_wait_min = 100;
    /* One leaked socket can be an exit path; three from one service are a
     * pattern in its code (each holds a descriptor until the process ends). */
    cfg->close_wait_min = 3;
    /* The stream's late_close: an application that reads EOF closes at once. */
    cfg->late_close = 1.0;
    /* Three dropped handshakes, against the one a random loss explains. */
    cfg->accept_queue_min = 3;
    /* "At the same moment": within Linux's initial SYN retransmission
     * timeout (1 s, RFC 6298 2.1) another client got through. */
    cfg->accept_window = 1.0;
    /* A client that tries a few wrong ports is misconfigured; twenty
     * targets without data is a sweep (nmap's fastest scan tries 100). */
    cfg->scan_min_targets = 20;
    cfg->scan_failed_share = 0.8;
    /* Half a per cent of a direction's segments lost, on at least half of
     * the host's connections: a link or router on its path, not one flow's
     * congestion (a single bulk flow in slow start loses its own). */
    cfg->loss_min_rate = 0.005;
    cfg->loss_conns_share = 0.5;
    /* Three connections reset after the same silence: a timer. */
    cfg->idle_min_resets = 3;
    /* The stream's idle_reset: a second of silence means nothing was in
     * progress (above any delayed ACK and Linux's minimum RTO). */
    cfg->idle_reset = 1.0;
    /* Timers fire within a tick; a client's next request after the timer
     * comes after its own think time: 10% of the silence holds both for the
     * timers of minutes that load balancers and firewalls use. */
    cfg->idle_spread = 0.10;
    /* Three connections on a 4-tuple still in TIME_WAIT or open. */
    cfg->port_reuse_min = 3;
}

static int
cmp_double(gconstpointer a, gconstpointer b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double
td_host_median(GArray *values)
{
    guint n = values->len;

    if (!n)
        return -1.0;
    g_array_sort(values, cmp_double);
    return n % 2 ? g_array_index(values, double, n / 2)
                 : (g_array_index(values, double, n / 2 - 1) + g_array_index(values, double, n / 2)) / 2.0;
}

static void
found(td_host_row_t *row, td_host_finding_t *f)
{
    row->findings[f->code] = *f;
    row->codes |= 1u << f->code;
    row->severity = MIN(row->severity, code_table[f->code].severity);
}

static int
cmp_tw_client(gconstpointer a, gconstpointer b)
{
    const tw_ev_t *x = (const tw_ev_t *)a, *y = (const tw_ev_t *)b;

    if (x->client != y->client)
        return x->client < y->client ? -1 : 1;
    return x->syn < y->syn ? -1 : x->syn > y->syn;
}

/* A TIME_WAIT's start (+1) or end (-1). */
typedef struct tw_edge {
    double time;
    int    step;
} tw_edge_t;

static int
cmp_edge(gconstpointer a, gconstpointer b)
{
    const tw_edge_t *x = (const tw_edge_t *)a, *y = (const tw_edge_t *)b;

    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return x->step - y->step; /* an end before a start at the same moment */
}

/* The server closed most connections first, and held many TIME_WAITs at
 * once: a sweep over their starts and ends. */
void
td_host_check_time_wait(td_hosts_t *h, td_host_row_t *row, row_ev_t *e, double capture_end)
{
    td_host_finding_t f = { .code = TD_HOST_TIME_WAIT };
    GArray *tw = e->tw, *edges;
    guint peak = 0, at_end = 0;
    int open = 0;

    if (row->conns < h->cfg.min_conns
        || row->closed_first[0] < h->cfg.closed_first_share * row->conns || !tw->len)
        return;
    /* each TIME_WAIT ends after cfg->time_wait, or when the next connection
     * from its client port begins */
    g_array_sort(tw, cmp_tw_client);
    edges = g_array_sized_new(FALSE, FALSE, sizeof(tw_edge_t), 2 * tw->len);
    for (guint i = 0; i < tw->len; i++) {
        const tw_ev_t *c = &g_array_index(tw, tw_ev_t, i);
        double end;

        if (c->closed < 0.0)
            continue;
        end = c->closed + h->cfg.time_wait;
        if (i + 1 < tw->len && g_array_index(tw, tw_ev_t, i + 1).client == c->client)
            end = MIN(end, MAX(c->closed, g_array_index(tw, tw_ev_t, i + 1).syn));
        if (end > capture_end)
            at_end++;
        g_array_append_vals(edges, &(tw_edge_t){ c->closed, 1 }, 1);
        g_array_append_vals(edges, &(tw_edge_t){ end, -1 }, 1);
    }
    g_array_sort(edges, cmp_edge);
    for (guint i = 0; i < edges->len; i++) {
        open += g_array_index(edges, tw_edge_t, i).step;
        peak = MAX(peak, (guint)MAX(open, 0));
    }
    g_array_free(edges, TRUE);
    if (peak < h->cfg.time_wait_min)
        return;
    f.count = row->closed_first[0];
    f.of = row->conns;
    f.peak = peak;
    f.other = at_end;
    f.value = h->cfg.time_wait;
    found(row, &f);
}

/* The server never closed after the client's FIN, on several connections. */
void
td_host_check_close_wait(td_hosts_t *h, td_host_row_t *row, row_ev_t *e, double capture_end)
{
    td_host_finding_t f = { .code = TD_HOST_CLOSE_WAIT, .value = 0.0 };
    guint leaked = 0;
    double newest = -1.0;

    for (guint i = 0; i < e->cw->len; i++) {
        double since = g_array_index(e->cw, double, i);
        if (capture_end - since >= h->cfg.late_close)
            leaked++;
        f.value = MAX(f.value, capture_end - since);  /* the oldest */
        newest = newest < 0.0 ? since : MAX(newest, since);
    }
    if (leaked < h->cfg.close_wait_min)
        return;
    f.count = leaked;             /* half-closed for late_close or more */
    f.of = row->conns;
    f.peak = e->cw->len;          /* in CLOSE_WAIT when the capture ends */
    f.low = h->cfg.late_close;
    f.high = capture_end - newest; /* the newest, so long before the end */
    found(row, &f);
}

/* Handshakes dropped while other connections to the listener got through
 * at the same moment, and more often than the path loses data. */
void
td_host_check_accept_queue(td_hosts_t *h, td_host_row_t *row, row_ev_t *e)
{
    td_host_finding_t f = { .code = TD_HOST_ACCEPT_QUEUE };
    guint beside = 0;
    guint64 segments = row->segments[0] + row->segments[1];
    double loss = segments ? (double)(row->lost[0] + row->lost[1]) / (double)segments : 0.0;

    if (e->drops->len < h->cfg.accept_queue_min || !e->est->len)
        return;
    g_array_sort(e->est, cmp_double);
    for (guint i = 0; i < e->drops->len; i++) {
        double t = g_array_index(e->drops, double, i);
        /* the first connection that got through at or after t - window */
        guint lo = 0, hi = e->est->len;
        while (lo < hi) {
            guint mid = (lo + hi) / 2;
            if (g_array_index(e->est, double, mid) < t - h->cfg.accept_window)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < e->est->len && g_array_index(e->est, double, lo) <= t + h->cfg.accept_window)
            beside++;
    }
    /* a path that drops handshakes drops data alike; a listener drops only
     * handshakes (three times the path's data loss, at the least) */
    if (beside < h->cfg.accept_queue_min
        || (double)e->drops->len / row->conns < 3.0 * loss)
        return;
    f.count = e->drops->len;
    f.of = row->conns;
    f.peak = e->syn_resent;
    f.other = e->ack_ignored;
    g_array_sort(e->drops, cmp_double);
    f.value = g_array_index(e->drops, double, 0);
    f.high = g_array_index(e->drops, double, e->drops->len - 1);
    found(row, &f);
}

/* Connections reset after silences of the same length. */
void
td_host_check_idle_timeout(td_hosts_t *h, td_host_row_t *row, row_ev_t *e)
{
    td_host_finding_t f = { .code = TD_HOST_IDLE_TIMEOUT };
    double m;
    guint n = 0;

    if (e->silence->len < h->cfg.idle_min_resets)
        return;
    m = td_host_median(e->silence); /* sorts */
    f.low = f.high = -1.0;
    for (guint i = 0; i < e->silence->len; i++) {
        double s = g_array_index(e->silence, double, i);
        if (fabs(s - m) <= h->cfg.idle_spread * m) {
            n++;
            f.low = f.low < 0.0 ? s : MIN(f.low, s);
            f.high = MAX(f.high, s);
        }
    }
    /* A timer on the path cuts every connection idle that long: one of
     * the service's connections that lived through as long a silence
     * says the resets came from something else (the server closing its
     * sessions at once, say). */
    if (n < h->cfg.idle_min_resets || e->quiet_survived >= f.low)
        return;
    f.count = n;
    f.of = row->conns;
    f.value = m;
    f.lived = e->quiet_survived;
    f.other = e->resets_middlebox_silent;
    found(row, &f);
}

/* Most of a host's connections lose in one direction. */
void
td_host_check_path_loss(td_hosts_t *h, td_host_row_t *row, row_ev_t *e)
{
    for (guint8 d = 0; d < 2; d++) {
        td_host_finding_t f = { .code = TD_HOST_PATH_LOSS, .dir = d };
        double rate = row->segments[d] ? (double)row->lost[d] / (double)row->segments[d] : 0.0;

        if (e->data_conns[d] < h->cfg.min_conns || rate < h->cfg.loss_min_rate
            || e->lossy_conns[d] < h->cfg.loss_conns_share * e->data_conns[d])
            continue;
        f.count = e->lossy_conns[d];
        f.of = e->data_conns[d];
        f.value = rate;
        f.where = e->upstream[d] > 2 * e->downstream[d] ? TD_LOSS_UPSTREAM
                  : e->downstream[d] > 2 * e->upstream[d] ? TD_LOSS_DOWNSTREAM : TD_LOSS_UNKNOWN;
        /* the worse direction is the finding */
        if (!(row->codes & (1u << TD_HOST_PATH_LOSS))
            || rate > row->findings[TD_HOST_PATH_LOSS].value)
            found(row, &f);
    }
}

/* A client that reused 4-tuples still in TIME_WAIT or open. */
void
td_host_check_port_exhaustion(td_hosts_t *h, td_host_row_t *row, row_ev_t *e)
{
    td_host_finding_t f = { .code = TD_HOST_PORT_EXHAUSTION };

    if (e->as_client < h->cfg.min_conns || e->port_reuse < h->cfg.port_reuse_min || !e->ports)
        return;
    f.count = e->port_reuse;
    f.of = e->as_client;
    f.other = g_hash_table_size(e->ports);
    f.lo = e->port_lo;
    f.hi = e->port_hi;
    found(row, &f);
}

/* A source that tried many targets, mostly without data. */
void
td_host_check_scanner(td_hosts_t *h, guint r, td_host_row_t *row, row_ev_t *e)
{
    td_host_finding_t f = { .code = TD_HOST_SCANNER };

    if (!e->targets || g_hash_table_size(e->targets) < h->cfg.scan_min_targets
        || e->probes < h->cfg.scan_failed_share * e->as_client)
        return;
    f.count = e->probes;
    f.of = e->as_client;
    f.peak = e->probes_failed;
    f.other = g_hash_table_size(e->targets);
    f.targets = g_hash_table_size(e->target_hosts);
    f.lo = e->probe_lo;
    f.hi = e->probe_hi;
    found(row, &f);
    g_hash_table_insert(h->scanners, GUINT_TO_POINTER(row->host), GUINT_TO_POINTER(r + 1));
}

