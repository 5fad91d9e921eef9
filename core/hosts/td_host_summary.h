/* td_host_summary.h
 * The host rollup in words (hosts/td_hosts.h): each row's one-line
 * diagnosis and each finding's likely cause, and the note a stream's own
 * diagnosis gets when host evidence explains it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_HOST_SUMMARY_H
#define TD_HOST_SUMMARY_H

#include "hosts/td_hosts.h"

/* The glue's name for an address it numbered ("10.0.0.5", "fd77::2"). */
typedef const char *(*td_host_name_fn)(guint32 host, void *data);

/* "10.0.0.5:8080" or "10.0.0.5" (a host row), in scope. */
char *td_host_row_name(wmem_allocator_t *scope, const td_host_row_t *row,
                       td_host_name_fn name, void *data);

/* The row's findings in plain words, worst first, or its connections'
 * account when it has none, in scope. */
char *td_host_summary(wmem_allocator_t *scope, const td_host_row_t *row,
                      td_host_name_fn name, void *data);

/* A finding's likely cause and fix. */
const char *td_host_cause(td_host_code_t code);

/* What a stream's diagnosis adds when host evidence explains it
 * (td_hosts_explain), in scope. */
char *td_host_stream_note(wmem_allocator_t *scope, td_host_code_t code,
                          const td_host_row_t *row, td_host_name_fn name, void *data);

#endif /* TD_HOST_SUMMARY_H */
