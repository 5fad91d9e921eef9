/* td_host_explain.c
 * Which host finding explains a stream (td_host_explain.h): for the streams
 * table's Diagnosis, and for the rows without a finding of their own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "hosts/td_host_explain.h"
#include "hosts/td_host_evidence.h"

/* The silence before the RST that ended v, or < 0: the RST itself after a
 * silence (a timer that fires), or the first packet after one (state lost
 * at the timer, the next packet reset). */
double
td_host_reset_silence(const td_verdict_t *v, double shortest)
{
    const td_teardown_part_t *t = &v->teardown_part;

    if (t->reset_side < 0)
        return -1.0;
    if (t->reset_idle >= shortest)
        return t->reset_idle;
    if (t->reset_quiet >= shortest)
        return t->reset_quiet;
    return -1.0;
}

/* A probe: the client sent no data, and either no connection was made or
 * it was ended at once (a connect scan's RST). */
gboolean
td_host_is_probe(const td_verdict_t *v)
{
    int c = v->client < 0 ? 0 : v->client;

    return v->data.dir[c].segments == 0
           && (v->severity == TD_STREAM_FAILED
               || (v->teardown_part.reset_side >= 0 && !v->data.dir[1 - c].segments));
}

/* What a stream's verdict says that a host finding may explain. */
void
td_host_explain_facts_of(const td_hosts_t *h, const td_verdict_t *v, explain_facts_t *why)
{
    const td_teardown_part_t *t = &v->teardown_part;
    int c = v->client < 0 ? 0 : v->client;
    gboolean loss = (v->data_codes & TD_CODE_BIT(TD_DT_LOSS)) != 0;

    why->hs_dropped = (v->codes & (TD_CODE_BIT(TD_HS_ACK_LOST) | TD_CODE_BIT(TD_HS_SYN_RETRANSMITTED)
                                   | TD_CODE_BIT(TD_HS_SYN_UNANSWERED))) != 0;
    why->client_closing = t->closing_side == c;
    why->port_reuse = (v->codes & TD_CODE_BIT(TD_HS_PORT_REUSE)) != 0;
    why->lost[0] = loss && v->data.dir[c].lost;
    why->lost[1] = loss && v->data.dir[1 - c].lost;
    why->silence = td_host_reset_silence(v, h->cfg.idle_reset);
}

/* The host finding that explains a connection (of these rows, NULL where
 * not listed), and its row; or TD_HOST_CODE_COUNT. */
static td_host_code_t
explain(const explain_facts_t *why, gboolean probe, const td_host_row_t *service,
        const td_host_row_t *server, const td_host_row_t *client, const td_host_row_t **row)
{
    *row = NULL;
#define EXPLAINS(r, code) ((r) && ((r)->codes & (1u << (code))) && (*row = (r)) != NULL)
    /* a scanner's probe */
    if (probe && EXPLAINS(client, TD_HOST_SCANNER))
        return TD_HOST_SCANNER;
    /* a handshake "lost" to a full accept queue */
    if (why->hs_dropped && EXPLAINS(service, TD_HOST_ACCEPT_QUEUE))
        return TD_HOST_ACCEPT_QUEUE;
    if (why->client_closing && EXPLAINS(service, TD_HOST_CLOSE_WAIT))
        return TD_HOST_CLOSE_WAIT;
    if (why->silence >= 0.0 && EXPLAINS(service, TD_HOST_IDLE_TIMEOUT)) {
        const td_host_finding_t *f = &service->findings[TD_HOST_IDLE_TIMEOUT];
        if (why->silence >= f->low && why->silence <= f->high)
            return TD_HOST_IDLE_TIMEOUT;
        *row = NULL;
    }
    if (why->port_reuse && EXPLAINS(client, TD_HOST_PORT_EXHAUSTION))
        return TD_HOST_PORT_EXHAUSTION;
    /* loss the way the host's finding is about: lost[0] is what the client
     * sent, so the server's "from the host" (dir 0) is lost[1] */
    if (EXPLAINS(server, TD_HOST_PATH_LOSS)
        && why->lost[server->findings[TD_HOST_PATH_LOSS].dir == 0 ? 1 : 0])
        return TD_HOST_PATH_LOSS;
    *row = NULL;
    if (EXPLAINS(client, TD_HOST_PATH_LOSS)
        && why->lost[client->findings[TD_HOST_PATH_LOSS].dir == 0 ? 0 : 1])
        return TD_HOST_PATH_LOSS;
    /* (a server's TIME_WAITs explain no stream: each closed well) */
#undef EXPLAINS
    *row = NULL;
    return TD_HOST_CODE_COUNT;
}

