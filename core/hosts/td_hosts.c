/* td_hosts.c
 * The capture-wide rollup (td_hosts.h): rows per service and per host from
 * the streams' verdicts; once every stream is in, the host.* checks over the
 * rows (td_host_checks.c), the rows' explanations (td_host_explain.c) and
 * their order.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <math.h>
#include <string.h>

#include "hosts/td_hosts.h"
#include "hosts/td_host_checks.h"
#include "hosts/td_host_evidence.h"

static const char *const reset_kind_names[TD_RESET_KINDS] = {
    "after_fin", "after_peer_fin", "late_close", "half_open", "gave_up", "keepalive_dead",
    "mid_transfer", "idle", "instead_of_fin",
};

const char *
td_reset_kind_name(td_reset_kind_t kind)
{
    return kind < TD_RESET_KINDS ? reset_kind_names[kind] : "?";
}

/* The kind of a reset's detail ("mid_transfer,middlebox"). */
static td_reset_kind_t
reset_kind(const char *detail)
{
    for (int k = 0; k < TD_RESET_KINDS; k++) {
        size_t n = strlen(reset_kind_names[k]);
        if (strncmp(detail, reset_kind_names[k], n) == 0 && (detail[n] == '\0' || detail[n] == ','))
            return (td_reset_kind_t)k;
    }
    return TD_RESET_KINDS;
}

static guint
key_hash(gconstpointer k)
{
    guint64 v = *(const guint64 *)k;
    return (guint)(v ^ (v >> 29));
}

static gboolean
key_equal(gconstpointer a, gconstpointer b)
{
    return *(const guint64 *)a == *(const guint64 *)b;
}

td_hosts_t *
td_hosts_new(const td_hosts_config_t *cfg)
{
    td_hosts_t *h = g_new0(td_hosts_t, 1);

    h->cfg = *cfg;
    h->rows = g_array_new(FALSE, TRUE, sizeof(td_host_row_t));
    h->ev = g_ptr_array_new();
    h->index = g_hash_table_new_full(key_hash, key_equal, g_free, NULL);
    h->conns = g_array_new(FALSE, FALSE, sizeof(conn_rec_t));
    h->order = g_array_new(FALSE, FALSE, sizeof(guint));
    h->scanners = g_hash_table_new(g_direct_hash, g_direct_equal);
    return h;
}

static void
ev_free(row_ev_t *e)
{
    if (!e)
        return;
    g_array_free(e->irtt, TRUE);
    g_array_free(e->tw, TRUE);
    g_array_free(e->cw, TRUE);
    g_array_free(e->drops, TRUE);
    g_array_free(e->est, TRUE);
    g_array_free(e->silence, TRUE);
    if (e->ports)
        g_hash_table_destroy(e->ports);
    if (e->targets) {
        g_hash_table_destroy(e->targets);
        g_hash_table_destroy(e->target_hosts);
    }
    if (e->explainers)
        g_hash_table_destroy(e->explainers);
    g_free(e);
}

static void
free_evidence(td_hosts_t *h)
{
    for (guint i = 0; i < h->ev->len; i++)
        ev_free((row_ev_t *)g_ptr_array_index(h->ev, i));
    g_ptr_array_set_size(h->ev, 0);
    g_array_set_size(h->conns, 0);
}

void
td_hosts_free(td_hosts_t *h)
{
    if (!h)
        return;
    free_evidence(h);
    g_ptr_array_free(h->ev, TRUE);
    g_array_free(h->rows, TRUE);
    g_hash_table_destroy(h->index);
    g_array_free(h->conns, TRUE);
    g_array_free(h->order, TRUE);
    g_hash_table_destroy(h->scanners);
    g_free(h);
}

