/* tcpdiag_table.c
 * Statistics -> TCP Diagnosis and `tshark -z tcpdiag[,filter]`: one row per
 * TCP stream with its verdicts, modelled on packet-mtp3.c's dynamic rows.
 *
 * The tap sees every TCP frame of a stream. A row's verdict cells are
 * rewritten only when the stream's verdict changed since the row was last
 * written, so a long stream costs a counter increment per frame.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>
#include <epan/stat_tap_ui.h>
#include <epan/address.h>
#include <epan/to_str.h>

#include "tcpdiag_core.h"
#include "td_capture.h"
#include "tcpdiag_table.h"

enum {
    COL_STREAM, COL_CLIENT, COL_SERVER, COL_CONN_STATE, COL_HANDSHAKE, COL_TEARDOWN,
    COL_STALLS, COL_STALL_TIME, COL_WORST_STALL, COL_IRTT,
    COL_PACKETS, COL_DIAGNOSIS, COL_DIAGNOSES, NUM_COLS
};

static stat_tap_table_item table_fields[NUM_COLS] = {
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Stream",           "%u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Client",           "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Server",           "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "State",            "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Handshake",        "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Teardown",         "%s" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Stalls",           "%u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "Stall time (ms)",  "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Worst stall",      "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "Initial RTT (ms)", "%s" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Packets",          "%u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Diagnosis",        "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Codes",            "%s" },
};

static const char table_name[] = "TCP Diagnosis";

/* tcp.stream index -> row + 1, for the table being filled. */
static GHashTable *row_of_stream;

/* What a row's verdict cells were computed from; rewritten when it changes. */
typedef struct row_signature {
    const char *conn_state;
    guint32     codes;
    gboolean    has_rtt;
    guint32     stalls;
    double      stall_time;
} row_signature_t;

static void
table_init(stat_tap_table_ui *ui)
{
    stat_tap_table *table = stat_tap_find_table(ui, table_name);

    if (table) {
        if (ui->stat_tap_reset_table_cb)
            ui->stat_tap_reset_table_cb(table);
        return;
    }
    table = stat_tap_init_table(table_name, NUM_COLS, 0, "tcp.stream eq %u");
    stat_tap_add_table(ui, table);
    if (!row_of_stream)
        row_of_stream = g_hash_table_new(g_direct_hash, g_direct_equal);
}

static char *
endpoint_str(const td_glue_stream_t *gs, int side)
{
    char *addr = address_to_str(NULL, &gs->addr[side]);
    char *s = gs->addr[side].type == AT_IPv6 ? g_strdup_printf("[%s]:%u", addr, gs->port[side])
                                             : g_strdup_printf("%s:%u", addr, gs->port[side]);
    wmem_free(NULL, addr);
    return s;
}

static void
set_string(stat_tap_table *table, guint row, guint col, char *value)
{
    stat_tap_table_item_type *item = stat_tap_get_field_data(table, row, col);

    g_free((char *)item->value.string_value);
    item->value.string_value = value;
    stat_tap_set_field_data(table, row, col, item);
}

static guint
add_row(stat_tap_table *table, const td_glue_stream_t *gs)
{
    stat_tap_table_item_type items[NUM_COLS];
    guint row = table->num_elements;
    int client = gs->core->client < 0 ? 0 : gs->core->client;

    memset(items, 0, sizeof(items));
    for (int c = 0; c < NUM_COLS; c++)
        items[c].type = table_fields[c].type;
    items[COL_STREAM].value.uint_value = gs->core->index;
    items[COL_CLIENT].value.string_value = endpoint_str(gs, client);
    items[COL_SERVER].value.string_value = endpoint_str(gs, 1 - client);
    for (int c = COL_CONN_STATE; c < NUM_COLS; c++) {
        if (items[c].type == TABLE_ITEM_STRING)
            items[c].value.string_value = g_strdup("");
    }
    items[COL_STREAM].user_data.ptr_value = g_new0(row_signature_t, 1);
    stat_tap_init_table_row(table, row, NUM_COLS, items);
    g_hash_table_insert(row_of_stream, GUINT_TO_POINTER(gs->core->index), GUINT_TO_POINTER(row + 1));
    return row;
}

