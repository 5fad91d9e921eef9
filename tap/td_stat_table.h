/* td_stat_table.h
 * What tcpdiag's statistics tables share (Statistics -> TCP Diagnosis, TCP
 * Diagnosis by Host; `tshark -z tcpdiag...`): rows that appear as their
 * first matching packet comes, are filled once, and sort worst first.
 *
 * Order. Rows sort on (severity, order of appearance). The two front ends
 * read a table differently (ui/cli/tap-simple_stattable.c and
 * ui/qt/simple_statistics_dialog.cpp in Wireshark 4.0):
 *  - tshark prints the rows once, at the end, in table order. Rows are only
 *    appended while the capture is read; their cells are filled and the
 *    table sorted once, just before tshark prints it, by a second tap
 *    listener whose draw runs first (epan/tap.c draws the listeners newest
 *    first; it is registered at the first row, after tshark's own). Nothing
 *    is formatted per packet, and sorting is n log n in the rows, once;
 *  - a Qt dialog binds a tree item to each row index as rows appear, drawing
 *    several times during a long retap, so rows must only ever be appended
 *    there, each filled when it appears (the retap reads analysed frames);
 *    it then sorts on the first column, the severity label, with a stable
 *    sort that keeps the order of appearance among equals.
 *    A dialog holds a reference to the table (stat_tap_table_ui.refcount);
 *    tshark never does, which is how the two are told apart.
 * Either way the rows come out in the same order.
 *
 * Rows outlive a reset while another dialog is open. Every dialog of a
 * table shares it, and a dialog's tree items read their rows' cells when it
 * copies, saves or sorts; a second dialog's retap must not free the rows the
 * first one shows. They are retired, and freed once no other dialog is left.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_STAT_TABLE_H
#define TD_STAT_TABLE_H

#include <epan/packet.h>
#include <epan/stat_tap_ui.h>

#include "td_capture.h"

typedef struct td_stat_table td_stat_table_t;

/* What one kind of table is: its columns and its rows. */
typedef struct td_stat_table_kind {
    const char *title;              /* the table's (a dialog's title, tshark's heading) */
    const char *cli_name;           /* its -z name, for messages */
    guint ncols;
    stat_tap_table_item *fields;
    const char *filter_template;    /* stat_tap_init_table()'s */
    /* A packet of stream gs matched the table's filter: the rows it brings
     * (td_stat_table_add for each new one). */
    void (*packet)(td_stat_table_t *t, const packet_info *pinfo, const td_glue_stream_t *gs);
    /* tshark, before the rows are filled: rows the first pass could not
     * make yet (NULL: none). */
    void (*prepare)(td_stat_table_t *t);
    /* Fill a row's cells, once, from what it shows; returns its severity
     * (td_stream_severity_t). Cells are empty (0, NULL) before. */
    int (*fill)(td_stat_table_t *t, stat_tap_table_item_type *row, gconstpointer what);
    /* tshark, once its rows are filled and in order (NULL: nothing). */
    void (*finish)(td_stat_table_t *t);
    /* A re-tap starts: the kind's own state (NULL: none). */
    void (*reset)(td_stat_table_t *t);
} td_stat_table_kind_t;

struct td_stat_table {
    const td_stat_table_kind_t *kind;
    stat_tap_table_ui *ui;
    stat_tap_table *table;
    GArray     *has_row;   /* a bit per row key: the row exists (keys are dense from 0) */
    guint32     appearances;
    gboolean    cli;       /* tshark: fill and sort the rows before it prints */
    gboolean    sorter;    /* the listener that does it is registered */
    GPtrArray  *retired;   /* rows reset while another dialog still shows them */
    guint       cli_tables; /* -z arguments seen for this table */
    gpointer    kind_data; /* the kind's own */
};

/* Whether the row of key exists; add it (it shows what): tshark's rows are
 * filled before it prints, a dialog's at once. */
gboolean td_stat_table_has(const td_stat_table_t *t, guint32 key);
void td_stat_table_add(td_stat_table_t *t, guint32 key, gconstpointer what);

/* tshark: a column's cells padded to its longest, its header too, so that
 * the columns after a column of free text line up in tshark's table. */
void td_stat_table_pad_column(td_stat_table_t *t, guint col);

/* Whether the rows are filled when they appear (a dialog) rather than
 * before tshark prints. */
gboolean td_stat_table_fills_at_once(const td_stat_table_t *t);

/* Cells. Strings are the row's own, or one interned copy when few values
 * recur (a severity, a state, "-"): about 300 bytes less per row. */
void td_stat_table_set_string(stat_tap_table_item_type *row, guint col, char *value);
void td_stat_table_set_shared(stat_tap_table_item_type *row, guint col, const char *value);
/* A cell most rows share: when is_common holds, or the formatted value
 * comes out the same, the interned common value; else the formatted
 * string. Most rows then take no printf (a floating-point one costs about
 * 1,800 instructions; a table of 300,000 rows pays for each). */
void td_stat_table_set_unless_common(stat_tap_table_item_type *row, guint col,
                                     gboolean is_common, const char *common,
                                     const char *format, ...) G_GNUC_PRINTF(5, 6);

/* The stat_tap_table_ui callbacks of a table whose state is t. */
void td_stat_table_init(td_stat_table_t *t, stat_tap_table_ui *ui);
tap_packet_status td_stat_table_packet(td_stat_table_t *t, packet_info *pinfo, const void *data);
void td_stat_table_reset(td_stat_table_t *t, stat_tap_table *table);
void td_stat_table_free_item(td_stat_table_t *t, stat_tap_table *table, guint column,
                             stat_tap_table_item_type *field_data);
void td_stat_table_filter_check(td_stat_table_t *t, const char *opt_arg, const char **filter,
                                char **err);

/* The callbacks above as functions of one table's state, named prefix_*. */
#define TD_STAT_TABLE_CALLBACKS(prefix, state) \
    static void prefix##_init(stat_tap_table_ui *ui) { td_stat_table_init(&(state), ui); } \
    static tap_packet_status prefix##_packet(void *tapdata _U_, packet_info *pinfo, \
                                             epan_dissect_t *edt _U_, const void *data, \
                                             tap_flags_t flags _U_) \
    { return td_stat_table_packet(&(state), pinfo, data); } \
    static void prefix##_reset(stat_tap_table *table) { td_stat_table_reset(&(state), table); } \
    static void prefix##_free_item(stat_tap_table *table, guint row _U_, guint column, \
                                   stat_tap_table_item_type *field_data) \
    { td_stat_table_free_item(&(state), table, column, field_data); } \
    static void prefix##_filter_check(const char *opt_arg, const char **filter, char **err) \
    { td_stat_table_filter_check(&(state), opt_arg, filter, err); }

#endif /* TD_STAT_TABLE_H */
