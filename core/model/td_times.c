/* td_times.c
 * Bounded series of retry times (td_times.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "model/td_times.h"
#include "model/td_format.h"

void
td_times_set(wmem_allocator_t *scope, td_times_t *t, guint i, double when)
{
    if (i == 0) {
        t->first = when;
        return;
    }
    if (i >= TD_MAX_TIMES)
        return;
    if (!t->more)
        t->more = wmem_alloc0_array(scope, double, TD_MAX_TIMES - 1);
    t->more[i - 1] = when;
}

double
td_times_at(const td_times_t *t, guint i)
{
    if (i == 0)
        return t->first;
    return (t->more && i < TD_MAX_TIMES) ? t->more[i - 1] : 0.0;
}

double
td_times_span(const td_times_t *t, guint n)
{
    return n ? td_times_at(t, MIN(n, TD_MAX_TIMES) - 1) - t->first : 0.0;
}

char *
td_times_intervals(wmem_allocator_t *scope, const td_times_t *t, guint n)
{
    wmem_strbuf_t *buf = wmem_strbuf_new(scope, "");

    n = MIN(n, TD_MAX_TIMES);
    for (guint i = 1; i < n; i++) {
        char *d = td_fmt_duration(scope, td_times_at(t, i) - td_times_at(t, i - 1));
        wmem_strbuf_append_printf(buf, "%s+%s", i > 1 ? ", " : "", d);
        wmem_free(scope, d);
    }
    return wmem_strbuf_finalize(buf);
}