static void
refresh_verdicts(stat_tap_table *table, guint row, const td_tap_data_t *td)
{
    const td_stream_t *s = td->stream->core;
    stat_tap_table_item_type *first = stat_tap_get_field_data(table, row, COL_STREAM);
    row_signature_t *sig = (row_signature_t *)first->user_data.ptr_value;
    const char *conn_state = td->final ? td->stream->conn_state : td_stream_conn_state(s);
    guint32 codes = td_stream_codes(s);
    gboolean has_rtt = s->initial_rtt >= 0.0;
    td_code_t hs, worst, worst_stall;
    guint32 stalls;
    double stall_time, worst_time;
    stat_tap_table_item_type *item;
    char *diagnoses;

    td_stream_stalls(s, &stalls, &stall_time, &worst_stall, &worst_time);
    if (sig->conn_state == conn_state && sig->codes == codes && sig->has_rtt == has_rtt
        && sig->stalls == stalls && sig->stall_time == stall_time)
        return;
    sig->conn_state = conn_state;
    sig->codes = codes;
    sig->has_rtt = has_rtt;
    sig->stalls = stalls;
    sig->stall_time = stall_time;

    item = stat_tap_get_field_data(table, row, COL_STALLS);
    item->value.uint_value = stalls;
    stat_tap_set_field_data(table, row, COL_STALLS, item);
    set_string(table, row, COL_STALL_TIME, g_strdup_printf("%.3f", stall_time * 1000.0));
    set_string(table, row, COL_WORST_STALL, worst_stall == TD_CODE_NONE ? g_strdup("-")
               : g_strdup_printf("%s %.3f ms", td_code_short_name(worst_stall, ""),
                                 worst_time * 1000.0));

    hs = td_stream_handshake(s);
    worst = td_stream_teardown(s);
    set_string(table, row, COL_CONN_STATE, g_strdup(conn_state));
    set_string(table, row, COL_HANDSHAKE, g_strdup(td_code_short_name(hs, "ok")));
    set_string(table, row, COL_TEARDOWN, g_strdup(td_code_short_name(worst, "none")));
    set_string(table, row, COL_IRTT, has_rtt ? g_strdup_printf("%.3f", s->initial_rtt * 1000.0)
                                             : g_strdup("-"));
    /* The worst finding in plain words: a handshake problem first (the
     * connection failed or started late), then a teardown problem, then the
     * longest stall. */
    if (hs == TD_CODE_NONE || td_code_info(hs)->severity < TD_SEV_WARN) {
        if (worst != TD_CODE_NONE && td_code_info(worst)->severity == TD_SEV_WARN)
            hs = worst;
        else if (worst_stall != TD_CODE_NONE)
            hs = worst_stall;
    }
    set_string(table, row, COL_DIAGNOSIS,
               g_strdup(hs == TD_CODE_NONE || td_code_info(hs)->severity == TD_SEV_CHAT
                        ? "Healthy" : td_code_info(hs)->title));
    diagnoses = td_stream_diagnoses(NULL, s);
    set_string(table, row, COL_DIAGNOSES, g_strdup(diagnoses));
    wmem_free(NULL, diagnoses);
}

static tap_packet_status
table_packet(void *tapdata, packet_info *pinfo _U_, epan_dissect_t *edt _U_, const void *data,
             tap_flags_t flags _U_)
{
    stat_data_t *stat_data = (stat_data_t *)tapdata;
    const td_tap_data_t *td = (const td_tap_data_t *)data;
    stat_tap_table *table = g_array_index(stat_data->stat_tap_data->tables, stat_tap_table *, 0);
    stat_tap_table_item_type *item;
    guint row;

    row = GPOINTER_TO_UINT(g_hash_table_lookup(row_of_stream, GUINT_TO_POINTER(td->stream->core->index)));
    row = row ? row - 1 : add_row(table, td->stream);

    item = stat_tap_get_field_data(table, row, COL_PACKETS);
    item->value.uint_value++;
    stat_tap_set_field_data(table, row, COL_PACKETS, item);
    refresh_verdicts(table, row, td);
    return TAP_PACKET_REDRAW;
}

static void
table_free_item(stat_tap_table *table _U_, guint row _U_, guint column,
                stat_tap_table_item_type *field_data)
{
    if (column == COL_STREAM)
        g_free(field_data->user_data.ptr_value);
    else if (field_data->type == TABLE_ITEM_STRING)
        g_free((char *)field_data->value.string_value);
}

/* A re-tap (new file, display filter change) starts from no rows. */
static void
table_reset(stat_tap_table *table)
{
    for (guint row = 0; row < table->num_elements; row++) {
        for (guint col = 0; col < table->num_fields; col++)
            table_free_item(table, row, col, &table->elements[row][col]);
        g_free(table->elements[row]);
    }
    g_free(table->elements);
    table->elements = NULL;
    table->num_elements = 0;
    if (row_of_stream)
        g_hash_table_remove_all(row_of_stream);
}

void
tcpdiag_table_register(void)
{
    static tap_param params[] = {
        { PARAM_FILTER, "filter", "Filter", NULL, TRUE }
    };
    static stat_tap_table_ui table_ui = {
        REGISTER_PACKET_STAT_GROUP_UNSORTED,
        table_name,
        "tcpdiag",
        "tcpdiag",
        table_init,
        table_packet,
        table_reset,
        table_free_item,
        NULL,
        G_N_ELEMENTS(table_fields), table_fields,
        G_N_ELEMENTS(params), params,
        NULL,
        0
    };

    register_stat_tap_table_ui(&table_ui);
}
