/* td_capture.c
 * Per-file state of tcpdiag. Everything lives in wmem file scope or in GLib
 * containers freed by td_capture_cleanup(), so a new file starts clean.
 *
 * Memory is kept proportional to streams and findings, not to frames, except
 * for one guint32 per frame (the frame's stream): later passes (tshark -2,
 * the GUI) must find the stream of a frame without looking it up again (the
 * TCP dissector's conversations are looked up as of the frame on the first
 * pass only).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/address.h>
#include <epan/to_str.h>
#include <epan/wmem_scopes.h>
#include <wiretap/wtap.h>

#include "td_capture.h"

/* A host as one interface of the capture sees it: the same address can
 * arrive over several links of a pcapng, each at its own hop count. */
typedef struct host_key {
    guint32  section;   /* pcapng section */
    guint32  iface;     /* interface within it + 1; 0 when the file has none */
    address  addr;
} host_key_t;

/* A refusing RST that waits for a reference TTL from the whole capture. */
typedef struct ttl_wait {
    td_glue_stream_t *gs;
    host_key_t        server;
} ttl_wait_t;

static td_config_t  config;
static GPtrArray   *streams;        /* tcp.stream index -> td_glue_stream_t* */
static GArray      *frame_stream;   /* frame number -> tcp.stream index + 1 (0: none)
                                     * and the FRAME_HAS_ flags */
static wmem_map_t  *frame_findings; /* frame number -> its td_finding_t list */
static wmem_map_t  *frame_verdicts; /* frame number -> td_seg_verdict_t* */
static wmem_map_t  *host_ttl;       /* host_key_t* -> TTL of its last SYN or SYN-ACK */
static wmem_array_t *ttl_waits;     /* ttl_wait_t */
static guint        ttl_waits_judged; /* the first ones, judged by td_capture_conclude() */
static wmem_map_t  *deferred;       /* tcp.stream index -> wmem_list_t of the caller's items */
static wmem_map_t  *last_on_tuple;  /* a stream's 4-tuple (the stream) -> the last stream
                                     * on it (port reuse) */
static guint32      streams_merged; /* Wireshark streams that continue an earlier one */
static nstime_t     capture_start;
static gboolean     capture_started;
static double       capture_end;
static guint32      frames_read;    /* frames the first pass analysed */
static gboolean     later_pass;     /* a frame was drawn again (tshark -2, the GUI) */
static GSequence   *clock_queue;    /* td_glue_stream_t* sorted by deadline */
/* The last verdict computed (td_capture_verdict), and of which stream at
 * which of its versions. Streams live in file scope and are never freed
 * before td_capture_cleanup(), which forgets it, so (stream, version) names
 * one state of one stream. */
static struct {
    const td_glue_stream_t *gs;
    guint32                 version;
    td_verdict_t            verdict;
} last_verdict;

/* A frame's entry in frame_stream: its stream, and whether it has findings
 * or a segment verdict, so that drawing a frame without either looks up
 * neither map. */
#define FRAME_HAS_FINDINGS 0x80000000u
#define FRAME_HAS_VERDICT  0x40000000u
#define FRAME_STREAM_MASK  0x3FFFFFFFu

static guint32 *
frame_entry(guint32 frame)
{
    /* The length (zero-filled, so touched) doubles up to 64k frames, then
     * grows by 64k: doubling it touched up to twice the 4 bytes a frame
     * (2.1 MB instead of 1.6 MB on bench's 400k-frame short capture);
     * growing it by one frame cost 110 instructions a frame. */
    if (frame >= frame_stream->len)
        g_array_set_size(frame_stream,
                         MAX(frame + 1, frame_stream->len + MIN(frame_stream->len, 65536)));
    return &g_array_index(frame_stream, guint32, frame);
}

static gboolean
frame_has(guint32 frame, guint32 flag)
{
    return frame_stream && frame < frame_stream->len
           && (g_array_index(frame_stream, guint32, frame) & flag) != 0;
}

td_config_t *
td_capture_config(void)
{
    return &config;
}

static guint
host_hash(gconstpointer k)
{
    const host_key_t *key = (const host_key_t *)k;
    return add_address_to_hash(key->section * 65599u + key->iface, &key->addr);
}

