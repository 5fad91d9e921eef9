/* td_finding.c
 * Findings on the stream record (td_finding.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>

#include <string.h>

#include "model/td_finding.h"

/* An expert info holds under 240 characters (ITEM_LABEL_LENGTH); past that
 * Wireshark cuts the text and marks the cut differently per release
 * ("[truncated]", "[...]"). Messages are written to fit; should extreme counts
 * overflow one, it is cut here, the same on every release. */
static const char *
fit(wmem_allocator_t *scope, const char *message)
{
    if (strlen(message) < TD_MESSAGE_MAX)
        return message;
    return wmem_strdup_printf(scope, "%.*s...", TD_MESSAGE_MAX - 4, message);
}

static td_finding_t *
append(td_stream_t *s, td_finding_t **list, td_code_t code, guint32 frame, const char *detail,
       guint32 count, double duration, guint32 ref_frame, const char *cause)
{
    td_finding_t *f = wmem_new0(s->scope, td_finding_t);

    f->code = code;
    f->frame = frame;
    f->detail = detail;
    f->count = count;
    f->duration = duration;
    f->ref_frame = ref_frame;
    f->cause = cause;
    while (*list)
        list = &(*list)->next;
    *list = f;
    f->stream_prev = s->last_finding;
    s->last_finding = f;
    s->codes |= TD_CODE_BIT(code);
    return f;
}

td_finding_t *
td_finding_add_message(td_stream_t *s, td_finding_t **list, td_code_t code, guint32 frame,
                       const char *detail, guint32 count, double duration, guint32 ref_frame,
                       const char *cause, const char *message)
{
    td_finding_t *f = append(s, list, code, frame, detail, count, duration, ref_frame, cause);

    f->message = fit(s->scope, message);
    return f;
}

td_finding_t *
td_finding_add_described(td_stream_t *s, td_finding_t **list, td_code_t code, guint32 frame,
                         const char *detail, double duration, guint32 ref_frame,
                         const char *cause,
                         char *(*describe)(wmem_allocator_t *scope, const td_finding_t *f),
                         guint32 arg)
{
    td_finding_t *f = append(s, list, code, frame, detail, 0, duration, ref_frame, cause);

    f->describe = describe;
    f->describe_arg = arg;
    return f;
}

const char *
td_finding_message(const td_finding_t *f, wmem_allocator_t *scope)
{
    return f->message ? f->message : fit(scope, f->describe(scope, f));
}

td_finding_t *
td_finding_add(td_stream_t *s, td_finding_t **list, td_code_t code, guint32 frame,
               const char *detail, guint32 count, double duration, guint32 ref_frame,
               const char *cause, const char *fmt, ...)
{
    va_list ap;
    char *message;

    va_start(ap, fmt);
    message = wmem_strdup_vprintf(s->scope, fmt, ap);
    va_end(ap);
    return td_finding_add_message(s, list, code, frame, detail, count, duration, ref_frame, cause,
                                  message);
}