td_host_code_t
td_hosts_explain(const td_hosts_t *h, const td_verdict_t *v, const td_conn_ends_t *ends,
                 const td_host_row_t **row)
{
    const td_host_row_t *service = find_row(h, TD_ROW_SERVICE, ends->server_host, ends->server_port);
    const td_host_row_t *server = find_row(h, TD_ROW_HOST, ends->server_host, 0);
    const td_host_row_t *client = find_row(h, TD_ROW_HOST, ends->client_host, 0);
    explain_facts_t why;

    td_host_explain_facts_of(h, v, &why);
    return explain(&why, td_host_is_probe(v), service, server, client, row);
}

/* A row without a finding of its own: the finding of another row (its
 * service's, its server's, its client's) that explains most of its
 * connections, so that its words point there. */
void
td_host_explain_rows(td_hosts_t *h)
{
    for (guint i = 0; i < h->conns->len; i++) {
        const conn_rec_t *c = &g_array_index(h->conns, conn_rec_t, i);
        const guint32 mine[3] = { c->service, c->server_row, c->client_row };
        const td_host_row_t *by;
        td_host_code_t code;

        if (c->scan)
            continue;
        code = explain(&c->why, c->probe, row_at(h, c->service), row_at(h, c->server_row),
                       row_at(h, c->client_row), &by);
        if (code == TD_HOST_CODE_COUNT)
            continue;
        for (int k = 0; k < 3; k++) {
            row_ev_t *e = (row_ev_t *)g_ptr_array_index(h->ev, mine[k]);
            gpointer key = GUINT_TO_POINTER(by->id * TD_HOST_CODE_COUNT + code);

            if (row_at(h, mine[k])->codes || (k == 2 && mine[2] == mine[1]))
                continue;
            if (!e->explainers)
                e->explainers = g_hash_table_new(g_direct_hash, g_direct_equal);
            g_hash_table_insert(e->explainers, key,
                                GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(e->explainers,
                                                                                      key)) + 1));
        }
    }
    for (guint r = 0; r < h->rows->len; r++) {
        row_ev_t *e = (row_ev_t *)g_ptr_array_index(h->ev, r);
        td_host_row_t *row = row_at(h, r);
        GHashTableIter it;
        gpointer key, count;
        guint best = 0, best_key = 0;

        if (!e->explainers)
            continue;
        /* the most connections, then the lowest key: the same choice
         * whatever the table's order */
        g_hash_table_iter_init(&it, e->explainers);
        while (g_hash_table_iter_next(&it, &key, &count)) {
            if (GPOINTER_TO_UINT(count) > best
                || (GPOINTER_TO_UINT(count) == best && GPOINTER_TO_UINT(key) < best_key)) {
                best = GPOINTER_TO_UINT(count);
                best_key = GPOINTER_TO_UINT(key);
            }
        }
        {
            const td_host_row_t *by = row_at(h, best_key / TD_HOST_CODE_COUNT);
            row->explained = best;
            row->explained_code = (td_host_code_t)(best_key % TD_HOST_CODE_COUNT);
            row->explained_kind = by->kind;
            row->explained_host = by->host;
            row->explained_port = by->port;
        }
    }
}

