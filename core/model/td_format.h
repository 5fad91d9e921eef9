/* td_format.h
 * Numbers and endpoints as a person reads them in a message.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_FORMAT_H
#define TD_FORMAT_H

#include <glib.h>
#include <wsutil/wmem/wmem.h>

/* "43.6 ms", "1.00 s", "2 min 5 s": a duration for a human, in scope. */
char *td_fmt_duration(wmem_allocator_t *scope, double seconds);

/* "10.0.0.5:8080", "[fd77::2]:8080": an address's text and a port, in scope;
 * the one way a service is named (the host table's rows, the tree's
 * tcpdiag.host.service). */
char *td_fmt_endpoint(wmem_allocator_t *scope, const char *addr, guint port);

#endif /* TD_FORMAT_H */
