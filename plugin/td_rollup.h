/* td_rollup.h
 * The capture-wide rollup for the glue (core/hosts/td_hosts.h): the
 * capture's addresses numbered for the core, and the rollup of every
 * stream's verdict, made again only when the capture has moved since.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_ROLLUP_H
#define TD_ROLLUP_H

#include "td_capture.h"

/* Thresholds the core uses (preferences write into it). */
td_hosts_config_t *td_rollup_config(void);

/* The rollup of every stream as the capture stands: its streams' verdicts
 * as a table shows them (pending conclusions included, so every mode rolls
 * up the same). Made on first use after a frame was analysed. */
const td_hosts_t *td_rollup(void);

/* The stream's ends as the rollup numbers them, its roles from the verdict. */
void td_rollup_ends(const td_glue_stream_t *gs, const td_verdict_t *v, td_conn_ends_t *ends);

/* The text of an address the rollup numbered (a td_host_name_fn). */
const char *td_rollup_host_name(guint32 host, void *unused);

/* The thresholds changed: the rollup is made again on next use. */
void td_rollup_forget(void);

/* A new file: forget the rollup and the numbers. */
void td_rollup_cleanup(void);

#endif /* TD_ROLLUP_H */
