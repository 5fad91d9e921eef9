/* td_hosts.h
 * The capture-wide view: every stream's verdict rolled up per service (a
 * server address and port) and per host (an address), and the diagnoses
 * that only many streams show together (the host.* codes of
 * docs/diagnoses.md): a server piling up TIME_WAIT or leaking CLOSE_WAIT, a
 * full accept queue, a scanner, loss on a host's path, a middlebox's idle
 * timer, a client whose ports run out.
 *
 * Built from the verdict snapshots alone (verdict/td_verdict.h), never from
 * the packets again: the glue adds each stream's verdict with the numbers it
 * gives the stream's two addresses, then finishes the rollup once. Memory is
 * a row per service and per host, and while the rollup is finished a few
 * numbers per stream; time is linear in the streams (and n log n in a
 * service's streams for its medians and its TIME_WAIT sweep).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_HOSTS_H
#define TD_HOSTS_H

#include "hosts/td_host_row.h"

td_hosts_t *td_hosts_new(const td_hosts_config_t *cfg);
void td_hosts_free(td_hosts_t *h);

/* One stream, as its verdict stands, with its ends. */
void td_hosts_add(td_hosts_t *h, const td_verdict_t *v, const td_conn_ends_t *ends);

/* Every stream is in: roll up, diagnose, and order the rows worst first. */
void td_hosts_finish(td_hosts_t *h, double capture_end);

guint td_hosts_rows(const td_hosts_t *h);
const td_host_row_t *td_hosts_row(const td_hosts_t *h, guint i);

/* The rows that hold a stream with these ends, if listed (else NULL): its
 * service, its server's host, its client's host. */
void td_hosts_rows_of(const td_hosts_t *h, const td_conn_ends_t *ends,
                      const td_host_row_t *rows[3]);

#endif /* TD_HOSTS_H */
