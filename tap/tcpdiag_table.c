/* tcpdiag_table.c
 * Statistics -> TCP Diagnosis, `tshark -z tcpdiag[,filter]` and
 * `-z tcpdiag,streams[,filter]` (the name the GUI's -z opens): one row per
 * TCP stream, worst first, modelled on packet-mtp3.c's dynamic rows; the
 * rows' order and life are td_stat_table.h's.
 *
 * Filtered tables. `-z tcpdiag,<filter>` lists the streams with a packet that
 * matches; a row always shows its whole stream, as it is when the table is
 * printed (in a single pass the core's verdicts include what is still
 * pending, so they equal the two-pass ones).
 *
 * Columns. The Diagnosis comes right after the stream's ends, so that a
 * dialog shows it when it opens (the Qt dialog sizes each column to its
 * content); tshark pads it to its longest, so that its table stays aligned.
 *
 * Host evidence. Where the capture-wide rollup explains a stream (a third
 * ACK "lost" to a full accept queue, a scanner's probe), its diagnosis says
 * so; a scanner's probes rank as notes, so that a scan's thousands of
 * refused attempts do not push the streams that matter off the first screen.
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
#include "td_rollup.h"
#include "td_stat_table.h"
#include "tcpdiag_table.h"

enum {
    COL_SEVERITY, COL_STREAM, COL_CLIENT, COL_SERVER, COL_DIAGNOSIS, COL_CONN_STATE,
    COL_HANDSHAKE, COL_TEARDOWN, COL_STALLS, COL_STALL_TIME, COL_WORST_STALL, COL_RETRANS,
    COL_LOST, COL_SPURIOUS, COL_REORDERED, COL_IRTT, COL_PACKETS, COL_CODES, NUM_COLS
};

/* Column names are as wide as tshark prints their values, so that tshark's
 * table lines up under its header (tshark pads the values, not the names). */
static stat_tap_table_item table_fields[NUM_COLS] = {
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Severity ",                    "%-9s" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Stream",                       "%6u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Client               ",        "%-21s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Server               ",        "%-21s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Diagnosis",                    "%s" },
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
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Codes",                        "%s" },
};

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

static wmem_allocator_t *scratch; /* stream_fill's temporary strings */

/* Fill a row's cells from its stream, once: tshark's rows just before it
 * prints, a dialog's when they appear (its retap reads analysed frames). */
