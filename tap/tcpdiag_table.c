/* tcpdiag_table.c
 * Statistics -> TCP Diagnosis and `tshark -z tcpdiag[,filter]`: one row per
 * TCP stream, worst first, modelled on packet-mtp3.c's dynamic rows.
 *
 * Order. Rows sort on (severity, order of appearance): failed connections,
 * then broken ones, stalled, slow, notes, healthy. The two front ends read the
 * table differently (ui/cli/tap-simple_stattable.c and
 * ui/qt/simple_statistics_dialog.cpp in Wireshark 4.0):
 *  - tshark prints the rows once, at the end, in table order. Rows are only
 *    appended while the capture is read (a stream's first matching packet);
 *    their cells are filled and the table sorted once, just before tshark
 *    prints it, by a second tap listener whose draw runs first (epan/tap.c
 *    draws the listeners newest first; it is registered at the first row,
 *    after tshark's own). Nothing is formatted per packet, and sorting is
 *    n log n in the streams, once;
 *  - a Qt dialog binds a tree item to each row index as rows appear, drawing
 *    several times during a long retap, so rows must only ever be appended
 *    there, each filled when it appears (the retap reads analysed frames);
 *    it then sorts on the first column, the severity label, with a stable
 *    sort that keeps the order of appearance among equals.
 *    A dialog holds a reference to the table (stat_tap_table_ui.refcount);
 *    tshark never does, which is how the two are told apart.
 * Either way the rows come out in the same order.
 *
 * Rows outlive a reset while another dialog is open. Every dialog shares the
 * one table, and a dialog's tree items read their rows' cells when it copies,
 * saves or sorts; a second dialog's retap must not free the rows the first
 * one shows. They are retired, and freed once no other dialog is left.
 *
 * Filtered tables. `-z tcpdiag,<filter>` lists the streams with a packet that
 * matches; a row always shows its whole stream, as it is when the table is
 * printed (in a single pass the core's verdicts include what is still
 * pending, so they equal the two-pass ones).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <string.h>

#include <epan/packet.h>
#include <epan/stat_tap_ui.h>
#include <epan/address.h>
#include <epan/to_str.h>

#include "tcpdiag_core.h"
#include "td_capture.h"
#include "tcpdiag_table.h"

enum {
    COL_SEVERITY, COL_STREAM, COL_CLIENT, COL_SERVER, COL_CONN_STATE, COL_HANDSHAKE,
    COL_TEARDOWN, COL_STALLS, COL_STALL_TIME, COL_WORST_STALL, COL_RETRANS, COL_LOST,
    COL_SPURIOUS, COL_REORDERED, COL_IRTT, COL_PACKETS, COL_DIAGNOSIS, COL_CODES, NUM_COLS
};

/* Column names are as wide as tshark prints their values, so that tshark's
 * table lines up under its header (tshark pads the values, not the names). */
static stat_tap_table_item table_fields[NUM_COLS] = {
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Severity ",                    "%-9s" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Stream",                       "%6u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Client               ",        "%-21s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Server               ",        "%-21s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "State ",                       "%-6s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Handshake        ",            "%-17s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Teardown         ",            "%-17s" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Stalls",                       "%6u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "Stall time (ms)",              "%15s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Worst stall                 ", "%-28s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "Retrans c/s",                  "%11s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "Lost c/s (%)     ",            "%17s" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Spurious",                     "%8u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Reordered",                    "%9u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "Initial RTT (ms)",             "%16s" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Packets",                      "%7u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Diagnosis",                    "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Codes",                        "%s" },
};

static const char table_name[] = "TCP Diagnosis";

/* What a row knows besides its cells (kept in its first cell's user_data). */
typedef struct row_info {
    guint32 appearance;             /* rows sort on (severity, appearance) */
    td_stream_severity_t severity;
    const td_glue_stream_t *gs;     /* tshark: the stream, to fill the row before printing */
} row_info_t;

/* The table being filled. One at a time: the stat_tap_table_ui, and so its
 * table, is shared by every user of `tcpdiag`. */
static struct {
    stat_tap_table_ui *ui;
    stat_tap_table *table;
    GArray         *has_row;       /* a bit per tcpdiag stream number: its row exists
                                    * (stream numbers are dense from 0) */
    guint32         appearances;
    gboolean        cli;           /* tshark: fill and sort the rows before it prints */
    gboolean        sorter;        /* the listener that does it is registered */
    GPtrArray      *retired;       /* rows reset while another dialog still shows them */
    guint           cli_tables;    /* -z tcpdiag arguments seen */
} live;