static gboolean
host_equal(gconstpointer a, gconstpointer b)
{
    const host_key_t *x = (const host_key_t *)a, *y = (const host_key_t *)b;
    return x->section == y->section && x->iface == y->iface && addresses_equal(&x->addr, &y->addr);
}

/* The frame's source (or destination) as its interface sees it; shallow. */
static void
host_make(host_key_t *key, const packet_info *pinfo, gboolean source)
{
    const wtap_rec *rec = pinfo->rec;

    key->section = rec ? rec->section_number : 0;
    key->iface = (rec && rec->rec_type == REC_TYPE_PACKET
                  && (rec->presence_flags & WTAP_HAS_INTERFACE_ID))
                 ? rec->rec_header.packet_header.interface_id + 1 : 0;
    copy_address_shallow(&key->addr, source ? &pinfo->src : &pinfo->dst);
}

/* The map of streams by 4-tuple keys on the streams themselves (their
 * endpoints, in either order), so that it copies no address: the first
 * stream on a 4-tuple stays its key, the last one its value. */
static int
tuple_first(const td_glue_stream_t *gs)
{
    int c = cmp_address(&gs->addr[0], &gs->addr[1]);

    /* the lower endpoint first, so both directions give the same key */
    return c < 0 || (c == 0 && gs->port[0] <= gs->port[1]) ? 0 : 1;
}

static guint
tuple_hash(gconstpointer k)
{
    const td_glue_stream_t *gs = (const td_glue_stream_t *)k;
    int f = tuple_first(gs);
    guint h = add_address_to_hash(gs->port[f] * 65537u + gs->port[1 - f], &gs->addr[f]);

    return add_address_to_hash(h, &gs->addr[1 - f]);
}

static gboolean
tuple_equal(gconstpointer a, gconstpointer b)
{
    const td_glue_stream_t *x = (const td_glue_stream_t *)a, *y = (const td_glue_stream_t *)b;
    int fx = tuple_first(x), fy = tuple_first(y);

    return x->port[fx] == y->port[fy] && x->port[1 - fx] == y->port[1 - fy]
           && addresses_equal(&x->addr[fx], &y->addr[fy])
           && addresses_equal(&x->addr[1 - fx], &y->addr[1 - fy]);
}

void
td_capture_init(void)
{
    streams = g_ptr_array_new();
    frame_stream = g_array_new(FALSE, TRUE, sizeof(guint32));
    frame_findings = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    frame_verdicts = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    host_ttl = wmem_map_new(wmem_file_scope(), host_hash, host_equal);
    ttl_waits = wmem_array_new(wmem_file_scope(), sizeof(ttl_wait_t));
    deferred = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    ttl_waits_judged = 0;
    last_on_tuple = wmem_map_new(wmem_file_scope(), tuple_hash, tuple_equal);
    streams_merged = 0;
    capture_started = FALSE;
    capture_end = 0.0;
    frames_read = 0;
    later_pass = FALSE;
    clock_queue = g_sequence_new(NULL);
}

void
td_capture_cleanup(void)
{
    last_verdict.gs = NULL;
    /* The streams themselves live in file scope, which is freed after this;
     * a live capture's conclusions have allocators of their own. */
    if (streams) {
        for (guint i = 0; i < streams->len; i++) {
            td_glue_stream_t *gs = (td_glue_stream_t *)g_ptr_array_index(streams, i);

            if (gs && gs->conclusions) {
                wmem_destroy_allocator(gs->conclusions);
                gs->conclusions = NULL; /* a stream Wireshark split is here twice */
            }
        }
        g_ptr_array_free(streams, TRUE);
    }
    if (frame_stream)
        g_array_free(frame_stream, TRUE);
    if (clock_queue)
        g_sequence_free(clock_queue);
    clock_queue = NULL;
    streams = NULL;
    frame_stream = NULL;
    frame_findings = frame_verdicts = host_ttl = last_on_tuple = NULL;
    ttl_waits = NULL;
    deferred = NULL;
}

td_glue_stream_t *
td_capture_find_stream(guint32 index)
{
    return index < streams->len ? (td_glue_stream_t *)g_ptr_array_index(streams, index) : NULL;
}

