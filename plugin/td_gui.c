/* td_gui.c
 * What tcpdiag asks of Wireshark's GUI, through epan/plugin_if.h. tshark and
 * sharkd register no GUI callbacks: there plugin_if_* do nothing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/plugin_if.h>
#include <epan/dfilter/dfilter.h>
#include <cfile.h>

#include "ws_compat.h"
#include "td_gui.h"

/* ---- the filter bar keeps its text when a statistics dialog opens
 *
 * Wireshark's statistics-table dialog (ui/qt/tap_parameter_dialog.cpp,
 * 4.0 to 4.6) emits updateFilter(<its own filter field>) on every Apply,
 * and the first Apply runs as the dialog opens; the main window connects
 * that signal to the display filter bar's setText() (the menu's
 * openTapParameterDialog). So the dialog's empty field blanks the bar: the
 * filter stays applied, the bar shows the grey "Current filter: ..."
 * placeholder, and Expert Information, which takes the bar's text, says "No
 * display filter set.". A filter typed into the dialog lands in the bar,
 * unapplied. SimpleStatisticsDialog::fillTree() calls the table's init
 * callback after that signal and before the retap: from there, applying
 * the filter in force once more puts its text back (filterPackets() resets
 * the bar's combo box) and costs nothing, as cf_filter_packets() returns at
 * once when the text is the one applied. */

static void *
dup_applied_filter(capture_file *cf, void *user_data _U_)
{
    /* "" for no filter: applying "" again clears the bar */
    return g_strdup(cf && cf->dfilter ? cf->dfilter : "");
}

void
td_gui_keep_filter_bar(void)
{
    char *applied = (char *)plugin_if_get_capture_file(dup_applied_filter, NULL);

    if (!applied)
        return; /* no GUI */
    plugin_if_apply_filter(applied, FALSE);
    g_free(applied);
}

/* ---- a filter applied while a file is read sees the end of the capture
 *
 * What only the end of the capture proves (a SYN never answered, a stream
 * left half-closed, the host rows) is concluded on the first later pass
 * (dissect_tcpdiag) and drawn from then on. A display filter in force while
 * Wireshark reads a file is applied during its first pass, so a filter on
 * tcpdiag's fields or expert items misses those verdicts until the user
 * presses Enter again. cf_read() (file.c, 4.0 to 4.6) calls the postseq
 * cleanup routines after its first pass while it still holds read_lock,
 * then, once it drops the lock, runs a rescan if one was queued: queuing
 * one there filters the file once more, over frames already dissected, as
 * Enter would. Only while read_lock is held: the same routines run at the
 * end of a live capture (cf_finish_tail), where nothing would run the
 * rescan, and a rescan left queued would hold back the user's next filter
 * (cf_filter_packets only rescans when none is queued). */

static int td_proto = -1;

/* Does the filter (its macros expanded) read tcpdiag's fields or the expert
 * items tcpdiag adds? */
static gboolean
filter_reads_tcpdiag(const char *text)
{
    dfilter_t *df = NULL;
    gboolean reads = FALSE;

    if (!text || !*text)
        return FALSE;
    if (dfilter_compile(text, &df, NULL) && df) {
        const char *expanded = dfilter_text(df);
        reads = expanded && (strstr(expanded, "tcpdiag") || strstr(expanded, "_ws.expert"));
    }
    if (df)
        dfilter_free(df);
    return reads;
}

static void *
queue_refilter(capture_file *cf, void *user_data _U_)
{
    if (cf && cf->read_lock && cf->redissection_queued == RESCAN_NONE
        && filter_reads_tcpdiag(cf->dfilter))
        cf->redissection_queued = RESCAN_SCAN;
    return NULL;
}

static void
refilter_after_read(void)
{
    if (td_proto >= 0 && proto_is_protocol_enabled(find_protocol_by_id(td_proto)))
        plugin_if_get_capture_file(queue_refilter, NULL);
}

void
td_gui_refilter_after_read_register(int proto_tcpdiag)
{
    td_proto = proto_tcpdiag;
    register_postseq_cleanup_routine(refilter_after_read);
}