/* The table being filled, if Wireshark still has it (a dialog that closes
 * with no row frees its table without telling us). */
static stat_tap_table *
live_table(void)
{
    if (!live.ui || !live.table || stat_tap_find_table(live.ui, table_name) != live.table)
        return NULL;
    return live.table;
}

static row_info_t *
row_info(stat_tap_table_item_type *row)
{
    return (row_info_t *)row[COL_SEVERITY].user_data.ptr_value;
}

/* Rows in order: lower severity number first, then earlier appearance
 * (unique: the order is total, so an unstable sort gives the same table). */
static int
row_cmp(const void *a, const void *b)
{
    const row_info_t *x = row_info(*(stat_tap_table_item_type *const *)a);
    const row_info_t *y = row_info(*(stat_tap_table_item_type *const *)b);

    if (x->severity != y->severity)
        return x->severity < y->severity ? -1 : 1;
    return x->appearance < y->appearance ? -1 : x->appearance > y->appearance;
}

/* Which streams have a row: a bit each, not a hash entry (about 30 bytes a
 * row less at 300,000 streams). */
static gboolean
row_exists(guint32 index)
{
    return live.has_row && index / 32 < live.has_row->len
           && (g_array_index(live.has_row, guint32, index / 32) >> (index % 32)) & 1;
}

static void
mark_row(guint32 index)
{
    if (!live.has_row)
        live.has_row = g_array_new(FALSE, TRUE, sizeof(guint32));
    if (index / 32 >= live.has_row->len)
        g_array_set_size(live.has_row, MAX(index / 32 + 1, 2 * live.has_row->len));
    g_array_index(live.has_row, guint32, index / 32) |= 1u << (index % 32);
}

static void
forget_rows(void)
{
    if (live.has_row)
        g_array_set_size(live.has_row, 0);
}

static void
table_reset(stat_tap_table *table);
static void
free_retired(void);

static void
table_init(stat_tap_table_ui *ui)
{
    stat_tap_table *table = stat_tap_find_table(ui, table_name);

    if (table) {
        table_reset(table);
    } else {
        table = stat_tap_init_table(table_name, NUM_COLS, 0, "tcp.stream eq %u");
        stat_tap_add_table(ui, table);
    }
    live.ui = ui;
    live.table = table;
    live.cli = ui->refcount == 0;
    if (ui->refcount <= 1)
        free_retired(); /* no other dialog shows them any more */
    live.appearances = 0;
    forget_rows();
}

/* epan/to_str.h's bound for an address as text (4.0 to 4.4 define it there);
 * a TCP stream's endpoints are IPv4 or IPv6 addresses, far shorter. */
#ifndef MAX_ADDR_STR_LEN
#define MAX_ADDR_STR_LEN 256
#endif

static char *
endpoint_str(const td_glue_stream_t *gs, int side)
{
    char addr[MAX_ADDR_STR_LEN];

    address_to_str_buf(&gs->addr[side], addr, sizeof(addr));
    return gs->addr[side].type == AT_IPv6 ? g_strdup_printf("[%s]:%u", addr, gs->port[side])
                                          : g_strdup_printf("%s:%u", addr, gs->port[side]);
}

/* Cells that take few values (a severity, a state, the codes, "-") share
 * one interned copy (g_intern_string) instead of a string per row: about
 * 300 bytes less per row. A cell's string is its own unless interned. */
static void
free_string(const char *value)
{
    GQuark q;

    if (value && !((q = g_quark_try_string(value)) && g_quark_to_string(q) == value))
        g_free((char *)value);
}

static void
set_string(stat_tap_table_item_type *row, guint col, char *value)
{
    free_string(row[col].value.string_value);
    row[col].value.string_value = value;
}

static void
set_shared(stat_tap_table_item_type *row, guint col, const char *value)
{
    free_string(row[col].value.string_value);
    row[col].value.string_value = g_intern_string(value);
}

/* A cell that most rows share (no stall, no retransmission, no loss, no
 * RTT): when `is_common` holds, or the formatted value comes out the same,
 * the interned common value; else the formatted string. Most rows then take
 * no printf (a floating-point one costs about 1,800 instructions; a table of
 * 300,000 rows pays for each). */
