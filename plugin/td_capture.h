/* td_capture.h
 * What tcpdiag keeps for the open capture file (wmem file scope): the streams,
 * each frame's stream and findings, and the per-host TTLs and per-4-tuple
 * history that evidence from other streams needs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_CAPTURE_H
#define TD_CAPTURE_H

#include <epan/packet.h>

#include "tcpdiag_core.h"

/* A stream as the glue sees it: the core's state plus the endpoints. */
typedef struct td_glue_stream {
    td_stream_t *core;
    address      addr[2];   /* [0]: the endpoint that sent the stream's first packet */
    guint32      port[2];
    /* Its conclusions when it was last finalized (td_capture_final), drawn
     * on its last frame by later passes; valid while the core is finalized
     * at final_version. */
    td_finding_t *final_findings;
    wmem_allocator_t *conclusions; /* where they live when concluded again (live); or NULL */
    double       final_end;       /* the capture's end they were concluded at */
    guint32      final_version;
    double       deadline;  /* td_stream_deadline() it waits on in the clock queue; < 0 none */
    struct td_stream_names *names; /* its endpoints in words, made when first drawn; or NULL */
} td_glue_stream_t;

/* A stream's endpoints in words (tcpdiag.host.*), made once. */
typedef struct td_stream_names {
    const char *addr[2];    /* each endpoint's address ("10.0.0.5", "fd77::2") */
    const char *service[2]; /* each endpoint's address and port ("[fd77::2]:8080"); made
                             * when first asked for (the server is known late mid-stream) */
} td_stream_names_t;

/* The "tcpdiag" tap is queued for every TCP frame of a stream, on every pass,
 * with the frame's td_glue_stream_t as its data. */

void td_capture_init(void);
void td_capture_cleanup(void);

/* The configuration the core uses (preferences write into it). */
td_config_t *td_capture_config(void);

/* First pass: the stream with Wireshark's index, created on its first frame
 * (whose addresses and ports become endpoint 0, and whose segment is first).
 * A Wireshark stream that does not open a new connection on the 4-tuple of an
 * earlier one (td_stream_is_new_connection) is that earlier stream. */
td_glue_stream_t *td_capture_stream(guint32 index, const packet_info *pinfo,
                                    const td_segment_t *first);
/* First pass: the stream with Wireshark's index if it exists, else NULL. */
td_glue_stream_t *td_capture_find_stream(guint32 index);
/* The direction of the frame's segment in the stream: 0 when sent by endpoint 0. */
guint8 td_capture_dir(const td_glue_stream_t *gs, const packet_info *pinfo);
/* First pass: remember which stream (Wireshark's index) a frame belongs to. */
void td_capture_set_frame_stream(guint32 frame, guint32 index);
/* Any pass: the stream of a frame, NULL if the frame is not analysed. */
td_glue_stream_t *td_capture_frame_stream(guint32 frame);

/* Keep findings (a list, possibly for several frames) with their frames. */
void td_capture_add_findings(td_finding_t *list);
td_finding_t *td_capture_frame_findings(guint32 frame);

/* What the sequence-space model said of a frame's segment (retransmission,
 * probe, reordered, duplicate); kept only for those frames. */
void td_capture_set_frame_verdict(guint32 frame, const td_seg_verdict_t *verdict);
const td_seg_verdict_t *td_capture_frame_verdict(guint32 frame);

/* The TTL of the last SYN or SYN-ACK from the frame's source, as the frame's
 * interface saw it (0 unknown); and noting one. */
guint8 td_capture_host_ttl(const packet_info *pinfo);
void td_capture_note_host_ttl(const packet_info *pinfo, guint8 ttl);
/* The stream's refusing RST (this frame) had no reference TTL: it waits for
 * one from the whole capture (td_capture_conclude). */
void td_capture_wait_host_ttl(td_glue_stream_t *gs, const packet_info *pinfo);

/* First pass: an item (the caller's) for a stream not seen yet, kept until
 * the stream's first segment (at most a few per stream); and taking them. */
void td_capture_defer(guint32 index, gpointer item);
wmem_list_t *td_capture_take_deferred(guint32 index);

/* The first pass is over (tshark's table is drawn, or a later pass began):
 * what needs the whole capture is concluded, the same in every mode. Each
 * refusing RST is judged once (in a live capture, those that came since the
 * last call). */
void td_capture_conclude(void);

/* Seconds since the capture's first frame; also tracks the capture's end
 * and counts the frames the first pass analysed (call it once a frame). */
double td_capture_time(const packet_info *pinfo);
/* The capture's end as read so far (seconds), and the frames analysed. */
double td_capture_end(void);
guint32 td_capture_frames_read(void);
/* Each stream once, in tcpdiag's stream order. */
void td_capture_foreach_stream(void (*fn)(td_glue_stream_t *gs, void *data), void *data);

/* First pass, after each analysed frame: the capture's clock moved to the
 * frame's time. A stream whose verdict changes at a capture time
 * (td_stream_deadline: a half-close that lasts) waits in a queue sorted by
 * that time; every stream whose time the clock passed is told
 * (td_stream_clock), as its own packet would be. So a single pass and the
 * table see what td_stream_finalize() sees. */
void td_capture_clock(td_glue_stream_t *gs);

/* Later passes: the stream concluded at the capture's end as read so far
 * (end-of-capture verdicts), before anything is drawn from it. Done once per
 * stream when the first pass is over (tshark -2, a file in the GUI). In a
 * live capture, Wireshark redraws frames while packets still arrive: a packet
 * of the stream thaws it (td_stream_thaw), and so does the capture's end
 * moving past its conclusions, and it is concluded again when next drawn.
 * Its verdict is then the one the file saved at that moment gives. */
void td_capture_final(td_glue_stream_t *gs);
/* The stream's verdict as it is now (verdict/td_verdict.h): what the tree,
 * the fields and the table show of it. The last one computed is kept until
 * its stream changes or another stream's is asked for, so a stream's tree,
 * fields and row compute it once per change; valid until the next call. */
const td_verdict_t *td_capture_verdict(const td_glue_stream_t *gs);

/* The stream's endpoints in words, for side (0 or 1) as a service: made on
 * the first call, kept for the capture (the tree draws them on every packet
 * of every pass). */
const td_stream_names_t *td_capture_names(const td_glue_stream_t *gs, int service_side);
/* Whether a later pass began (a frame drawn again: tshark -2, the GUI), so
 * that the capture read so far is whole. */
gboolean td_capture_later_pass(void);
/* tcpdiag.stream.diagnoses of the stream as it is now (interned). */
const char *td_capture_diagnoses(const td_glue_stream_t *gs);

#endif /* TD_CAPTURE_H */