guint8
td_capture_dir(const td_glue_stream_t *gs, const packet_info *pinfo)
{
    return (pinfo->srcport == gs->port[0] && addresses_equal(&pinfo->src, &gs->addr[0])) ? 0 : 1;
}

/* A deep copy of from whose bytes go to bytes (from->len of them). */
static void
copy_address_into(address *to, const address *from, guint8 *bytes)
{
    if (from->len > 0)
        memcpy(bytes, from->data, from->len);
    set_address(to, from->type, from->len, from->len > 0 ? bytes : NULL);
}

td_glue_stream_t *
td_capture_stream(guint32 index, const packet_info *pinfo, const td_segment_t *first)
{
    td_glue_stream_t *gs;
    td_glue_stream_t tuple, *prev;

    if (index < streams->len && (gs = g_ptr_array_index(streams, index)) != NULL)
        return gs;
    /* Wireshark numbers streams densely from 0, in order of first frame. */
    if (index >= FRAME_STREAM_MASK - 1)
        return NULL;
    if (index >= streams->len)
        g_ptr_array_set_size(streams, index + 1);

    /* its 4-tuple, as its record will hold it */
    copy_address_shallow(&tuple.addr[0], &pinfo->src);
    copy_address_shallow(&tuple.addr[1], &pinfo->dst);
    tuple.port[0] = pinfo->srcport;
    tuple.port[1] = pinfo->destport;
    prev = (td_glue_stream_t *)wmem_map_lookup(last_on_tuple, &tuple);
    if (prev) {
        td_segment_t probe = *first;

        /* A stream that a later Wireshark release split off a connection
         * (a retried SYN, a SYN-ACK after a RST) is that connection. */
        probe.dir = td_capture_dir(prev, pinfo);
        if (!td_stream_is_new_connection(prev->core, &probe)) {
            g_ptr_array_index(streams, index) = prev;
            streams_merged++;
            return prev;
        }
    }

    /* The endpoints' address bytes follow the record in one allocation
     * (issue 12: bytes per stream; two chunks fewer). */
    gs = (td_glue_stream_t *)wmem_alloc0(wmem_file_scope(),
                                         sizeof(*gs) + pinfo->src.len + pinfo->dst.len);
    gs->deadline = -1.0;
    /* tcpdiag's stream number is Wireshark 4.0's: tcp.stream less the
     * streams a later release split off before this one. */
    gs->core = td_stream_new(wmem_file_scope(), &config, index - streams_merged,
                             prev ? prev->core : NULL);
    copy_address_into(&gs->addr[0], &pinfo->src, (guint8 *)(gs + 1));
    copy_address_into(&gs->addr[1], &pinfo->dst, (guint8 *)(gs + 1) + pinfo->src.len);
    gs->port[0] = pinfo->srcport;
    gs->port[1] = pinfo->destport;
    g_ptr_array_index(streams, index) = gs;

    /* a 4-tuple seen before keeps its first stream as the key */
    wmem_map_insert(last_on_tuple, gs, gs);
    return gs;
}

void
td_capture_set_frame_stream(guint32 frame, guint32 index)
{
    guint32 *e = frame_entry(frame);

    *e = (*e & ~FRAME_STREAM_MASK) | (index + 1);
}

td_glue_stream_t *
td_capture_frame_stream(guint32 frame)
{
    guint32 value;

    if (!frame_stream || frame >= frame_stream->len)
        return NULL;
    value = g_array_index(frame_stream, guint32, frame) & FRAME_STREAM_MASK;
    if (value == 0 || value - 1 >= streams->len)
        return NULL;
    return (td_glue_stream_t *)g_ptr_array_index(streams, value - 1);
}

void
td_capture_add_findings(td_finding_t *list)
{
    while (list) {
        td_finding_t *next = list->next, *head;
        gpointer key = GUINT_TO_POINTER(list->frame);

        /* Findings of one frame form one list, in the order they were found
         * (a frame has a few at most: appending walks it). */
        list->next = NULL;
        *frame_entry(list->frame) |= FRAME_HAS_FINDINGS;
        head = (td_finding_t *)wmem_map_lookup(frame_findings, key);
        if (!head) {
            wmem_map_insert(frame_findings, key, list);
        } else {
            while (head->next)
                head = head->next;
            head->next = list;
        }
        list = next;
    }
}

