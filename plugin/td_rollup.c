/* td_rollup.c
 * The capture-wide rollup for the glue (td_rollup.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/address.h>
#include <epan/to_str.h>

#include "td_rollup.h"

static td_hosts_config_t config;
static td_hosts_t *hosts;          /* the rollup, or NULL */
static guint32     hosts_frames;   /* ... made when this many frames were analysed */
static double      hosts_end;      /* ... and the capture ended here */
static GHashTable *ids;            /* address (its own copy) -> number */
static GPtrArray  *names;          /* number - 1 -> its text */

td_hosts_config_t *
td_rollup_config(void)
{
    static gboolean initialized;

    if (!initialized) {
        td_hosts_config_default(&config);
        initialized = TRUE;
    }
    return &config;
}

static guint
address_hash(gconstpointer k)
{
    return add_address_to_hash(0, (const address *)k);
}

static gboolean
address_equal(gconstpointer a, gconstpointer b)
{
    return addresses_equal((const address *)a, (const address *)b);
}

static void
address_free(gpointer p)
{
    address *a = (address *)p;

    free_address(a);
    g_free(a);
}

/* The number of an address: from 1, in the order the rollup meets them. */
static guint32
host_id(const address *addr)
{
    gpointer found;
    address *copy;

    if (!ids) {
        ids = g_hash_table_new_full(address_hash, address_equal, address_free, NULL);
        names = g_ptr_array_new_with_free_func(g_free);
    }
    if ((found = g_hash_table_lookup(ids, addr)) != NULL)
        return GPOINTER_TO_UINT(found);
    copy = g_new0(address, 1);
    copy_address(copy, addr);
    g_ptr_array_add(names, address_to_str(NULL, addr));
    g_hash_table_insert(ids, copy, GUINT_TO_POINTER(names->len));
    return names->len;
}

const char *
td_rollup_host_name(guint32 host, void *unused _U_)
{
    return names && host >= 1 && host <= names->len ? (const char *)g_ptr_array_index(names, host - 1)
                                                    : "?";
}

void
td_rollup_ends(const td_glue_stream_t *gs, const td_verdict_t *v, td_conn_ends_t *ends)
{
    int c = v->client < 0 ? 0 : v->client;

    ends->client_host = host_id(&gs->addr[c]);
    ends->server_host = host_id(&gs->addr[1 - c]);
    ends->client_port = (guint16)gs->port[c];
    ends->server_port = (guint16)gs->port[1 - c];
}

static void
add_stream(td_glue_stream_t *gs, void *data _U_)
{
    td_conn_ends_t ends;
    const td_verdict_t *v = td_capture_verdict(gs);

    td_rollup_ends(gs, v, &ends);
    td_hosts_add(hosts, v, &ends);
}

const td_hosts_t *
td_rollup(void)
{
    if (hosts && hosts_frames == td_capture_frames_read() && hosts_end == td_capture_end())
        return hosts;
    td_hosts_free(hosts);
    /* what needs the whole capture first (a refusing RST's TTL), as the
     * streams table does */
    td_capture_conclude();
    hosts = td_hosts_new(td_rollup_config());
    td_capture_foreach_stream(add_stream, NULL);
    td_hosts_finish(hosts, td_capture_end());
    hosts_frames = td_capture_frames_read();
    hosts_end = td_capture_end();
    return hosts;
}

void
td_rollup_forget(void)
{
    td_hosts_free(hosts);
    hosts = NULL;
}

void
td_rollup_cleanup(void)
{
    td_hosts_free(hosts);
    hosts = NULL;
    if (ids) {
        g_hash_table_destroy(ids);
        g_ptr_array_free(names, TRUE);
        ids = NULL;
        names = NULL;
    }
}
