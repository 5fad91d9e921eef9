/* td_finding.h
 * Findings: a detector's diagnosis, attached to the frame that completes its
 * evidence and kept on the stream record (newest first) and in the list the
 * segment's caller receives.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_FINDING_H
#define TD_FINDING_H

#include "model/td_record.h"
#include "model/td_format.h"

/* Messages fit an expert info: its label, "Expert Info (Warning/Sequence): "
 * and the message, stays under 240 characters (Wireshark's ITEM_LABEL_LENGTH,
 * which each release marks differently when it cuts); a longer message is
 * cut to fit, the same on every release. */
#define TD_MESSAGE_MAX 207

/* Append a finding for code on frame to *list and mark the code on the stream.
 * The message is formatted into the stream's scope; cause is kept as given
 * (a literal, or a string already in the stream's scope). */
td_finding_t *td_finding_add(td_stream_t *s, td_finding_t **list, td_code_t code,
                             guint32 frame, const char *detail, guint32 count,
                             double duration, guint32 ref_frame, const char *cause,
                             const char *fmt, ...) G_GNUC_PRINTF(10, 11);

/* The same with a message already made in the stream's scope. */
td_finding_t *td_finding_add_message(td_stream_t *s, td_finding_t **list, td_code_t code,
                                     guint32 frame, const char *detail, guint32 count,
                                     double duration, guint32 ref_frame, const char *cause,
                                     const char *message);

/* The same with a message made only when shown: describe(scope, f) formats it
 * from the finding's own fields and arg (td_finding_t.describe). */
td_finding_t *td_finding_add_described(td_stream_t *s, td_finding_t **list, td_code_t code,
                                       guint32 frame, const char *detail, double duration,
                                       guint32 ref_frame, const char *cause,
                                       char *(*describe)(wmem_allocator_t *scope,
                                                         const td_finding_t *f),
                                       guint32 arg);

/* The finding's message: its own, or made in scope (cut to TD_MESSAGE_MAX as
 * every message is). */
const char *td_finding_message(const td_finding_t *f, wmem_allocator_t *scope);

#endif /* TD_FINDING_H */