td_finding_t *
td_capture_frame_findings(guint32 frame)
{
    if (!frame_findings || !frame_has(frame, FRAME_HAS_FINDINGS))
        return NULL;
    return (td_finding_t *)wmem_map_lookup(frame_findings, GUINT_TO_POINTER(frame));
}

void
td_capture_set_frame_verdict(guint32 frame, const td_seg_verdict_t *verdict)
{
    *frame_entry(frame) |= FRAME_HAS_VERDICT;
    wmem_map_insert(frame_verdicts, GUINT_TO_POINTER(frame), (gpointer)verdict);
}

const td_seg_verdict_t *
td_capture_frame_verdict(guint32 frame)
{
    return frame_verdicts && frame_has(frame, FRAME_HAS_VERDICT)
           ? (const td_seg_verdict_t *)wmem_map_lookup(frame_verdicts, GUINT_TO_POINTER(frame))
           : NULL;
}

static guint8
host_ttl_of(const host_key_t *key)
{
    return (guint8)GPOINTER_TO_UINT(wmem_map_lookup(host_ttl, key));
}

guint8
td_capture_host_ttl(const packet_info *pinfo)
{
    host_key_t key;

    host_make(&key, pinfo, TRUE);
    return host_ttl_of(&key);
}

void
td_capture_note_host_ttl(const packet_info *pinfo, guint8 ttl)
{
    host_key_t key, *stored;

    host_make(&key, pinfo, TRUE);
    if (!ttl || host_ttl_of(&key) == ttl)
        return;
    stored = wmem_new(wmem_file_scope(), host_key_t);
    *stored = key;
    copy_address_wmem(wmem_file_scope(), &stored->addr, &key.addr);
    wmem_map_insert(host_ttl, stored, GUINT_TO_POINTER((guint)ttl));
}

void
td_capture_wait_host_ttl(td_glue_stream_t *gs, const packet_info *pinfo)
{
    ttl_wait_t wait;

    wait.gs = gs;
    host_make(&wait.server, pinfo, TRUE);
    copy_address_wmem(wmem_file_scope(), &wait.server.addr, &pinfo->src);
    wmem_array_append_one(ttl_waits, wait);
}

/* A few per stream: garbage that quotes a stream never seen costs little. */
#define TD_MAX_DEFERRED 8

void
td_capture_defer(guint32 index, gpointer item)
{
    wmem_list_t *list = (wmem_list_t *)wmem_map_lookup(deferred, GUINT_TO_POINTER(index));

    if (!list) {
        list = wmem_list_new(wmem_file_scope());
        wmem_map_insert(deferred, GUINT_TO_POINTER(index), list);
    }
    if (wmem_list_count(list) < TD_MAX_DEFERRED)
        wmem_list_append(list, item);
}

wmem_list_t *
td_capture_take_deferred(guint32 index)
{
    if (!deferred || !wmem_map_size(deferred))
        return NULL;
    return (wmem_list_t *)wmem_map_remove(deferred, GUINT_TO_POINTER(index));
}

void
td_capture_conclude(void)
{
    if (!ttl_waits)
        return;
    for (; ttl_waits_judged < wmem_array_get_count(ttl_waits); ttl_waits_judged++) {
        ttl_wait_t *wait = (ttl_wait_t *)wmem_array_index(ttl_waits, ttl_waits_judged);
        td_stream_late_host_ttl(wait->gs->core, host_ttl_of(&wait->server));
    }
}

double
td_capture_time(const packet_info *pinfo)
{
    nstime_t delta;
    double t;

    if (!capture_started) {
        capture_start = pinfo->abs_ts;
        capture_started = TRUE;
    }
    nstime_delta(&delta, &pinfo->abs_ts, &capture_start);
    t = nstime_to_sec(&delta);
    if (t > capture_end)
        capture_end = t;
    frames_read++;
    return t;
}

double
td_capture_end(void)
{
    return capture_end;
}

guint32
td_capture_frames_read(void)
{
    return frames_read;
}

