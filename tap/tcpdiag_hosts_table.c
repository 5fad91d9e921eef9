/* tcpdiag_hosts_table.c
 * Statistics -> TCP Diagnosis by Host and `tshark -z tcpdiag,hosts[,filter]`:
 * one row per service (a server address and port) and per host (an
 * address), worst first, from the capture-wide rollup of every stream's
 * verdict (core/hosts/td_hosts.h). The rows' order and life are
 * td_stat_table.h's: they sort on (severity, order of appearance).
 *
 * A row appears with the first packet that matches the table's filter of a
 * stream it holds (the stream's service, then its server's and its client's
 * host), and always shows its whole rollup. A later pass (the GUI's retap,
 * tshark -2) knows the whole capture and adds the rows at once; a single
 * pass keeps the streams in the order they matched and adds their rows just
 * before tshark prints, so every mode lists the same rows in the same order.
 * A service or host that only a scanner's probes reached has no row: it is
 * in the scanner's.
 *
 * Each row prints the display filter that selects its streams
 * (tcpdiag.host.service, tcpdiag.host.address), in tshark and in the GUI.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include <epan/packet.h>
#include <epan/stat_tap_ui.h>

#include "tcpdiag_core.h"
#include "td_capture.h"
#include "td_rollup.h"
#include "td_stat_table.h"
#include "tcpdiag_hosts_table.h"

enum {
    COL_SEVERITY, COL_HOST, COL_KIND, COL_CONNS, COL_DIAGNOSIS, COL_FILTER, COL_BY_SEVERITY,
    COL_REFUSED, COL_UNANSWERED, COL_RESETS, COL_RESET_KINDS, COL_HALF_CLOSED,
    COL_CLOSED_FIRST, COL_RETRANS, COL_LOST, COL_STALL_TIME, COL_IRTT, COL_IRTT_WORST, COL_SPAN,
    COL_CODES, NUM_COLS
};

/* Column names are as wide as tshark prints their values (the Diagnosis
 * and the Filter are padded to their longest before tshark prints). */
static stat_tap_table_item table_fields[NUM_COLS] = {
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Severity ",                   "%-9s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Host                 ",       "%-21s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Kind   ",                     "%-7s" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Connections",                 "%11u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Diagnosis",                   "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Filter",                      "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "Failed/broken/stalled/lossy/slow/note/healthy",
      "%45s" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Refused",                     "%7u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Unanswered",                  "%10u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "Resets h/p",                  "%10s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Reset kinds",                 "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "CLOSE_WAIT h/p",              "%14s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "Closed first h/p/-",          "%18s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "Retrans sent/rcvd",           "%17s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "Lost sent/rcvd (%)",          "%18s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Stall time by kind",          "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "iRTT median (ms)",            "%16s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "iRTT worst (ms)",             "%15s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "Span (s)            ",        "%20s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Codes",                       "%s" },
};

/* The streams a single pass matched, in order, until the rollup can say
 * which rows they bring (hosts_prepare). */
typedef struct pending {
    GPtrArray *streams;     /* const td_glue_stream_t* */
    GArray    *queued;      /* a bit per tcpdiag stream number */
} pending_t;

static wmem_allocator_t *scratch;

static const char *
stall_kind_name(int k)
{
    static const char *const names[TD_STALL_KINDS] = {
        "nagle", "idle_restart", "zero_window", "window_full", "rto"
    };
    return names[k];
}

