/* td_data.h
 * The data-phase detector: the data.* codes of DIAGNOSES.md (loss, spurious
 * retransmissions, reordering, a dead peer found by keep-alive, path MTU),
 * judged from the sequence-space model's account and evidence
 * (model/td_seqspace.h). The stall on the retransmission timer is the stall
 * detector's (detect/td_stall.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_DATA_H
#define TD_DATA_H

#include "model/td_record.h"
#include "model/td_seqspace.h"

/* Called for every segment, after the sequence-space model took it. */
void td_data_segment(td_stream_t *s, const td_segment_t *seg, td_finding_t **out);

/* Findings that only the whole stream proves (data.loss, ...), at its end. */
void td_data_finalize(td_stream_t *s, double capture_end, td_finding_t **out);

/* Its part of the verdict: the data.* codes the model's account shows (loss,
 * spurious retransmissions, reordering, a dead keep-alive), whether or not
 * td_data_finalize() drew their findings yet. */
guint32 td_data_publish(const td_seqspace_facts_t *facts);

#endif /* TD_DATA_H */
