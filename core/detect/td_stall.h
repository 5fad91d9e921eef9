/* td_stall.h
 * The stall detector: the stall kinds of DIAGNOSES.md (a side had data to
 * send and was held back): nagle_delayed_ack, idle_restart, zero_window,
 * window_full, rto.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_STALL_H
#define TD_STALL_H

#include "model/td_record.h"
#include "model/td_seqspace.h"

/* What the stall detector (detect/td_stall.c) keeps of one side as a sender while
 * a stall may be forming: a late ACK of its data (a Nagle candidate), the
 * segment that ACK released, its filling the peer's window, the peer's zero
 * window. Allocated on the first such event (td_side_stall), read through
 * td_side_stall_of(), all zeros until then. */
typedef struct td_side_stall {
    /* the peer's late ACK of all its data: Nagle candidate */
    double   late_ack_time, late_ack_excess;
    double   late_ack_from;  /* time of the data it acked */
    double   late_ack_idle;  /* the sender's idle time before the flight it acked; < 0 none */
    guint32  late_ack_frame; /* 0 none */
    guint32  late_ack_from_frame;
    guint32  late_ack_flight; /* segments in that flight */
    /* the segment the late ACK released, awaiting the next packet to tell
     * a lone release from a flight */
    guint32  held_frame;    /* 0 none */
    double   held_time;
    guint32  held_len;
    guint32  wf_frame;      /* it filled the peer's window here; 0 none */
    double   wf_time;
    guint32  wf_window;     /* the window it filled, bytes */
    double   zw_time;
    double   zw_update_time;
    double   zw_end_time;   /* its last zero-window stall ended here (it sent again); 0 none */
    guint32  zw_frame;      /* the peer's zero window began here; 0 none */
    guint32  zw_update_frame; /* the peer reopened its window here; 0 not yet */
    td_times_t zw_probe_times;
    guint32  zw_probes;
    guint8   late_ack_full;  /* the late-acked flight's segments were all full-sized */
    guint8   held_unsure;    /* the release came later than the sender's own reaction
                              * could, seen from away from the sender: possibly the
                              * application writing after the ACK (think time) */
} td_side_stall_t;


/* A side's stall evidence, all zeros while it had none (never NULL). */
extern const td_side_stall_t td_side_no_stall;
static inline const td_side_stall_t *
td_side_stall_of(const td_side_t *side)
{
    return side->stall ? side->stall : &td_side_no_stall;
}

/* Called for every segment, after the sequence-space model (it reads what
 * the model made of the segment: s->seg_verdict, s->seg_notes) and before
 * the teardown. */
void td_stall_segment(td_stream_t *s, const td_segment_t *seg, td_finding_t **out);

/* Stalls still open at the stream's last packet (a window never reopened, a
 * retransmission never acknowledged) become findings on it. */
void td_stall_finalize(td_stream_t *s, td_finding_t **out);

/* Its part of the verdict: the stalls that ended, and those still open at
 * the stream's last packet as if the capture ended there (unless the stream
 * was concluded): their count, total time (the union of their intervals),
 * the kind and duration of the longest, and the open ones' codes. */
/* The stall kinds, as an index (td_stall_part_t.kind_time). */
typedef enum {
    TD_STALL_NAGLE, TD_STALL_IDLE_RESTART, TD_STALL_ZERO_WINDOW, TD_STALL_WINDOW_FULL,
    TD_STALL_RTO, TD_STALL_KINDS
} td_stall_kind_t;
/* The stall kind of a stall.* code. */
td_stall_kind_t td_stall_kind(td_code_t code);

typedef struct td_stall_part {
    guint32   pending;     /* codes of the stalls still open */
    guint32   count;
    td_code_t worst;       /* TD_CODE_NONE: no stall */
    const char *worst_detail; /* the longest's detail: "spurious", "no_window_scaling" ... */
    double    time, worst_time;
    double    kind_time[TD_STALL_KINDS]; /* the durations of each kind's stalls, summed */
} td_stall_part_t;

void td_stall_publish(const td_stream_t *s, const td_seqspace_facts_t *facts,
                      td_stall_part_t *out);

#endif /* TD_STALL_H */
