/* td_format.h
 * Numbers as a person reads them in a message.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_FORMAT_H
#define TD_FORMAT_H

#include <glib.h>
#include <wsutil/wmem/wmem.h>

/* "43.6 ms", "1.00 s", "2 min 5 s": a duration for a human, in scope. */
char *td_fmt_duration(wmem_allocator_t *scope, double seconds);

#endif /* TD_FORMAT_H */
