/* td_summary.h
 * A stream's verdict in words: the severity's label and the one-line
 * diagnosis of the TCP Diagnosis table, from the verdict alone
 * (verdict/td_verdict.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_SUMMARY_H
#define TD_SUMMARY_H

#include "verdict/td_verdict.h"

/* "1 failed" ... "7 healthy": sorts worst first as text too (the GUI sorts
 * the table's first column as strings). */
const char *td_severity_label(td_stream_severity_t severity);

/* One line in plain words, e.g. "Connection reset by the server mid-transfer, with
 * 2896 bytes of its data unacknowledged; also 2 stalls (1.20 s)", in scope. */
char *td_verdict_summary(wmem_allocator_t *scope, const td_verdict_t *v);

#endif /* TD_SUMMARY_H */
