/* td_host_checks.h
 * The host.* diagnoses of one row (hosts/td_host_checks.c), called by the
 * rollup once every stream is in (td_hosts_finish): each reads the row's
 * evidence and, past its thresholds, records its finding on the row.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_HOST_CHECKS_H
#define TD_HOST_CHECKS_H

#include "hosts/td_host_evidence.h"

/* The median of values (sorts them); < 0 when empty. */
double td_host_median(GArray *values);

/* A service's: the server's TIME_WAITs, its CLOSE_WAIT leak, its listen
 * backlog, an idle timer on its path. */
void td_host_check_time_wait(td_hosts_t *h, td_host_row_t *row, row_ev_t *e, double capture_end);
void td_host_check_close_wait(td_hosts_t *h, td_host_row_t *row, row_ev_t *e, double capture_end);
void td_host_check_accept_queue(td_hosts_t *h, td_host_row_t *row, row_ev_t *e);
void td_host_check_idle_timeout(td_hosts_t *h, td_host_row_t *row, row_ev_t *e);
/* A host's: loss on its path, its source ports running out. */
void td_host_check_path_loss(td_hosts_t *h, td_host_row_t *row, row_ev_t *e);
void td_host_check_port_exhaustion(td_hosts_t *h, td_host_row_t *row, row_ev_t *e);
/* A host's, before the others: a scanner (row index r), whose probes the
 * rollup then lists under it. */
void td_host_check_scanner(td_hosts_t *h, guint r, td_host_row_t *row, row_ev_t *e);

#endif /* TD_HOST_CHECKS_H */