static void G_GNUC_PRINTF(5, 6)
set_unless_common(stat_tap_table_item_type *row, guint col, gboolean is_common,
                  const char *common, const char *format, ...)
{
    va_list ap;
    char *value;

    if (!is_common) {
        va_start(ap, format);
        value = g_strdup_vprintf(format, ap);
        va_end(ap);
        if (!g_str_equal(value, common)) {
            set_string(row, col, value);
            return;
        }
        g_free(value);
    }
    set_shared(row, col, common);
}

static wmem_allocator_t *scratch; /* fill_row's temporary strings */

/* Fill a row's cells from its stream, once: tshark's rows just before it
 * prints, a dialog's when they appear (its retap reads analysed frames). */
static void
fill_row(stat_tap_table_item_type *row, const td_glue_stream_t *gs)
{
    const td_verdict_t *v = td_capture_verdict(gs);
    row_info_t *ri = row_info(row);
    /* client's data first, then the server's */
    int client = v->client < 0 ? 0 : v->client;
    const td_dir_facts_t *cd = &v->data.dir[client], *sd = &v->data.dir[1 - client];

    row[COL_PACKETS].value.uint_value = v->packets;
    /* Roles come from the evidence as it stands (a SYN later in the capture
     * names the client), not from the frame that made the row. */
    set_string(row, COL_CLIENT, endpoint_str(gs, client));
    set_string(row, COL_SERVER, endpoint_str(gs, 1 - client));
    ri->severity = v->severity;
    set_shared(row, COL_SEVERITY, td_severity_label(v->severity));
    set_shared(row, COL_CONN_STATE, v->conn_state);
    set_shared(row, COL_HANDSHAKE, td_code_short_name(v->handshake, "ok"));
    set_shared(row, COL_TEARDOWN, td_code_short_name(v->teardown, "none"));
    row[COL_STALLS].value.uint_value = v->stalls.count;
    set_unless_common(row, COL_STALL_TIME, v->stalls.time == 0.0, "0.000", "%.3f",
                      v->stalls.time * 1000.0);
    set_unless_common(row, COL_WORST_STALL, v->stalls.worst == TD_CODE_NONE, "-", "%s %.3f ms",
                      td_code_short_name(v->stalls.worst, ""), v->stalls.worst_time * 1000.0);
    set_unless_common(row, COL_RETRANS, cd->retrans == 0 && sd->retrans == 0, "0/0",
                      "%u/%u", cd->retrans, sd->retrans);
    set_unless_common(row, COL_LOST, cd->lost == 0 && sd->lost == 0, "0.0/0.0", "%.1f/%.1f",
                      cd->segments ? 100.0 * cd->lost / MAX(cd->segments, cd->lost) : 0.0,
                      sd->segments ? 100.0 * sd->lost / MAX(sd->segments, sd->lost) : 0.0);
    row[COL_SPURIOUS].value.uint_value = cd->spurious + sd->spurious;
    row[COL_REORDERED].value.uint_value = cd->reordered + sd->reordered;
    set_unless_common(row, COL_IRTT, v->initial_rtt < 0.0, "-", "%.3f",
                      v->initial_rtt * 1000.0);
    /* The summary's parts (durations, messages) go to a scratch allocator,
     * emptied after each row; the cell keeps a copy of its own. */
    if (!scratch)
        scratch = wmem_allocator_new(WMEM_ALLOCATOR_SIMPLE);
    set_string(row, COL_DIAGNOSIS, g_strdup(td_verdict_summary(scratch, v)));
    wmem_free_all(scratch);
    /* The codes: a few combinations, shared. */
    set_shared(row, COL_CODES, *v->codes_text ? v->codes_text : "-");
}

static stat_tap_table_item_type *
add_row(const td_glue_stream_t *gs)
{
    stat_tap_table_item_type items[NUM_COLS];
    guint n = live.table->num_elements;
    stat_tap_table_item_type *row;
    row_info_t *ri = g_new0(row_info_t, 1);

    memset(items, 0, sizeof(items)); /* string cells: filled by fill_row() */
    for (int c = 0; c < NUM_COLS; c++)
        items[c].type = table_fields[c].type;
    items[COL_STREAM].value.uint_value = gs->core->index;
    ri->appearance = live.appearances++;
    ri->gs = gs;
    items[COL_SEVERITY].user_data.ptr_value = ri;
    stat_tap_init_table_row(live.table, n, NUM_COLS, items);
    row = live.table->elements[n];
    if (!live.cli)
        fill_row(row, gs); /* tshark's rows are filled before it prints */
    mark_row(gs->core->index);
    return row;
}