void
td_capture_foreach_stream(void (*fn)(td_glue_stream_t *gs, void *data), void *data)
{
    /* A stream Wireshark split is in the array twice: its tcpdiag number,
     * below the array's length, tells the second time. */
    guint32 *seen = g_new0(guint32, streams ? streams->len / 32 + 1 : 1);

    for (guint i = 0; streams && i < streams->len; i++) {
        td_glue_stream_t *gs = (td_glue_stream_t *)g_ptr_array_index(streams, i);
        guint32 n;

        if (!gs)
            continue;
        n = gs->core->index;
        if (seen[n / 32] & (1u << (n % 32)))
            continue;
        seen[n / 32] |= 1u << (n % 32);
        fn(gs, data);
    }
    g_free(seen);
}

static gint
by_deadline(gconstpointer a, gconstpointer b, gpointer user_data _U_)
{
    const td_glue_stream_t *x = (const td_glue_stream_t *)a, *y = (const td_glue_stream_t *)b;

    if (x->deadline != y->deadline)
        return x->deadline < y->deadline ? -1 : 1;
    return x->core->index < y->core->index ? -1 : x->core->index > y->core->index;
}

void
td_capture_clock(td_glue_stream_t *gs)
{
    GSequenceIter *head;

    if (!clock_queue)
        return;
    if (gs && gs->deadline < 0.0) {
        double deadline = td_stream_deadline(gs->core);
        if (deadline >= 0.0) {
            gs->deadline = deadline;
            g_sequence_insert_sorted(clock_queue, gs, by_deadline, NULL);
        }
    }
    while (!g_sequence_is_empty(clock_queue)) {
        td_glue_stream_t *due;

        head = g_sequence_get_begin_iter(clock_queue);
        due = (td_glue_stream_t *)g_sequence_get(head);
        if (due->deadline > capture_end)
            break;
        g_sequence_remove(head);
        due->deadline = -1.0;
        td_stream_clock(due->core, capture_end);
    }
}

const td_stream_names_t *
td_capture_names(const td_glue_stream_t *gs, int service_side)
{
    /* a cache: the stream's words do not change, only when they are made */
    td_glue_stream_t *mine = (td_glue_stream_t *)gs;
    td_stream_names_t *n = mine->names;

    if (!n) {
        n = wmem_new0(wmem_file_scope(), td_stream_names_t);
        for (int d = 0; d < 2; d++)
            n->addr[d] = address_to_str(wmem_file_scope(), &gs->addr[d]);
        mine->names = n;
    }
    if (!n->service[service_side])
        n->service[service_side] = td_fmt_endpoint(wmem_file_scope(), n->addr[service_side],
                                                   gs->port[service_side]);
    return n;
}

const td_verdict_t *
td_capture_verdict(const td_glue_stream_t *gs)
{
    if (last_verdict.gs != gs || last_verdict.version != gs->core->version) {
        td_verdict_compute(gs->core, &last_verdict.verdict);
        last_verdict.gs = gs;
        last_verdict.version = gs->core->version;
    }
    return &last_verdict.verdict;
}

const char *
td_capture_diagnoses(const td_glue_stream_t *cgs)
{
    return td_capture_verdict(cgs)->codes_text;
}

gboolean
td_capture_later_pass(void)
{
    return later_pass;
}

void
td_capture_final(td_glue_stream_t *gs)
{
    td_stream_t *s = gs->core;

    later_pass = TRUE;
    td_capture_conclude();
    /* Concluded, and neither the stream nor the capture's end moved since
     * (the end moves only in a live capture: "until the capture ends 3 s
     * later" is then redrawn; a finalize that concludes nothing costs no
     * memory). */
    if (s->finalized && gs->final_version == s->version && gs->final_end == capture_end)
        return;
    td_stream_thaw(s);
    if (s->prefinal) {
        /* Concluded before (a live capture): the last conclusions are no
         * longer drawn; they go, so that a stream redrawn all through a long
         * capture keeps one set, not one per redraw. */
        if (!gs->conclusions)
            gs->conclusions = wmem_allocator_new(WMEM_ALLOCATOR_SIMPLE);
        else
            wmem_free_all(gs->conclusions);
    }
    gs->final_findings = td_stream_finalize_in(s, capture_end, gs->conclusions);
    gs->final_version = s->version;
    gs->final_end = capture_end;
}
