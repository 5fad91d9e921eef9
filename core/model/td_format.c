/* td_format.c
 * Numbers as a person reads them in a message (td_format.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "model/td_format.h"

char *
td_fmt_duration(wmem_allocator_t *scope, double seconds)
{
    if (seconds < 0.0)
        seconds = 0.0;
    if (seconds < 0.001)
        return wmem_strdup_printf(scope, "%.0f us", seconds * 1e6);
    if (seconds < 1.0)
        return wmem_strdup_printf(scope, "%.1f ms", seconds * 1e3);
    if (seconds < 120.0)
        return wmem_strdup_printf(scope, "%.2f s", seconds);
    return wmem_strdup_printf(scope, "%u min %u s", (unsigned)(seconds / 60.0),
                              (unsigned)seconds % 60u);
}

char *
td_fmt_endpoint(wmem_allocator_t *scope, const char *addr, guint port)
{
    /* an IPv6 address in brackets, as in a URL (RFC 3986 section 3.2.2) */
    return wmem_strdup_printf(scope, strchr(addr, ':') ? "[%s]:%u" : "%s:%u", addr, port);
}