/* The row of key, made on first use; its index. */
static guint
row_of(td_hosts_t *h, td_host_row_kind_t kind, guint32 host, guint16 port)
{
    guint64 key = row_key(kind, host, port);
    gpointer found = g_hash_table_lookup(h->index, &key);
    td_host_row_t row;
    row_ev_t *e;

    if (found)
        return GPOINTER_TO_UINT(found) - 1;
    memset(&row, 0, sizeof(row));
    row.id = h->rows->len;
    row.kind = kind;
    row.host = host;
    row.port = port;
    row.irtt_median = row.irtt_worst = -1.0;
    row.first_time = -1.0;
    row.severity = TD_STREAM_HEALTHY;
    g_array_append_val(h->rows, row);
    e = g_new0(row_ev_t, 1);
    e->irtt = g_array_new(FALSE, FALSE, sizeof(double));
    e->tw = g_array_new(FALSE, FALSE, sizeof(tw_ev_t));
    e->cw = g_array_new(FALSE, FALSE, sizeof(double));
    e->drops = g_array_new(FALSE, FALSE, sizeof(double));
    e->est = g_array_new(FALSE, FALSE, sizeof(double));
    e->silence = g_array_new(FALSE, FALSE, sizeof(double));
    g_ptr_array_add(h->ev, e);
    g_hash_table_insert(h->index, g_memdup2(&key, sizeof(key)),
                        GUINT_TO_POINTER(h->rows->len));
    return h->rows->len - 1;
}

/* Add v to row r, whose host is the side me of the connection (0 client,
 * 1 server). */
static void
add_to_row(td_hosts_t *h, guint r, const td_verdict_t *v, int me, const td_conn_ends_t *ends)
{
    td_host_row_t *row = row_at(h, r);
    row_ev_t *e = (row_ev_t *)g_ptr_array_index(h->ev, r);
    const td_teardown_part_t *t = &v->teardown_part;
    const td_handshake_part_t *hs = &v->handshake_part;
    int c = v->client < 0 ? 0 : v->client;
    int my_dir = me == 0 ? c : 1 - c; /* the direction this host sends in */
    double silence;

    row->conns++;
    if (v->codes & TD_CODE_BIT(TD_HS_REJECTED))
        row->refused++;
    if (v->codes & TD_CODE_BIT(TD_HS_SYN_UNANSWERED))
        row->unanswered++;
    if (t->reset_side >= 0) {
        row->resets[t->reset_side == my_dir ? 0 : 1]++;
        if (t->reset_kind) {
            td_reset_kind_t k = reset_kind(t->reset_kind);
            if (k < TD_RESET_KINDS)
                row->reset_kinds[k]++;
            if (strstr(t->reset_kind, "middlebox"))
                row->resets_middlebox++;
        }
    }
    row->closed_first[t->first_closer < 0 ? 2 : t->first_closer == my_dir ? 0 : 1]++;
    /* in CLOSE_WAIT: the side whose peer's FIN was acknowledged */
    if (t->closing_side >= 0)
        row->half_closed[t->closing_side == my_dir ? 1 : 0]++;
    for (int i = 0; i < 2; i++) {
        /* [0] what the host sent, [1] what it received */
        const td_dir_facts_t *q = &v->data.dir[i == 0 ? my_dir : 1 - my_dir];
        row->segments[i] += q->segments;
        row->retrans[i] += q->retrans;
        row->lost[i] += q->lost;
        /* a connection long enough to show the path's loss: at 1% a
         * connection of 50 segments loses one with odds 0.4 */
        if (q->segments >= LOSS_SEGMENTS) {
            e->data_conns[i]++;
            if (q->lost)
                e->lossy_conns[i]++;
        }
        e->upstream[i] += q->upstream;
        e->downstream[i] += q->downstream;
    }
    for (int k = 0; k < TD_STALL_KINDS; k++)
        row->stall_time[k] += v->stalls.kind_time[k];
    if (v->initial_rtt >= 0.0)
        g_array_append_val(e->irtt, v->initial_rtt);
    if (row->first_time < 0.0 || v->first_time < row->first_time)
        row->first_time = v->first_time;
    row->last_time = MAX(row->last_time, v->last_time);

    if (row->kind == TD_ROW_SERVICE) {
        int server = 1 - c;
        /* the server closed first and both FINs went through: its TIME_WAIT */
        tw_ev_t tw = { ((guint64)ends->client_host << 16) | ends->client_port,
                       v->first_time, -1.0 };
        if (t->graceful && t->first_closer == server && t->closed_time >= 0.0)
            tw.closed = t->closed_time;
        g_array_append_val(e->tw, tw);
        /* the client's FIN acknowledged, the server not closed */
        if (t->closing_side == c && t->closing_since >= 0.0)
            g_array_append_val(e->cw, t->closing_since);
        /* the listener dropped its handshake: the client sent its SYN again,
         * or the server resent its SYN-ACK after the client's ACK */
        if (hs->syn_time >= 0.0) {
            gboolean syn_dropped = hs->syn_count > 1
                                   && (v->codes & (TD_CODE_BIT(TD_HS_SYN_RETRANSMITTED)
                                                   | TD_CODE_BIT(TD_HS_SYN_UNANSWERED)));
            gboolean ack_ignored = (v->codes & TD_CODE_BIT(TD_HS_ACK_LOST)) != 0;
            if (syn_dropped || ack_ignored) {
                g_array_append_val(e->drops, hs->syn_time);
                if (syn_dropped)
                    e->syn_resent += hs->syn_count - 1;
                if (ack_ignored)
                    e->ack_ignored += hs->synack_count - 1;
            } else if (hs->established) {
                g_array_append_val(e->est, hs->syn_time);
            }
        }
        e->quiet_survived = MAX(e->quiet_survived, t->quiet_survived);
        if ((silence = td_host_reset_silence(v, h->cfg.idle_reset)) >= 0.0) {
            g_array_append_val(e->silence, silence);
            if (t->reset_kind && strstr(t->reset_kind, "middlebox"))
                e->resets_middlebox_silent++;
        }
    } else if (me == 0) {
        /* the host as a client */
        e->as_client++;
        if (v->codes & TD_CODE_BIT(TD_HS_PORT_REUSE))
            e->port_reuse++;
        if (!e->ports) {
            e->ports = g_hash_table_new(g_direct_hash, g_direct_equal);
            e->port_lo = e->port_hi = ends->client_port;
        }
        g_hash_table_add(e->ports, GUINT_TO_POINTER((guint)ends->client_port));
        e->port_lo = MIN(e->port_lo, ends->client_port);
        e->port_hi = MAX(e->port_hi, ends->client_port);
    }
}

