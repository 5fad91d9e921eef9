/* td_gui.h
 * What tcpdiag asks of Wireshark's GUI (epan/plugin_if.h): nothing happens
 * in tshark or sharkd, which register no GUI callbacks.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_GUI_H
#define TD_GUI_H

/* Put the text of the display filter in force back into the main window's
 * filter bar. Call it from a statistics dialog's init callback: the dialog
 * has just overwritten the bar with its own filter field. */
void td_gui_keep_filter_bar(void);

/* Register, once, the routine that makes Wireshark filter a freshly read
 * file once more when its display filter reads tcpdiag's fields or expert
 * items (what only the end of the capture proves is drawn on that pass).
 * proto_tcpdiag: our protocol's id. */
void td_gui_refilter_after_read_register(int proto_tcpdiag);

#endif /* TD_GUI_H */