static int
host_fill(td_stat_table_t *t _U_, stat_tap_table_item_type *row, gconstpointer what)
{
    const td_host_row_t *r = (const td_host_row_t *)what;
    char *name, *text;
    GString *s;

    if (!scratch)
        scratch = wmem_allocator_new(WMEM_ALLOCATOR_SIMPLE);
    name = td_host_row_name(scratch, r, td_rollup_host_name, NULL);
    td_stat_table_set_shared(row, COL_SEVERITY, td_severity_label(r->severity));
    td_stat_table_set_string(row, COL_HOST, g_strdup(name));
    td_stat_table_set_shared(row, COL_KIND, r->kind == TD_ROW_SERVICE ? "service" : "host");
    row[COL_CONNS].value.uint_value = r->conns;
    text = td_host_summary(scratch, r, td_rollup_host_name, NULL);
    td_stat_table_set_string(row, COL_DIAGNOSIS, g_strdup(text));
    td_stat_table_set_string(row, COL_FILTER, r->kind == TD_ROW_SERVICE
                             ? g_strdup_printf("tcpdiag.host.service == \"%s\"", name)
                             : g_strdup_printf("tcpdiag.host.address == \"%s\"", name));
    td_stat_table_set_string(row, COL_BY_SEVERITY,
                             g_strdup_printf("%u/%u/%u/%u/%u/%u/%u", r->by_severity[TD_STREAM_FAILED],
                                             r->by_severity[TD_STREAM_BROKEN],
                                             r->by_severity[TD_STREAM_STALLED],
                                             r->by_severity[TD_STREAM_LOSSY],
                                             r->by_severity[TD_STREAM_SLOW],
                                             r->by_severity[TD_STREAM_NOTE],
                                             r->by_severity[TD_STREAM_HEALTHY]));
    row[COL_REFUSED].value.uint_value = r->refused;
    row[COL_UNANSWERED].value.uint_value = r->unanswered;
    td_stat_table_set_unless_common(row, COL_RESETS, !r->resets[0] && !r->resets[1], "0/0",
                                    "%u/%u", r->resets[0], r->resets[1]);
    s = g_string_new("");
    for (int k = 0; k < TD_RESET_KINDS; k++) {
        if (r->reset_kinds[k])
            g_string_append_printf(s, "%s%s %u", s->len ? ", " : "",
                                   td_reset_kind_name((td_reset_kind_t)k), r->reset_kinds[k]);
    }
    if (r->resets_middlebox)
        g_string_append_printf(s, "%sby a middlebox %u", s->len ? ", " : "", r->resets_middlebox);
    td_stat_table_set_unless_common(row, COL_RESET_KINDS, !s->len, "-", "%s", s->str);
    g_string_free(s, TRUE);
    td_stat_table_set_unless_common(row, COL_HALF_CLOSED, !r->half_closed[0] && !r->half_closed[1],
                                    "0/0", "%u/%u", r->half_closed[0], r->half_closed[1]);
    td_stat_table_set_string(row, COL_CLOSED_FIRST,
                             g_strdup_printf("%u/%u/%u", r->closed_first[0], r->closed_first[1],
                                             r->closed_first[2]));
    td_stat_table_set_unless_common(row, COL_RETRANS, !r->retrans[0] && !r->retrans[1], "0/0",
                                    "%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, r->retrans[0],
                                    r->retrans[1]);
    td_stat_table_set_unless_common(row, COL_LOST, !r->lost[0] && !r->lost[1], "0.0/0.0",
                                    "%.1f/%.1f",
                                    r->segments[0] ? 100.0 * r->lost[0] / r->segments[0] : 0.0,
                                    r->segments[1] ? 100.0 * r->lost[1] / r->segments[1] : 0.0);
    s = g_string_new("");
    for (int k = 0; k < TD_STALL_KINDS; k++) {
        if (r->stall_time[k] > 0.0)
            g_string_append_printf(s, "%s%s %.3f ms", s->len ? ", " : "", stall_kind_name(k),
                                   r->stall_time[k] * 1000.0);
    }
    td_stat_table_set_unless_common(row, COL_STALL_TIME, !s->len, "-", "%s", s->str);
    g_string_free(s, TRUE);
    td_stat_table_set_unless_common(row, COL_IRTT, r->irtt_median < 0.0, "-", "%.3f",
                                    r->irtt_median * 1000.0);
    td_stat_table_set_unless_common(row, COL_IRTT_WORST, r->irtt_worst < 0.0, "-", "%.3f",
                                    r->irtt_worst * 1000.0);
    td_stat_table_set_string(row, COL_SPAN, g_strdup_printf("%.3f-%.3f", r->first_time,
                                                            r->last_time));
    s = g_string_new("");
    for (int c = 0; c < TD_HOST_CODE_COUNT; c++) {
        if (r->codes & (1u << c))
            g_string_append_printf(s, "%s%s", s->len ? "," : "",
                                   td_host_code_info((td_host_code_t)c)->name);
    }
    td_stat_table_set_shared(row, COL_CODES, s->len ? s->str : "-");
    g_string_free(s, TRUE);
    wmem_free_all(scratch);
    return r->severity;
}