/* A connection from the client host of row r that carried no data: what a
 * scan tries (the targets are counted once each). */
static void
add_probe(td_hosts_t *h, guint r, const td_conn_ends_t *ends, gboolean failed)
{
    row_ev_t *e = (row_ev_t *)g_ptr_array_index(h->ev, r);
    guint64 target = ((guint64)ends->server_host << 16) | ends->server_port;

    if (!e->targets) {
        e->targets = g_hash_table_new_full(key_hash, key_equal, g_free, NULL);
        e->target_hosts = g_hash_table_new(g_direct_hash, g_direct_equal);
        e->probe_lo = e->probe_hi = ends->server_port;
    }
    e->probes++;
    if (failed)
        e->probes_failed++;
    if (!g_hash_table_contains(e->targets, &target))
        g_hash_table_add(e->targets, g_memdup2(&target, sizeof(target)));
    g_hash_table_add(e->target_hosts, GUINT_TO_POINTER(ends->server_host));
    e->probe_lo = MIN(e->probe_lo, ends->server_port);
    e->probe_hi = MAX(e->probe_hi, ends->server_port);
}

void
td_hosts_add(td_hosts_t *h, const td_verdict_t *v, const td_conn_ends_t *ends)
{
    conn_rec_t rec;

    g_return_if_fail(!h->finished);
    memset(&rec, 0, sizeof(rec));
    rec.client_host = ends->client_host;
    rec.server_host = ends->server_host;
    rec.client_port = ends->client_port;
    rec.server_port = ends->server_port;
    rec.severity = (guint8)v->severity;
    rec.failed = v->severity == TD_STREAM_FAILED;
    rec.probe = td_host_is_probe(v);
    td_host_explain_facts_of(h, v, &rec.why);
    rec.service = row_of(h, TD_ROW_SERVICE, ends->server_host, ends->server_port);
    add_to_row(h, rec.service, v, 1, ends);
    rec.server_row = row_of(h, TD_ROW_HOST, ends->server_host, 0);
    add_to_row(h, rec.server_row, v, 1, ends);
    rec.client_row = row_of(h, TD_ROW_HOST, ends->client_host, 0);
    add_to_row(h, rec.client_row, v, 0, ends);
    if (rec.probe)
        add_probe(h, rec.client_row, ends, rec.failed);
    g_array_append_val(h->conns, rec);
}

/* Rows in order: the worse severity first; among equals, the one with more
 * connections of that severity, then more connections; then services before
 * hosts, by address and port (a total order: every mode lists the same). */