/* tshark, before it prints the table: every row filled from its stream as
 * it is now (the capture read), then the rows in order. */
static void
sort_draw(void *tapdata _U_)
{
    stat_tap_table *table = live_table();

    if (!live.cli || !table)
        return;
    td_capture_conclude();
    for (guint i = 0; i < table->num_elements; i++)
        fill_row(table->elements[i], row_info(table->elements[i])->gs);
    if (table->num_elements > 1)
        qsort(table->elements, table->num_elements, sizeof(*table->elements), row_cmp);
}

/* A listener with only a draw routine, registered after tshark's own table
 * listener: epan/tap.c puts a new listener first and draws them in that
 * order, so this one runs before tshark prints. It stays for the run (one
 * table per run, see table_filter_check). */
static void
register_sorter(void)
{
    GString *err = register_tap_listener("tcpdiag", &live.sorter, NULL, TL_REQUIRES_NOTHING, NULL,
                                         NULL, sort_draw, NULL);

    if (err) {
        g_string_free(err, TRUE);
        return;
    }
    live.sorter = TRUE;
}

static tap_packet_status
table_packet(void *tapdata _U_, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
             const void *data, tap_flags_t flags _U_)
{
    const td_glue_stream_t *gs = (const td_glue_stream_t *)data;

    if (!live_table() || row_exists(gs->core->index))
        return TAP_PACKET_DONT_REDRAW;
    if (live.cli && !live.sorter)
        register_sorter();
    add_row(gs);
    return TAP_PACKET_REDRAW;
}

static void
free_cell(guint column, stat_tap_table_item_type *field_data)
{
    if (column == COL_SEVERITY)
        g_free(field_data->user_data.ptr_value);
    if (field_data->type == TABLE_ITEM_STRING)
        free_string(field_data->value.string_value);
}

static void
free_row(stat_tap_table_item_type *row, guint num_fields)
{
    for (guint col = 0; col < num_fields; col++)
        free_cell(col, &row[col]);
    g_free(row);
}

static void
free_retired(void)
{
    if (!live.retired)
        return;
    for (guint i = 0; i < live.retired->len; i++)
        free_row((stat_tap_table_item_type *)g_ptr_array_index(live.retired, i), NUM_COLS);
    g_ptr_array_set_size(live.retired, 0);
}

/* Wireshark frees the table (the last dialog closed): forget it, and the
 * rows retired while several dialogs were open. */
static void
table_free_item(stat_tap_table *table, guint row _U_, guint column,
                stat_tap_table_item_type *field_data)
{
    if (table == live.table) {
        live.table = NULL;
        forget_rows();
        free_retired();
    }
    free_cell(column, field_data);
}

/* A re-tap (new file, display filter, Apply) starts from no rows. */
static void
table_reset(stat_tap_table *table)
{
    /* Another dialog may still show these rows (its tree items point at
     * them): keep them until no other dialog is left. */
    gboolean shared = live.ui && live.ui->refcount > 1;

    if (!shared)
        free_retired();
    for (guint row = 0; row < table->num_elements; row++) {
        if (shared) {
            if (!live.retired)
                live.retired = g_ptr_array_new();
            g_ptr_array_add(live.retired, table->elements[row]);
        } else {
            free_row(table->elements[row], table->num_fields);
        }
    }
    g_free(table->elements);
    table->elements = NULL;
    table->num_elements = 0;
    if (table == live.table) {
        live.appearances = 0;
        forget_rows();
    }
}

/* tshark: one table per run. Every `-z tcpdiag` shares the one table, so a
 * second one would mix its streams into the first. */
static void
table_filter_check(const char *opt_arg _U_, const char **filter _U_, char **err)
{
    if (++live.cli_tables > 1)
        *err = g_strdup("tcpdiag: give -z tcpdiag once per run (every -z tcpdiag fills the same "
                        "table); join filters with ||, or run tshark once per filter");
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
        table_filter_check,
        G_N_ELEMENTS(table_fields), table_fields,
        G_N_ELEMENTS(params), params,
        NULL,
        0
    };

    register_stat_tap_table_ui(&table_ui);
}