static int
stream_fill(td_stat_table_t *t _U_, stat_tap_table_item_type *row, gconstpointer what)
{
    const td_glue_stream_t *gs = (const td_glue_stream_t *)what;
    /* the rollup first: making it reads every stream's verdict, which the
     * one below must not be overwritten by */
    const td_hosts_t *hosts = td_rollup();
    const td_verdict_t *v = td_capture_verdict(gs);
    /* client's data first, then the server's */
    int client = v->client < 0 ? 0 : v->client;
    const td_dir_facts_t *cd = &v->data.dir[client], *sd = &v->data.dir[1 - client];
    td_stream_severity_t severity = v->severity;
    const td_host_row_t *host_row;
    td_conn_ends_t ends;
    td_host_code_t host_code;
    char *summary;

    if (!scratch)
        scratch = wmem_allocator_new(WMEM_ALLOCATOR_SIMPLE);
    row[COL_STREAM].value.uint_value = v->stream;
    row[COL_PACKETS].value.uint_value = v->packets;
    /* Roles come from the evidence as it stands (a SYN later in the capture
     * names the client), not from the frame that made the row. */
    td_stat_table_set_string(row, COL_CLIENT, endpoint_str(gs, client));
    td_stat_table_set_string(row, COL_SERVER, endpoint_str(gs, 1 - client));
    td_stat_table_set_shared(row, COL_CONN_STATE, v->conn_state);
    td_stat_table_set_shared(row, COL_HANDSHAKE, td_code_short_name(v->handshake, "ok"));
    td_stat_table_set_shared(row, COL_TEARDOWN, td_code_short_name(v->teardown, "none"));
    row[COL_STALLS].value.uint_value = v->stalls.count;
    td_stat_table_set_unless_common(row, COL_STALL_TIME, v->stalls.time == 0.0, "0.000", "%.3f",
                                    v->stalls.time * 1000.0);
    td_stat_table_set_unless_common(row, COL_WORST_STALL, v->stalls.worst == TD_CODE_NONE, "-",
                                    "%s %.3f ms", td_code_short_name(v->stalls.worst, ""),
                                    v->stalls.worst_time * 1000.0);
    td_stat_table_set_unless_common(row, COL_RETRANS, cd->retrans == 0 && sd->retrans == 0, "0/0",
                                    "%u/%u", cd->retrans, sd->retrans);
    td_stat_table_set_unless_common(row, COL_LOST, cd->lost == 0 && sd->lost == 0, "0.0/0.0",
                                    "%.1f/%.1f",
                                    cd->segments ? 100.0 * cd->lost / MAX(cd->segments, cd->lost) : 0.0,
                                    sd->segments ? 100.0 * sd->lost / MAX(sd->segments, sd->lost) : 0.0);
    row[COL_SPURIOUS].value.uint_value = cd->spurious + sd->spurious;
    row[COL_REORDERED].value.uint_value = cd->reordered + sd->reordered;
    td_stat_table_set_unless_common(row, COL_IRTT, v->initial_rtt < 0.0, "-", "%.3f",
                                    v->initial_rtt * 1000.0);
    /* The summary's parts (durations, messages) go to a scratch allocator,
     * emptied after each row; the cell keeps a copy of its own. */
    summary = td_verdict_summary(scratch, v);
    td_rollup_ends(gs, v, &ends);
    host_code = td_hosts_explain(hosts, v, &ends, &host_row);
    if (host_code != TD_HOST_CODE_COUNT) {
        summary = wmem_strdup_printf(scratch, "%s; %s", summary,
                                     td_host_stream_note(scratch, host_code, host_row,
                                                         td_rollup_host_name, NULL));
        /* a scan's probes are the scanner's story, told in its row */
        if (host_code == TD_HOST_SCANNER)
            severity = MAX(severity, TD_STREAM_NOTE);
    }
    td_stat_table_set_shared(row, COL_SEVERITY, td_severity_label(severity));
    td_stat_table_set_string(row, COL_DIAGNOSIS, g_strdup(summary));
    wmem_free_all(scratch);
    /* The codes: a few combinations, shared. */
    td_stat_table_set_shared(row, COL_CODES, *v->codes_text ? v->codes_text : "-");
    return severity;
}

static void
stream_rows(td_stat_table_t *t, const packet_info *pinfo _U_, const td_glue_stream_t *gs)
{
    if (!td_stat_table_has(t, gs->core->index))
        td_stat_table_add(t, gs->core->index, gs);
}

/* tshark: the Diagnosis padded to its longest, header included, so that
 * the columns after it line up as the others do. */
static void
stream_rows_finish(td_stat_table_t *t)
{
    td_stat_table_pad_column(t, COL_DIAGNOSIS);
}

static const td_stat_table_kind_t streams_kind = {
    "TCP Diagnosis", "tcpdiag", NUM_COLS, table_fields, "tcp.stream eq %u",
    stream_rows, NULL, stream_fill, stream_rows_finish, NULL,
};

/* Two names for the one table: `tcpdiag` for tshark's scripts (no menu
 * item), `tcpdiag,streams` for the menu and the GUI's -z, which only opens
 * two-part names (ui/qt/simple_statistics_dialog.cpp simple_stat_init). */
static td_stat_table_t compat = { .kind = &streams_kind };
static td_stat_table_t streams = { .kind = &streams_kind };
TD_STAT_TABLE_CALLBACKS(compat, compat)
TD_STAT_TABLE_CALLBACKS(streams, streams)

void
tcpdiag_table_register(void)
{
    static tap_param params[] = {
        { PARAM_FILTER, "filter", "Filter", NULL, TRUE }
    };
    static stat_tap_table_ui compat_ui = {
        REGISTER_STAT_GROUP_GENERIC, "TCP Diagnosis", "tcpdiag", "tcpdiag",
        compat_init, compat_packet, compat_reset, compat_free_item, compat_filter_check,
        G_N_ELEMENTS(table_fields), table_fields, G_N_ELEMENTS(params), params, NULL, 0
    };
    static stat_tap_table_ui streams_ui = {
        REGISTER_PACKET_STAT_GROUP_UNSORTED, "TCP Diagnosis", "tcpdiag", "tcpdiag,streams",
        streams_init, streams_packet, streams_reset, streams_free_item, streams_filter_check,
        G_N_ELEMENTS(table_fields), table_fields, G_N_ELEMENTS(params), params, NULL, 0
    };

    register_stat_tap_table_ui(&compat_ui);
    register_stat_tap_table_ui(&streams_ui);
}