static int
cmp_rows(gconstpointer a, gconstpointer b, gpointer data)
{
    td_hosts_t *h = (td_hosts_t *)data;
    const td_host_row_t *x = row_at(h, *(const guint *)a), *y = row_at(h, *(const guint *)b);

    if (x->severity != y->severity)
        return x->severity < y->severity ? -1 : 1;
    /* a row that says why before the rows that only count */
    if (!x->codes != !y->codes)
        return x->codes ? -1 : 1;
    if (x->by_severity[x->severity] != y->by_severity[y->severity])
        return x->by_severity[x->severity] > y->by_severity[y->severity] ? -1 : 1;
    if (x->conns != y->conns)
        return x->conns > y->conns ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->host != y->host)
        return x->host < y->host ? -1 : 1;
    return x->port < y->port ? -1 : x->port > y->port;
}

void
td_hosts_finish(td_hosts_t *h, double capture_end)
{
    g_return_if_fail(!h->finished);
    h->finished = TRUE;

    /* the scanners first: their probes are listed under them */
    for (guint r = 0; r < h->rows->len; r++) {
        td_host_row_t *row = row_at(h, r);
        if (row->kind == TD_ROW_HOST)
            td_host_check_scanner(h, r, row, (row_ev_t *)g_ptr_array_index(h->ev, r));
    }
    for (guint i = 0; i < h->conns->len; i++) {
        conn_rec_t *c = &g_array_index(h->conns, conn_rec_t, i);
        td_host_row_t *service = row_at(h, c->service);
        td_host_row_t *server = row_at(h, row_of(h, TD_ROW_HOST, c->server_host, 0));
        td_host_row_t *client = row_at(h, c->client_row);

        c->scan = c->probe && g_hash_table_contains(h->scanners, GUINT_TO_POINTER(c->client_host));
        /* a probe counts for its scanner, not against what it probed */
        client->by_severity[c->severity]++;
        if (c->scan) {
            service->scanner_probes++;
            server->scanner_probes++;
            client->scanner_probes++;
            continue;
        }
        service->by_severity[c->severity]++;
        server->by_severity[c->severity]++;
        client->severity = MIN(client->severity, (td_stream_severity_t)c->severity);
        service->severity = MIN(service->severity, (td_stream_severity_t)c->severity);
        server->severity = MIN(server->severity, (td_stream_severity_t)c->severity);
    }
    for (guint r = 0; r < h->rows->len; r++) {
        td_host_row_t *row = row_at(h, r);
        row_ev_t *e = (row_ev_t *)g_ptr_array_index(h->ev, r);

        if (e->irtt->len) {
            row->irtt_median = td_host_median(e->irtt);
            row->irtt_worst = g_array_index(e->irtt, double, e->irtt->len - 1);
        }
        if (row->kind == TD_ROW_SERVICE) {
            td_host_check_time_wait(h, row, e, capture_end);
            td_host_check_close_wait(h, row, e, capture_end);
            td_host_check_accept_queue(h, row, e);
            td_host_check_idle_timeout(h, row, e);
        } else {
            td_host_check_path_loss(h, row, e);
            td_host_check_port_exhaustion(h, row, e);
        }
        /* a service or host that only a scanner's probes reached is listed
         * under the scanner */
        if (row->scanner_probes < row->conns || (row->codes & (1u << TD_HOST_SCANNER))) {
            row->listed = TRUE;
            g_array_append_val(h->order, r);
        }
    }
    td_host_explain_rows(h);
    g_array_sort_with_data(h->order, cmp_rows, h);
    free_evidence(h);
}

guint
td_hosts_rows(const td_hosts_t *h)
{
    return h->order->len;
}

const td_host_row_t *
td_hosts_row(const td_hosts_t *h, guint i)
{
    return i < h->order->len ? row_at((td_hosts_t *)h, g_array_index(h->order, guint, i)) : NULL;
}

void
td_hosts_rows_of(const td_hosts_t *h, const td_conn_ends_t *ends, const td_host_row_t *rows[3])
{
    rows[0] = find_row(h, TD_ROW_SERVICE, ends->server_host, ends->server_port);
    rows[1] = find_row(h, TD_ROW_HOST, ends->server_host, 0);
    rows[2] = find_row(h, TD_ROW_HOST, ends->client_host, 0);
    for (int i = 0; i < 3; i++) {
        if (rows[i] && !rows[i]->listed)
            rows[i] = NULL;
    }
}

