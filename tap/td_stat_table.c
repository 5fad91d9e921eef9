/* td_stat_table.c
 * What tcpdiag's statistics tables share (td_stat_table.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "td_stat_table.h"
#include "td_gui.h"

/* What a row knows besides its cells (kept in its first cell's user_data). */
typedef struct row_info {
    guint32       appearance;   /* rows sort on (severity, appearance) */
    int           severity;
    gconstpointer what;         /* what it shows, to fill it before tshark prints */
} row_info_t;

static row_info_t *
row_info(stat_tap_table_item_type *row)
{
    return (row_info_t *)row[0].user_data.ptr_value;
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

/* The table being filled, if Wireshark still has it (a dialog that closes
 * with no row frees its table without telling us). */
static stat_tap_table *
live_table(const td_stat_table_t *t)
{
    if (!t->ui || !t->table || stat_tap_find_table(t->ui, t->kind->title) != t->table)
        return NULL;
    return t->table;
}

/* Which rows exist: a bit each, not a hash entry (about 30 bytes a row less
 * at 300,000 streams). */
gboolean
td_stat_table_has(const td_stat_table_t *t, guint32 key)
{
    return t->has_row && key / 32 < t->has_row->len
           && (g_array_index(t->has_row, guint32, key / 32) >> (key % 32)) & 1;
}

static void
mark_row(td_stat_table_t *t, guint32 key)
{
    if (!t->has_row)
        t->has_row = g_array_new(FALSE, TRUE, sizeof(guint32));
    if (key / 32 >= t->has_row->len)
        g_array_set_size(t->has_row, MAX(key / 32 + 1, 2 * t->has_row->len));
    g_array_index(t->has_row, guint32, key / 32) |= 1u << (key % 32);
}

static void
forget_rows(td_stat_table_t *t)
{
    if (t->has_row)
        g_array_set_size(t->has_row, 0);
    t->appearances = 0;
    if (t->kind->reset)
        t->kind->reset(t);
}

gboolean
td_stat_table_fills_at_once(const td_stat_table_t *t)
{
    return !t->cli;
}

/* Interned strings are shared, any other a cell's own. */
static void
free_string(const char *value)
{
    GQuark q;

    if (value && !((q = g_quark_try_string(value)) && g_quark_to_string(q) == value))
        g_free((char *)value);
}

void
td_stat_table_set_string(stat_tap_table_item_type *row, guint col, char *value)
{
    free_string(row[col].value.string_value);
    row[col].value.string_value = value;
}

void
td_stat_table_set_shared(stat_tap_table_item_type *row, guint col, const char *value)
{
    free_string(row[col].value.string_value);
    row[col].value.string_value = g_intern_string(value);
}

void
td_stat_table_set_unless_common(stat_tap_table_item_type *row, guint col, gboolean is_common,
                                const char *common, const char *format, ...)
{
    va_list ap;
    char *value;

    if (!is_common) {
        va_start(ap, format);
        value = g_strdup_vprintf(format, ap);
        va_end(ap);
        if (!g_str_equal(value, common)) {
            td_stat_table_set_string(row, col, value);
            return;
        }
        g_free(value);
    }
    td_stat_table_set_shared(row, col, common);
}

void
td_stat_table_pad_column(td_stat_table_t *t, guint col)
{
    /* the headers made here, one per table and column, kept for the run */
    static GHashTable *headers;
    const char *name = t->kind->fields[col].column_name;
    guint width = (guint)strlen(name);
    char *header;

    for (guint i = 0; i < t->table->num_elements; i++) {
        const char *cell = t->table->elements[i][col].value.string_value;
        width = MAX(width, cell ? (guint)strlen(cell) : 0);
    }
    for (guint i = 0; i < t->table->num_elements; i++) {
        stat_tap_table_item_type *row = t->table->elements[i];
        const char *cell = row[col].value.string_value;
        td_stat_table_set_string(row, col, g_strdup_printf("%-*s", (int)width, cell ? cell : ""));
    }
    if (!headers)
        headers = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    {
        /* the name without its padding, padded anew */
        char *bare = g_strstrip(g_strdup(name));
        header = g_strdup_printf("%-*s", (int)width, bare);
        g_free(bare);
    }
    t->kind->fields[col].column_name = header;
    g_hash_table_replace(headers, &t->kind->fields[col], header);
}

static void
fill(td_stat_table_t *t, stat_tap_table_item_type *row)
{
    row_info_t *ri = row_info(row);

    ri->severity = t->kind->fill(t, row, ri->what);
}

/* tshark, before it prints the table: every row filled as it is now (the
 * capture read), then the rows in order. The listener's data is the table's
 * state. */
static void
sort_draw(void *tapdata)
{
    td_stat_table_t *t = *(td_stat_table_t **)tapdata;
    stat_tap_table *table = live_table(t);

    if (!t->cli || !table)
        return;
    td_capture_conclude();
    if (t->kind->prepare)
        t->kind->prepare(t);
    for (guint i = 0; i < table->num_elements; i++)
        fill(t, table->elements[i]);
    if (table->num_elements > 1)
        qsort(table->elements, table->num_elements, sizeof(*table->elements), row_cmp);
    if (t->kind->finish)
        t->kind->finish(t);
}

/* A listener with only a draw routine, registered after tshark's own table
 * listener: epan/tap.c puts a new listener first and draws them in that
 * order, so this one runs before tshark prints. It stays for the run (one
 * table per run, see td_stat_table_filter_check). */
static void
register_sorter(td_stat_table_t *t)
{
    /* the listener's data: a pointer to the state, unique per table */
    static td_stat_table_t *states[8];
    static guint nstates;
    GString *err;

    if (nstates >= G_N_ELEMENTS(states))
        return;
    states[nstates] = t;
    err = register_tap_listener("tcpdiag", &states[nstates], NULL, TL_REQUIRES_NOTHING, NULL,
                                NULL, sort_draw, NULL);
    if (err) {
        g_string_free(err, TRUE);
        return;
    }
    nstates++;
    t->sorter = TRUE;
}

void
td_stat_table_add(td_stat_table_t *t, guint32 key, gconstpointer what)
{
    stat_tap_table_item_type *items = g_new0(stat_tap_table_item_type, t->kind->ncols);
    guint n = t->table->num_elements;
    row_info_t *ri = g_new0(row_info_t, 1);

    /* string cells: filled by the kind's fill() */
    for (guint c = 0; c < t->kind->ncols; c++)
        items[c].type = t->kind->fields[c].type;
    ri->appearance = t->appearances++;
    ri->what = what;
    items[0].user_data.ptr_value = ri;
    stat_tap_init_table_row(t->table, n, t->kind->ncols, items);
    g_free(items);
    if (!t->cli)
        fill(t, t->table->elements[n]); /* tshark's rows are filled before it prints */
    mark_row(t, key);
}

static void
free_cell(guint column, stat_tap_table_item_type *field_data)
{
    if (column == 0)
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
free_retired(td_stat_table_t *t)
{
    if (!t->retired)
        return;
    for (guint i = 0; i < t->retired->len; i++)
        free_row((stat_tap_table_item_type *)g_ptr_array_index(t->retired, i), t->kind->ncols);
    g_ptr_array_set_size(t->retired, 0);
}

void
td_stat_table_init(td_stat_table_t *t, stat_tap_table_ui *ui)
{
    stat_tap_table *table = stat_tap_find_table(ui, t->kind->title);

    if (table) {
        td_stat_table_reset(t, table);
    } else {
        table = stat_tap_init_table(t->kind->title, t->kind->ncols, 0, t->kind->filter_template);
        stat_tap_add_table(ui, table);
    }
    t->ui = ui;
    t->table = table;
    t->cli = ui->refcount == 0;
    if (!t->cli)
        td_gui_keep_filter_bar(); /* the dialog has just overwritten it */
    if (ui->refcount <= 1)
        free_retired(t); /* no other dialog shows them any more */
    forget_rows(t);
}

tap_packet_status
td_stat_table_packet(td_stat_table_t *t, packet_info *pinfo, const void *data)
{
    guint32 before;

    if (!live_table(t))
        return TAP_PACKET_DONT_REDRAW;
    /* tshark fills the rows before it prints (sort_draw), registered at
     * the first packet: after tshark's own listener */
    if (t->cli && !t->sorter)
        register_sorter(t);
    before = t->table->num_elements;
    t->kind->packet(t, pinfo, (const td_glue_stream_t *)data);
    return t->table->num_elements != before ? TAP_PACKET_REDRAW : TAP_PACKET_DONT_REDRAW;
}

/* Wireshark frees the table (the last dialog closed): forget it, and the
 * rows retired while several dialogs were open. */
void
td_stat_table_free_item(td_stat_table_t *t, stat_tap_table *table, guint column,
                        stat_tap_table_item_type *field_data)
{
    if (table == t->table) {
        t->table = NULL;
        forget_rows(t);
        free_retired(t);
    }
    free_cell(column, field_data);
}

/* A re-tap (new file, display filter, Apply) starts from no rows. */
void
td_stat_table_reset(td_stat_table_t *t, stat_tap_table *table)
{
    /* Another dialog may still show these rows (its tree items point at
     * them): keep them until no other dialog is left. */
    gboolean shared = t->ui && t->ui->refcount > 1;

    if (!shared)
        free_retired(t);
    for (guint row = 0; row < table->num_elements; row++) {
        if (shared) {
            if (!t->retired)
                t->retired = g_ptr_array_new();
            g_ptr_array_add(t->retired, table->elements[row]);
        } else {
            free_row(table->elements[row], table->num_fields);
        }
    }
    g_free(table->elements);
    table->elements = NULL;
    table->num_elements = 0;
    if (table == t->table)
        forget_rows(t);
}

/* tshark: one table per run. Every -z argument of a table shares the one
 * table, so a second one would mix its rows into the first. */
void
td_stat_table_filter_check(td_stat_table_t *t, const char *opt_arg _U_, const char **filter _U_,
                           char **err)
{
    if (++t->cli_tables > 1)
        *err = g_strdup_printf("tcpdiag: give -z %s once per run (every -z %s fills the same "
                               "table); join filters with ||, or run tshark once per filter",
                               t->kind->cli_name, t->kind->cli_name);
}
