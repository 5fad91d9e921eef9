/* td_host_explain.h
 * Which host finding explains a stream (hosts/td_host_explain.c): a third
 * ACK "lost" to a full accept queue, a scanner's probe, a CLOSE_WAIT of a
 * leaking service ... for the streams table's Diagnosis. (The rollup uses
 * the same test for its rows without a finding of their own:
 * td_host_explain_rows, hosts/td_host_evidence.h.)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_HOST_EXPLAIN_H
#define TD_HOST_EXPLAIN_H

#include "hosts/td_host_row.h"

/* What the host evidence says of one stream that was added: the host code
 * that explains it (a third ACK "lost" to a full accept queue, a scanner's
 * probe ...), or TD_HOST_CODE_COUNT; and the row that holds that finding. */
td_host_code_t td_hosts_explain(const td_hosts_t *h, const td_verdict_t *v,
                                const td_conn_ends_t *ends, const td_host_row_t **row);

#endif /* TD_HOST_EXPLAIN_H */