/* The rows a stream brings, if not there yet: its service, then its
 * server's and its client's host (those listed: not a scanner's probes'). */
static void
add_rows_of(td_stat_table_t *t, const td_hosts_t *hosts, const td_glue_stream_t *gs)
{
    const td_verdict_t *v = td_capture_verdict(gs);
    td_conn_ends_t ends;

    const td_host_row_t *rows[3];

    td_rollup_ends(gs, v, &ends);
    td_hosts_rows_of(hosts, &ends, rows);
    for (int k = 0; k < 3; k++) {
        if (rows[k] && !td_stat_table_has(t, rows[k]->id))
            td_stat_table_add(t, rows[k]->id, rows[k]);
    }
}

static void
host_rows(td_stat_table_t *t, const packet_info *pinfo _U_, const td_glue_stream_t *gs)
{
    pending_t *p = (pending_t *)t->kind_data;
    guint32 n = gs->core->index;

    if (td_capture_later_pass()) {
        /* the first pass is over: the rollup knows the whole capture */
        add_rows_of(t, td_rollup(), gs);
        return;
    }
    if (!p) {
        p = g_new0(pending_t, 1);
        p->streams = g_ptr_array_new();
        p->queued = g_array_new(FALSE, TRUE, sizeof(guint32));
        t->kind_data = p;
    }
    if (n / 32 >= p->queued->len)
        g_array_set_size(p->queued, MAX(n / 32 + 1, 2 * p->queued->len));
    if (g_array_index(p->queued, guint32, n / 32) & (1u << (n % 32)))
        return;
    g_array_index(p->queued, guint32, n / 32) |= 1u << (n % 32);
    g_ptr_array_add(p->streams, (gpointer)gs);
}

/* tshark after a single pass: the rows of the streams it matched, in order. */
static void
host_rows_prepare(td_stat_table_t *t)
{
    pending_t *p = (pending_t *)t->kind_data;
    const td_hosts_t *hosts;

    if (!p || !p->streams->len)
        return;
    hosts = td_rollup();
    for (guint i = 0; i < p->streams->len; i++)
        add_rows_of(t, hosts, (const td_glue_stream_t *)g_ptr_array_index(p->streams, i));
    g_ptr_array_set_size(p->streams, 0);
}

/* tshark: the Diagnosis and the Filter padded to their longest, header
 * included, so that the columns after them line up. */
static void
host_rows_finish(td_stat_table_t *t)
{
    td_stat_table_pad_column(t, COL_DIAGNOSIS);
    td_stat_table_pad_column(t, COL_FILTER);
}

static void
host_rows_reset(td_stat_table_t *t)
{
    pending_t *p = (pending_t *)t->kind_data;

    if (p) {
        g_ptr_array_set_size(p->streams, 0);
        g_array_set_size(p->queued, 0);
    }
}

static const td_stat_table_kind_t hosts_kind = {
    "TCP Diagnosis by Host", "tcpdiag,hosts", NUM_COLS, table_fields, NULL,
    host_rows, host_rows_prepare, host_fill, host_rows_finish, host_rows_reset,
};

static td_stat_table_t hosts = { .kind = &hosts_kind };
TD_STAT_TABLE_CALLBACKS(hosts, hosts)

void
tcpdiag_hosts_table_register(void)
{
    static tap_param params[] = {
        { PARAM_FILTER, "filter", "Filter", NULL, TRUE }
    };
    static stat_tap_table_ui table_ui = {
        REGISTER_PACKET_STAT_GROUP_UNSORTED, "TCP Diagnosis by Host", "tcpdiag", "tcpdiag,hosts",
        hosts_init, hosts_packet, hosts_reset, hosts_free_item, hosts_filter_check,
        G_N_ELEMENTS(table_fields), table_fields, G_N_ELEMENTS(params), params, NULL, 0
    };

    register_stat_tap_table_ui(&table_ui);
}
