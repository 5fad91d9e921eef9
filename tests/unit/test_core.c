/* test_core.c
 * Unit tests of the analysis core: segments in, states and findings out.
 * Each test builds a stream, feeds hand-written segments that follow real
 * stacks' behaviour, and checks verdicts, findings and their numbers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tcpdiag_core.h"
#include "model/td_endpoint.h"
#include "model/td_seqspace.h"
#include "detect/td_stall.h"

static int passed, failed;
static const char *current;

#define CHECK(cond) check((cond), #cond, __LINE__)
static void
check(int ok, const char *what, int line)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL %s (line %d): %s\n", current, line, what);
    }
}

static wmem_allocator_t *scope;

/* The stream's verdict as the glue reads it (verdict/td_verdict.h),
 * computed at each call. */
static const td_verdict_t *
verdict(const td_stream_t *s)
{
    static td_verdict_t v;

    td_verdict_compute(s, &v);
    return &v;
}

static td_stream_severity_t
severity_of(const td_stream_t *s, td_code_t *headline)
{
    const td_verdict_t *v = verdict(s);

    *headline = v->headline;
    return v->severity;
}
static td_config_t cfg;
static guint32 frame_no;
static td_finding_t *all; /* every finding of the current test, in order */

/* A finding's message (some are made only when shown). */
#define MSG(f) td_finding_message((f), scope)

#define C 0 /* client: first sender in these tests */
#define S 1

/* Every finding of every test passes here: its text must fit an expert
 * info, which Wireshark cuts at 240 characters (ITEM_LABEL_LENGTH). */
static void
collect(td_finding_t *list)
{
    td_finding_t **tail = &all;

    for (const td_finding_t *f = list; f; f = f->next) {
        /* Wireshark cuts an item's label at 239 characters: the message
         * follows "Expert Info (Warning/Sequence): ", the cause "Likely cause: ". */
        if (g_str_has_suffix(MSG(f), "...") || (f->cause && strlen(f->cause) > 239 - 14)) {
            failed++;
            printf("FAIL %s: message too long for an expert info: %s\n", current, MSG(f));
        }
        /* a count says what it counts ("Finding count: 5 SYN retransmissions") */
        if (f->count && !td_code_counts(f->code, f->detail)) {
            failed++;
            printf("FAIL %s: %s (%s) counts %u of nothing named\n", current,
                   td_code_info(f->code)->name, f->detail ? f->detail : "", f->count);
        }
    }
    while (*tail)
        tail = &(*tail)->next;
    *tail = list;
}

/* A stream as a value: the record and the parts it allocates on first use
 * (all zeros while absent), without the parts' addresses and without what
 * says when it was read rather than what it is (its version, its cached
 * snapshot, the saved state of a finalize). */
typedef struct {
    td_stream_t         s;
    td_seqdir_trouble_t trouble[2];
    td_side_stall_t     stall[2];
} stream_image_t;

static void
take_image(stream_image_t *img, const td_stream_t *s)
{
    memset(img, 0, sizeof(*img));
    img->s = *s;
    for (int d = 0; d < 2; d++) {
        img->trouble[d] = *td_seqdir_trouble_of(&s->seq[d]);
        img->stall[d] = *td_side_stall_of(&s->side[d]);
        img->s.seq[d].trouble = NULL;
        img->s.side[d].stall = NULL;
    }
    img->s.version = 0;
    img->s.prefinal = NULL;
}

/* td_stream_finalize(), checked on every stream the tests build: a thaw
 * (td_stream_thaw, a live capture's next packet) restores the stream byte
 * for byte, its parts included, and finalizing again concludes the same, in
 * the same words. */
static td_finding_t *
finalize(td_stream_t *s, double end)
{
    stream_image_t before, after, now;
    td_finding_t *first, *again;
    const td_finding_t *a, *b;

    if (s->finalized)
        return td_stream_finalize(s, end);
    td_stream_clock(s, end); /* finalize moves the clock first, and keeps it */
    take_image(&before, s);
    first = td_stream_finalize(s, end);
    take_image(&after, s);
    td_stream_thaw(s);
    take_image(&now, s);
    if (memcmp(&before, &now, sizeof(now)) != 0) {
        failed++;
        printf("FAIL %s: td_stream_thaw() left the stream changed\n", current);
    }
    /* Concluded again in a scope of its own, which is freed once the
     * stream is thawed (a live capture's redraws): nothing of the stream may
     * point into it then (ASan checks it in tests/fuzz/run.sh). */
    {
        wmem_allocator_t *conclusions = wmem_allocator_new(WMEM_ALLOCATOR_SIMPLE);
        again = td_stream_finalize_in(s, end, conclusions);
        for (a = first, b = again; a && b; a = a->next, b = b->next) {
            if (a->code != b->code || strcmp(MSG(a), MSG(b)) != 0)
                break;
        }
        if (a || b) {
            failed++;
            printf("FAIL %s: finalizing in another scope concluded differently\n", current);
        }
        td_stream_thaw(s);
        wmem_destroy_allocator(conclusions);
    }
    take_image(&now, s);
    if (memcmp(&before, &now, sizeof(now)) != 0) {
        failed++;
        printf("FAIL %s: td_stream_thaw() after a finalize in a scope left the stream changed\n",
               current);
    }
    again = td_stream_finalize(s, end);
    for (a = first, b = again; a && b; a = a->next, b = b->next) {
        if (a->code != b->code || a->frame != b->frame || strcmp(MSG(a), MSG(b)) != 0)
            break;
    }
    if (a || b) {
        failed++;
        printf("FAIL %s: finalizing again after a thaw concluded differently\n", current);
    }
    take_image(&now, s);
    after.s.last_finding = now.s.last_finding; /* the new conclusions' own */
    if (memcmp(&after, &now, sizeof(now)) != 0) {
        failed++;
        printf("FAIL %s: finalizing again after a thaw left another state\n", current);
    }
    passed++;
    return again;
}

static td_stream_t *
new_stream(td_stream_t *prev)
{
    frame_no = 0;
    all = NULL;
    return td_stream_new(scope, &cfg, prev ? prev->index + 1 : 0, prev);
}

/* The next frame's segment between client port 40000 and server port 80. */
static void
make_seg(td_segment_t *seg, double t, int dir, guint16 flags, guint32 seq, guint32 ack,
         guint32 len)
{
    memset(seg, 0, sizeof(*seg));
    seg->frame = ++frame_no;
    seg->time = t;
    seg->dir = (guint8)dir;
    seg->sport = dir == C ? 40000 : 80;
    seg->dport = dir == C ? 80 : 40000;
    seg->ip_version = 4;
    seg->flags = flags;
    seg->seq = seq;
    seg->ack = ack;
    seg->len = len;
    seg->win = 64240;
    seg->wscale = TD_NO_WSCALE;
}

/* Feed one segment. ttl 64 from the client, 63 from the server (one hop). */
static td_finding_t *
feed_full(td_stream_t *s, double t, int dir, guint16 flags, guint32 seq, guint32 ack, guint32 len,
          guint8 ttl, guint8 host_ttl)
{
    td_segment_t seg;
    td_finding_t *f;

    make_seg(&seg, t, dir, flags, seq, ack, len);
    seg.ttl = ttl;
    seg.host_ttl = host_ttl;
    if (flags & TD_SYN) {
        seg.mss = 1460;
        seg.wscale = 7;
        seg.opts = TD_OPT_SACK_PERM | TD_OPT_TIMESTAMP;
    }
    f = td_stream_segment(s, &seg);
    collect(f);
    return f;
}

static td_finding_t *
feed(td_stream_t *s, double t, int dir, guint16 flags, guint32 seq, guint32 ack, guint32 len)
{
    return feed_full(s, t, dir, flags, seq, ack, len, dir == C ? 64 : 63, 0);
}

/* A pure ACK advertising window win (0: a zero window). */
static void
feed_window(td_stream_t *s, double t, int dir, guint32 seq, guint32 ack, guint32 win)
{
    td_segment_t seg;

    make_seg(&seg, t, dir, TD_ACK, seq, ack, 0);
    seg.win = win;
    collect(td_stream_segment(s, &seg));
}

/* One segment with timestamps and at most one SACK block (le < re). */
static void
feed_ts(td_stream_t *s, double t, int dir, guint16 flags, guint32 seq, guint32 ack, guint32 len,
        guint32 win, guint32 tsval, guint32 tsecr, guint32 le, guint32 re)
{
    td_segment_t seg;

    make_seg(&seg, t, dir, flags, seq, ack, len);
    seg.win = win;
    seg.ts_known = TRUE;
    seg.tsval = tsval;
    seg.tsecr = tsecr;
    if (le != re) {
        seg.sack_count = 1;
        seg.sack[0][0] = le;
        seg.sack[0][1] = re;
    }
    collect(td_stream_segment(s, &seg));
}

static const td_finding_t *
find(td_code_t code)
{
    for (const td_finding_t *f = all; f; f = f->next) {
        if (f->code == code)
            return f;
    }
    return NULL;
}

static int
count_findings(void)
{
    int n = 0;
    for (const td_finding_t *f = all; f; f = f->next)
        n++;
    return n;
}

static gboolean
has_code(const td_stream_t *s, td_code_t code)
{
    return (verdict(s)->codes & TD_CODE_BIT(code)) != 0;
}

static gboolean
near(double a, double b)
{
    return fabs(a - b) < 1e-6;
}

/* A complete healthy connection: handshake, request, response, 4-way close. */
/* A SYN (TSval 10) and its SYN-ACK (TSval 900), with timestamps: the
 * third ACK is the test's. */
static td_stream_t *
ts_handshake_half(void)
{
    td_stream_t *s = new_stream(NULL);

    feed_ts(s, 0.0, C, TD_SYN, 1000, 0, 0, 64240, 10, 0, 0, 0);
    feed_ts(s, 0.0001, S, TD_SYN | TD_ACK, 5000, 1001, 0, 64240, 900, 10, 0, 0);
    return s;
}

static td_stream_t *
healthy(double rtt)
{
    td_stream_t *s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, rtt / 2, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, rtt, C, TD_ACK, 1001, 5001, 0);
    feed(s, rtt, C, TD_ACK | TD_PSH, 1001, 5001, 100);
    feed(s, rtt * 1.5, S, TD_ACK, 5001, 1101, 0);
    feed(s, rtt * 1.6, S, TD_ACK | TD_PSH, 5001, 1101, 200);
    feed(s, rtt * 2.1, C, TD_ACK, 1101, 5201, 0);
    feed(s, rtt * 3, C, TD_ACK | TD_FIN, 1101, 5201, 0);
    feed(s, rtt * 3.5, S, TD_ACK, 5201, 1102, 0);
    feed(s, rtt * 3.6, S, TD_ACK | TD_FIN, 5201, 1102, 0);
    feed(s, rtt * 4.1, C, TD_ACK, 1102, 5202, 0);
    return s;
}

/* The codes' severities rank as the table does (docs/diagnoses.md, "Expert
 * Information"), and a code's second face is chosen by the finding's detail. */
static void
test_code_faces(void)
{
    current = "code_faces";
    for (int c = 0; c < TD_CODE_COUNT; c++) {
        const td_code_info_t *info = td_code_info((td_code_t)c), *alt;
        CHECK(info->title && *info->title && strlen(info->title) < 60);
        CHECK(td_code_info_for((td_code_t)c, NULL) == info);
        alt = td_code_alt_info((td_code_t)c);
        CHECK(!alt || g_str_equal(alt->name, info->name));
        CHECK(!alt || !g_str_equal(alt->title, info->title));
    }
    /* a connection that never worked above a stall, above a note, above a chat */
    CHECK(td_code_info(TD_HS_SYN_UNANSWERED)->severity == TD_SEV_ERROR);
    CHECK(td_code_info(TD_ST_RTO)->severity == TD_SEV_WARN);
    CHECK(td_code_info(TD_HS_OPTIONS)->severity == TD_SEV_NOTE);
    CHECK(td_code_info(TD_TD_OPEN)->severity == TD_SEV_CHAT);
    /* a RST that only ends a close is a note; a middlebox's, or an abort, an error */
    CHECK(td_code_info_for(TD_TD_RESET, "after_peer_fin")->severity == TD_SEV_NOTE);
    CHECK(td_code_info_for(TD_TD_RESET, "late_close")->severity == TD_SEV_NOTE);
    CHECK(td_code_info_for(TD_TD_RESET, "after_peer_fin,middlebox")->severity == TD_SEV_ERROR);
    CHECK(td_code_info_for(TD_TD_RESET, "abort")->severity == TD_SEV_ERROR);
    CHECK(td_code_info_for(TD_TD_GRACEFUL, "late_close")->severity == TD_SEV_NOTE);
    CHECK(td_code_info_for(TD_TD_GRACEFUL, "four_way")->severity == TD_SEV_CHAT);
    /* what counts count, by detail where it differs */
    CHECK(g_str_equal(td_code_counts(TD_DT_PATH_MTU, "icmp"), "ICMP errors"));
    CHECK(g_str_equal(td_code_counts(TD_DT_PATH_MTU, "black_hole"), "timeouts of the large segment"));
    CHECK(g_str_equal(td_code_counts(TD_HS_SYNACK_LOST, "syn_retransmitted"), "SYN-ACKs lost"));
    CHECK(td_code_counts(TD_ST_WINDOW_FULL, "window_full") == NULL);
}

static void
test_healthy(void)
{
    td_stream_t *s;

    current = "healthy";
    s = healthy(0.040);
    CHECK(count_findings() == 1);
    CHECK(find(TD_TD_GRACEFUL) != NULL);
    CHECK(find(TD_TD_GRACEFUL) && strcmp(find(TD_TD_GRACEFUL)->detail, "four_way") == 0);
    CHECK(find(TD_TD_GRACEFUL) && find(TD_TD_GRACEFUL)->frame == 11);
    CHECK(finalize(s, 10.0) == NULL);
    CHECK(strcmp(verdict(s)->conn_state, "SF") == 0);
    CHECK(strcmp(s->history, "ShADadFf") == 0);
    CHECK(verdict(s)->handshake == TD_CODE_NONE);
    CHECK(verdict(s)->teardown == TD_TD_GRACEFUL);
    CHECK(verdict(s)->codes == TD_CODE_BIT(TD_TD_GRACEFUL));
    CHECK(near(s->path.initial_rtt, 0.040));
    CHECK(strcmp(verdict(s)->codes_text, "teardown.graceful") == 0);
}

/* Each direction's scoreboard goes back to the allocator when its FIN is
 * acknowledged (td_seqspace_release), and comes back with a later segment:
 * a FIN sent again after the close is still a retransmission. */
static void
test_scoreboard_released(void)
{
    td_stream_t *s;
    const td_seg_verdict_t *v;

    current = "scoreboard_released";
    s = healthy(0.040);
    CHECK(s->seq[C].r == NULL && s->seq[C].cap == 0 && s->seq[C].n == 0);
    CHECK(s->seq[S].r == NULL && s->seq[S].cap == 0 && s->seq[S].n == 0);
    /* the server's last data again after the close (already acknowledged),
     * then the client's ACK of it */
    feed(s, 0.040 * 4.1 + 0.2, S, TD_ACK | TD_PSH, 5001, 1102, 200);
    v = td_stream_segment_verdict(s);
    CHECK(v != NULL && v->segclass == TD_SEGCLASS_RETRANSMISSION
          && (v->spurious & TD_SPURIOUS_ACKED));
    feed(s, 0.040 * 4.1 + 0.2001, C, TD_ACK, 1102, 5202, 0);
    CHECK(s->seq[S].n == 0);
    CHECK(verdict(s)->teardown == TD_TD_GRACEFUL);
}

static void
test_syn_unanswered(void)
{
    td_stream_t *s;
    const td_finding_t *f;

    current = "syn_unanswered, classic backoff, client gives up";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 1.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 3.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 7.0, C, TD_SYN, 1000, 0, 0);
    CHECK(all == NULL);               /* only the end of the capture proves it */
    CHECK(has_code(s, TD_HS_SYN_UNANSWERED)); /* ... but the verdict says so already */
    CHECK(strcmp(verdict(s)->conn_state, "S0") == 0);
    collect(finalize(s, 30.0));
    f = find(TD_HS_SYN_UNANSWERED);
    CHECK(f != NULL);
    CHECK(f && f->frame == 4);        /* on the stream's last packet */
    CHECK(f && f->count == 3);
    CHECK(f && near(f->duration, 7.0));
    CHECK(f && strcmp(f->detail, "gave_up") == 0);
    CHECK(f && strstr(MSG(f), "+1.00 s, +2.00 s, +4.00 s") != NULL);
    CHECK(finalize(s, 30.0) == NULL); /* idempotent */
    CHECK(verdict(s)->handshake == TD_HS_SYN_UNANSWERED);

    current = "syn_unanswered, capture ends while retrying";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 1.0, C, TD_SYN, 1000, 0, 0);
    collect(finalize(s, 1.5));
    f = find(TD_HS_SYN_UNANSWERED);
    CHECK(f && strcmp(f->detail, "capture_ended") == 0);
}

/* A SYN refused by a RST (TTL 63) that no earlier packet judged, then the
 * server host's TTL from the whole capture (0: none): the finding. */
static const td_finding_t *
refused_then_late_ttl(guint8 late_ttl)
{
    td_stream_t *s = new_stream(NULL);

    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed_full(s, 0.01, S, TD_RST | TD_ACK, 0, 1001, 0, 63, 0);
    td_stream_late_host_ttl(s, late_ttl);
    return find(TD_HS_REJECTED);
}

static void
test_rejected(void)
{
    td_stream_t *s;
    const td_finding_t *f;

    current = "rejected by the server's RST";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 0.02, S, TD_RST | TD_ACK, 0, 1001, 0);
    f = find(TD_HS_REJECTED);
    CHECK(f && f->frame == 2 && f->ref_frame == 1);
    CHECK(f && strcmp(f->detail, "rst") == 0); /* no other server packet: cannot tell */
    CHECK(strcmp(verdict(s)->conn_state, "REJ") == 0);
    CHECK(strcmp(s->history, "Sr") == 0);
    collect(finalize(s, 5.0));
    CHECK(count_findings() == 1); /* not also syn_unanswered */

    current = "rejected by a middlebox RST (TTL differs from the host's)";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed_full(s, 0.01, S, TD_RST | TD_ACK, 0, 1001, 0, 64, 63);
    f = find(TD_HS_REJECTED);
    CHECK(f && strcmp(f->detail, "rst_middlebox") == 0);
    CHECK(f && strstr(f->cause, "middlebox") != NULL);

    current = "rejected by the host itself (same TTL)";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed_full(s, 0.01, S, TD_RST | TD_ACK, 0, 1001, 0, 63, 63);
    f = find(TD_HS_REJECTED);
    CHECK(f && strcmp(f->detail, "rst") == 0);
    CHECK(!td_stream_wants_host_ttl(s)); /* judged when it came */

    current = "refusing RST judged by a SYN-ACK later in the capture (middlebox)";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed_full(s, 0.01, S, TD_RST | TD_ACK, 0, 1001, 0, 64, 0);
    f = find(TD_HS_REJECTED);
    CHECK(f && strcmp(f->detail, "rst") == 0 && strstr(f->cause, "cannot be told"));
    CHECK(td_stream_wants_host_ttl(s));
    td_stream_late_host_ttl(s, 63);
    CHECK(!td_stream_wants_host_ttl(s));
    CHECK(strcmp(f->detail, "rst_middlebox") == 0 && strstr(f->cause, "elsewhere in the capture"));
    CHECK(strstr(MSG(f), "likely sent by a middlebox") != NULL);
    {
        char *summary = td_verdict_summary(NULL, verdict(s));
        CHECK(strstr(summary, "middlebox") != NULL);
        g_free(summary);
    }
    td_stream_late_host_ttl(s, 64); /* once: a second reference changes nothing */
    CHECK(strcmp(f->detail, "rst_middlebox") == 0);

    current = "refusing RST judged by a SYN-ACK later in the capture (the host)";
    f = refused_then_late_ttl(63);
    CHECK(f && strcmp(f->detail, "rst") == 0 && strstr(f->cause, "the server host refused"));

    current = "refusing RST, then a SYN-ACK in the stream: injected, no TTL needed";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed_full(s, 0.01, S, TD_RST | TD_ACK, 0, 1001, 0, 60, 0);
    feed(s, 0.02, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    CHECK(!td_stream_wants_host_ttl(s));
    td_stream_late_host_ttl(s, 63);
    f = find(TD_HS_REJECTED);
    CHECK(f && strcmp(f->detail, "rst") == 0); /* the RST's own finding, unchanged */
    CHECK(strstr(f->cause, "cannot be told") != NULL);

    current = "refusing RST with no SYN-ACK from its host anywhere";
    f = refused_then_late_ttl(0);
    CHECK(f && strcmp(f->detail, "rst") == 0 && strstr(f->cause, "is in the capture"));
}

static void
test_icmp(void)
{
    td_stream_t *s;
    td_icmp_error_t e;
    const td_finding_t *f;

    current = "rejected by ICMP port unreachable from a router";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    memset(&e, 0, sizeof(e));
    e.frame = 2;
    e.time = 0.02;
    e.ip_version = 4;
    e.type = 3;
    e.code = 3;
    e.quoted_dir = C;
    e.quoted_flags = TD_SYN;
    e.sender = "10.0.0.1";
    collect(td_stream_icmp_error(s, &e));
    f = find(TD_HS_REJECTED);
    CHECK(f && strcmp(f->detail, "icmp") == 0);
    CHECK(f && strstr(MSG(f), "ICMP port unreachable from 10.0.0.1") != NULL);
    CHECK(strcmp(verdict(s)->conn_state, "REJ") == 0);
    CHECK(!has_code(s, TD_HS_SYN_UNANSWERED));

    current = "ICMP fragmentation needed is not a rejection";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    e.code = 4;
    collect(td_stream_icmp_error(s, &e));
    CHECK(find(TD_HS_REJECTED) == NULL);

    current = "ICMPv6 quoting another sequence number is ignored";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    e.ip_version = 6;
    e.type = 1;
    e.code = 4;
    e.quoted_seq = 7;
    e.quoted_seq_known = TRUE;
    collect(td_stream_icmp_error(s, &e));
    CHECK(find(TD_HS_REJECTED) == NULL);
}

static void
test_slow_connect(void)
{
    td_stream_t *s;
    const td_finding_t *f;

    current = "syn_retransmitted";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 1.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 1.02, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    CHECK(find(TD_HS_SYN_RETRANSMITTED) == NULL); /* not complete before the ACK */
    feed(s, 1.04, C, TD_ACK, 1001, 5001, 0);
    f = find(TD_HS_SYN_RETRANSMITTED);
    CHECK(f && f->frame == 4 && f->count == 1 && near(f->duration, 1.0));
    CHECK(near(s->path.initial_rtt, 0.04)); /* from the SYN that was answered */
    CHECK(strcmp(verdict(s)->conn_state, "S1") == 0);
}

static void
test_synack_lost(void)
{
    td_stream_t *s;
    const td_finding_t *f;

    current = "synack_lost, seen at the server";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 0.0001, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 1.0, S, TD_SYN | TD_ACK, 5000, 1001, 0);  /* server's own timer */
    feed(s, 1.03, C, TD_SYN, 1000, 0, 0);             /* client never got it */
    feed(s, 1.0301, S, TD_SYN | TD_ACK, 5000, 1001, 0); /* answer to the SYN: no duplicate */
    feed(s, 1.07, C, TD_ACK, 1001, 5001, 0);
    f = find(TD_HS_SYNACK_LOST);
    CHECK(f && f->frame == 4 && f->ref_frame == 2);
    CHECK(find(TD_HS_DUPLICATE_SYN) == NULL);
    CHECK(find(TD_HS_SYN_RETRANSMITTED) == NULL); /* the SYN was answered the first time */
    CHECK(verdict(s)->handshake == TD_HS_SYNACK_LOST);
    CHECK(near(s->path.initial_rtt, 0.04));

    /* At the server: the SYN-ACK sent twice, the client's ACK D-SACKs the
     * SYN's sequence number (RFC 2883 4.1): both arrived, so it was the
     * first ACK that never came, not the SYN-ACK that was lost. */
    for (int dsack = 0; dsack < 2; dsack++) {
        current = dsack ? "a SYN-ACK the client D-SACKs arrived twice: no SYN-ACK loss"
                        : "a SYN-ACK sent twice without D-SACK: SYN-ACK or ACK lost";
        s = new_stream(NULL);
        feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
        feed(s, 0.0001, S, TD_SYN | TD_ACK, 5000, 1001, 0);
        feed(s, 1.0001, S, TD_SYN | TD_ACK, 5000, 1001, 0);
        feed_ts(s, 1.0401, C, TD_ACK, 1001, 5001, 0, 512, 0, 0, dsack ? 5000 : 0, dsack ? 5001 : 0);
        f = find(TD_HS_ACK_LOST);
        if (dsack) {
            CHECK(f && f->frame == 4 && f->ref_frame == 2 && g_str_equal(f->detail, "dsack")
                  && near(f->duration, 1.0));
            CHECK(find(TD_HS_SYNACK_LOST) == NULL && verdict(s)->handshake == TD_HS_ACK_LOST);
        } else {
            CHECK(f == NULL && find(TD_HS_SYNACK_LOST) != NULL);
        }
    }
}

static void
test_ack_lost(void)
{
    td_stream_t *s;
    const td_finding_t *f;

    current = "ack_lost, seen at the client";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 0.04, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 0.04, C, TD_ACK, 1001, 5001, 0);
    feed(s, 1.04, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 1.04, C, TD_ACK, 1001, 5001, 0);
    f = find(TD_HS_ACK_LOST);
    CHECK(f && f->frame == 4 && f->ref_frame == 3 && near(f->duration, 1.0));
    CHECK(verdict(s)->handshake == TD_HS_ACK_LOST);
}

static void
test_incomplete(void)
{
    td_stream_t *s;
    const td_finding_t *f;

    current = "incomplete: no ACK until the end";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 0.04, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 1.04, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    CHECK(has_code(s, TD_HS_INCOMPLETE));
    CHECK(strcmp(verdict(s)->conn_state, "S1") == 0); /* Zeek: SYN + SYN-ACK is S1 */
    collect(finalize(s, 10.0));
    f = find(TD_HS_INCOMPLETE);
    CHECK(f && strcmp(f->detail, "no_ack") == 0 && f->frame == 3 && f->count == 1);
    CHECK(find(TD_HS_SYN_UNANSWERED) == NULL);

    current = "incomplete: half-open scan, client RST";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 0.04, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 0.04, C, TD_RST, 1001, 0, 0);
    f = find(TD_HS_INCOMPLETE);
    CHECK(f && strcmp(f->detail, "client_reset") == 0);
    CHECK(strcmp(verdict(s)->conn_state, "RSTO") == 0);
    collect(finalize(s, 10.0));
    CHECK(count_findings() == 1);

    current = "client RST answers the SYN-ACK, then its ACK (out of order): not connected";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 0.04, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 0.05, C, TD_RST | TD_ACK, 1001, 5001, 0);
    feed(s, 5.0, C, TD_ACK, 1001, 5001, 0);
    CHECK(s->path.established_frame == 0 && s->path.initial_rtt < 0.0);
    CHECK(verdict(s)->handshake == TD_HS_INCOMPLETE);
    CHECK(!has_code(s, TD_TD_OPEN) && !has_code(s, TD_TD_RESET));
    {
        td_code_t headline;
        CHECK(severity_of(s, &headline) == TD_STREAM_FAILED);
    }

    current = "a SYN-ACK without SYN answered by the client's RST: no reset of a connection";
    s = new_stream(NULL);
    feed(s, 0.0, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 0.01, C, TD_RST | TD_ACK, 1001, 5001, 0);
    f = find(TD_HS_INCOMPLETE);
    CHECK(f && strstr(MSG(f), "no SYN in the capture") && strstr(f->cause, "backscatter"));
    CHECK(!has_code(s, TD_TD_RESET));

    current = "SYN then client RST: RSTOS0";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 0.5, C, TD_RST, 1001, 0, 0);
    CHECK(strcmp(verdict(s)->conn_state, "RSTOS0") == 0);
}

static void
test_duplicates(void)
{
    td_stream_t *s;

    current = "duplicated frames are not retransmissions";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 0.000001, C, TD_SYN, 1000, 0, 0);
    feed(s, 0.04, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 0.040001, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 0.08, C, TD_ACK, 1001, 5001, 0);
    CHECK(find(TD_HS_DUPLICATE_SYN) != NULL);
    CHECK(find(TD_HS_SYN_RETRANSMITTED) == NULL);
    CHECK(find(TD_HS_SYNACK_LOST) == NULL);
    CHECK(s->handshake.syn_count == 1 && s->handshake.synack_count == 1);
    CHECK(verdict(s)->handshake == TD_HS_DUPLICATE_SYN);
}

static void
test_tfo(void)
{
    td_stream_t *s;
    const td_finding_t *f;

    current = "TFO accepted";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 100);
    feed(s, 0.04, S, TD_SYN | TD_ACK, 5000, 1101, 0);
    f = find(TD_HS_TFO);
    CHECK(f && strcmp(f->detail, "accepted") == 0 && f->count == 100);

    current = "TFO rejected";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 100);
    feed(s, 0.04, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 0.08, C, TD_ACK | TD_PSH, 1001, 5001, 100); /* the data again */
    f = find(TD_HS_TFO);
    CHECK(f && strcmp(f->detail, "rejected") == 0);
    CHECK(verdict(s)->handshake == TD_HS_TFO);
}

static void
test_options(void)
{
    td_stream_t *s;
    td_segment_t seg;
    const td_finding_t *f;

    current = "options: window scaling and SACK off, MSS missing";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    memset(&seg, 0, sizeof(seg));
    seg.frame = ++frame_no;
    seg.time = 0.04;
    seg.dir = S;
    seg.flags = TD_SYN | TD_ACK;
    seg.seq = 5000;
    seg.ack = 1001;
    seg.wscale = TD_NO_WSCALE;
    seg.opts = TD_OPT_TIMESTAMP;
    collect(td_stream_segment(s, &seg));
    f = find(TD_HS_OPTIONS);
    CHECK(f && strcmp(f->detail, "no_wscale,no_sack,no_mss") == 0);
    CHECK(f && f->frame == 2);

    current = "options: a low MSS";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    seg.frame = ++frame_no;
    seg.wscale = 7;
    seg.opts = TD_OPT_TIMESTAMP | TD_OPT_SACK_PERM;
    seg.mss = 536;
    collect(td_stream_segment(s, &seg));
    f = find(TD_HS_OPTIONS);
    CHECK(f && strcmp(f->detail, "low_mss") == 0);
}

static void
test_port_reuse(void)
{
    td_stream_t *first, *s;
    const td_finding_t *f;

    current = "port reuse within TIME_WAIT";
    first = healthy(0.04);
    s = new_stream(first);
    feed(s, 1.0, C, TD_SYN, 9000, 0, 0);
    f = find(TD_HS_PORT_REUSE);
    CHECK(f && strcmp(f->detail, "time_wait") == 0);

    current = "port reuse long after: nothing";
    s = new_stream(first);
    feed(s, 600.0, C, TD_SYN, 9000, 0, 0);
    CHECK(find(TD_HS_PORT_REUSE) == NULL);

    current = "challenge ACK";
    s = new_stream(first);
    feed(s, 1.0, C, TD_SYN, 9000, 0, 0);
    feed(s, 1.02, S, TD_ACK, 5202, 1102, 0);
    feed(s, 1.02, C, TD_RST, 1102, 0, 0);
    feed(s, 1.07, C, TD_SYN, 9000, 0, 0);
    feed(s, 1.09, S, TD_SYN | TD_ACK, 7000, 9001, 0);
    feed(s, 1.11, C, TD_ACK, 9001, 7001, 0);
    CHECK(find(TD_HS_DUPLICATE_SYN) == NULL); /* the client reacted to the challenge ACK */
    CHECK(find(TD_HS_SYN_RETRANSMITTED) == NULL);
    CHECK(verdict(s)->handshake == TD_HS_PORT_REUSE);
}

/* Wireshark 4.2+ starts a new tcp.stream at a SYN retried after a challenge
 * ACK and the client's RST, or at a SYN-ACK after a RST; 4.0 only at a SYN
 * with a new ISN. The glue keeps the others in the earlier stream. */
static void
test_new_connection(void)
{
    td_stream_t *first, *s;
    td_segment_t next = { .flags = TD_SYN, .seq = 9000, .dir = C };

    current = "new connection: the same ISN after a challenge ACK continues the stream";
    first = healthy(0.04);
    s = new_stream(first);
    feed(s, 1.0, C, TD_SYN, 9000, 0, 0);
    feed(s, 1.02, S, TD_ACK, 5202, 1102, 0);
    feed(s, 1.02, C, TD_RST, 1102, 0, 0);
    CHECK(!td_stream_is_new_connection(s, &next));

    current = "new connection: a SYN with a new ISN opens one";
    next.seq = 12345;
    CHECK(td_stream_is_new_connection(s, &next));
    next.seq = 1000; /* the healthy stream's ISN */
    CHECK(!td_stream_is_new_connection(first, &next));
    next.seq = 12345;
    CHECK(td_stream_is_new_connection(first, &next));

    current = "new connection: a SYN-ACK, or a side that sent nothing yet, continues";
    next.flags = TD_SYN | TD_ACK;
    CHECK(!td_stream_is_new_connection(s, &next));
    next.flags = TD_SYN;
    next.dir = S;
    s = new_stream(first);
    feed(s, 1.0, C, TD_SYN, 9000, 0, 0);
    CHECK(!td_stream_is_new_connection(s, &next));
}

static void
test_midstream(void)
{
    td_stream_t *s;

    current = "midstream: roles from the ports";
    s = new_stream(NULL);
    feed(s, 0.0, S, TD_ACK | TD_PSH, 5000, 1000, 100); /* the server (port 80) speaks first */
    feed(s, 0.01, C, TD_ACK, 1000, 5100, 0);
    CHECK(s->client == C);
    CHECK(find(TD_HS_MIDSTREAM) != NULL);
    CHECK(strcmp(verdict(s)->conn_state, "OTH") == 0);
    CHECK(s->history[0] == '^');
    CHECK(s->path.initial_rtt < 0);
}

static void
test_one_sided(void)
{
    td_stream_t *s;
    const td_finding_t *f;

    current = "only the server's direction: SYN-ACK, data, FIN";
    s = new_stream(NULL);
    feed(s, 0.0, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 0.1, S, TD_ACK | TD_PSH, 5001, 1001, 100);
    feed(s, 0.2, S, TD_ACK | TD_FIN, 5101, 1001, 0);
    CHECK(verdict(s)->handshake == TD_HS_MIDSTREAM);
    CHECK(strcmp(verdict(s)->conn_state, "SHR") == 0);
    collect(finalize(s, 1.0));
    f = find(TD_HS_MIDSTREAM);
    CHECK(f && f->frame == 3 && strcmp(f->detail, "no_client_syn") == 0);

    current = "SYN-ACK captured before the SYN: an ordinary handshake";
    s = new_stream(NULL);
    feed(s, 0.0, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 0.0001, C, TD_SYN, 1000, 0, 0);
    feed(s, 0.04, C, TD_ACK, 1001, 5001, 0);
    collect(finalize(s, 1.0));
    CHECK(count_findings() == 1 && find(TD_TD_OPEN) != NULL);
    CHECK(verdict(s)->handshake == TD_CODE_NONE);
}

static void
test_sequence_wrap(void)
{
    td_stream_t *s;

    current = "handshake across sequence wraparound";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 0xffffffffu, 0, 0);
    feed(s, 0.04, S, TD_SYN | TD_ACK, 0xffffffffu, 0, 0);
    feed(s, 0.08, C, TD_ACK, 0, 0, 0);
    CHECK(s->path.established_frame == 3);
    CHECK(verdict(s)->codes == TD_CODE_BIT(TD_TD_OPEN));
}

/* Handshake and one request/response; returns with client seq 1101, server 5201. */
static td_stream_t *
established(void)
{
    td_stream_t *s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 0.02, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 0.04, C, TD_ACK, 1001, 5001, 0);
    feed(s, 0.04, C, TD_ACK | TD_PSH, 1001, 5001, 100);
    feed(s, 0.06, S, TD_ACK | TD_PSH, 5001, 1101, 200);
    feed(s, 0.08, C, TD_ACK, 1101, 5201, 0);
    return s;
}

static void
test_teardown(void)
{
    td_stream_t *s;
    const td_finding_t *f;

    current = "three-way close";
    s = established();
    feed(s, 0.5, C, TD_ACK | TD_FIN, 1101, 5201, 0);
    feed(s, 0.52, S, TD_ACK | TD_FIN, 5201, 1102, 0);
    feed(s, 0.54, C, TD_ACK, 1102, 5202, 0);
    f = find(TD_TD_GRACEFUL);
    CHECK(f && strcmp(f->detail, "three_way") == 0 && f->frame == 9);
    CHECK(strstr(f ? MSG(f) : "", "client closed first") != NULL);

    current = "three-way close, the client's FIN not captured: the server's ACK shows it";
    s = established();
    feed(s, 0.52, S, TD_ACK | TD_FIN, 5201, 1102, 0);
    feed(s, 0.54, C, TD_ACK, 1102, 5202, 0);
    f = find(TD_TD_GRACEFUL);
    CHECK(f && strcmp(f->detail, "fin_unseen") == 0 && strstr(MSG(f), "client's FIN is not"));
    CHECK(verdict(s)->teardown == TD_TD_GRACEFUL);

    current = "both FINs, the last ACK not captured: closing, not 'no FIN or RST'";
    s = established();
    feed(s, 0.5, C, TD_ACK | TD_FIN, 1101, 5201, 0);
    feed(s, 0.52, S, TD_ACK | TD_FIN, 5201, 1102, 0);
    collect(finalize(s, 0.52));
    f = find(TD_TD_OPEN);
    CHECK(f && strcmp(f->detail, "closing") == 0 && strstr(MSG(f), "both sides sent a FIN"));
    CHECK(f && !strstr(MSG(f), "no FIN or RST"));

    current = "a missing 1-byte segment is no FIN: the acker is not closing";
    s = established();
    feed(s, 0.52, S, TD_ACK, 5201, 1102, 0);
    CHECK(s->side[C].fin_count == 0);

    current = "half-closed: CLOSE_WAIT leak";
    s = established();
    feed(s, 0.5, C, TD_ACK | TD_FIN, 1101, 5201, 0);
    feed(s, 0.52, S, TD_ACK, 5201, 1102, 0);
    /* closing, until the capture's clock passes late_close (1 s) */
    CHECK(verdict(s)->teardown == TD_TD_OPEN && near(td_stream_deadline(s), 1.52));
    td_stream_clock(s, 1.6);
    CHECK(verdict(s)->teardown == TD_TD_HALF_CLOSED && td_stream_deadline(s) < 0.0);
    CHECK(strcmp(verdict(s)->conn_state, "S2") == 0);
    collect(finalize(s, 10.52));
    f = find(TD_TD_HALF_CLOSED);
    CHECK(f && f->frame == 8 && near(f->duration, 10.0));

    current = "a close under way when the capture ends is not a CLOSE_WAIT leak";
    s = established();
    feed(s, 0.5, C, TD_ACK | TD_FIN, 1101, 5201, 0);
    feed(s, 0.52, S, TD_ACK, 5201, 1102, 0);
    collect(finalize(s, 0.79));
    f = find(TD_TD_OPEN);
    CHECK(find(TD_TD_HALF_CLOSED) == NULL && f && strcmp(f->detail, "closing") == 0);

    current = "legitimate half-close: the server keeps sending, then closes";
    s = established();
    feed(s, 0.5, C, TD_ACK | TD_FIN, 1101, 5201, 0);
    feed(s, 0.52, S, TD_ACK | TD_PSH, 5201, 1102, 1000);
    CHECK(verdict(s)->teardown == TD_TD_OPEN); /* in progress, not a leak */
    feed(s, 0.54, C, TD_ACK, 1102, 6201, 0);
    feed(s, 1.5, S, TD_ACK | TD_FIN, 6201, 1102, 0);
    feed(s, 1.52, C, TD_ACK, 1102, 6202, 0);
    CHECK(verdict(s)->teardown == TD_TD_GRACEFUL);
    CHECK(find(TD_TD_GRACEFUL) && strcmp(find(TD_TD_GRACEFUL)->detail, "four_way") == 0);

    current = "FIN retransmitted, never acknowledged";
    s = established();
    feed(s, 0.5, C, TD_ACK | TD_FIN, 1101, 5201, 0);
    feed(s, 0.75, C, TD_ACK | TD_FIN, 1101, 5201, 0);
    feed(s, 1.25, C, TD_ACK | TD_FIN, 1101, 5201, 0);
    CHECK(verdict(s)->teardown == TD_TD_FIN_RETRANSMITTED);
    collect(finalize(s, 5.0));
    f = find(TD_TD_FIN_RETRANSMITTED);
    CHECK(f && f->count == 2 && strstr(MSG(f), "+250.0 ms, +500.0 ms") != NULL);

    current = "abandoned: unanswered retransmissions with backoff";
    s = established();
    feed(s, 1.0, C, TD_ACK | TD_PSH, 1101, 5201, 100);
    feed(s, 1.2, C, TD_ACK | TD_PSH, 1101, 5201, 100);
    feed(s, 1.6, C, TD_ACK | TD_PSH, 1101, 5201, 100);
    feed(s, 2.4, C, TD_ACK | TD_PSH, 1101, 5201, 100);
    feed(s, 4.0, C, TD_ACK | TD_PSH, 1101, 5201, 100);
    CHECK(verdict(s)->teardown == TD_TD_ABANDONED);
    collect(finalize(s, 20.0));
    f = find(TD_TD_ABANDONED);
    CHECK(f && f->count == 4 && strcmp(f->detail, "no_reply") == 0);
    CHECK(f && strstr(MSG(f), "+400.0 ms, +800.0 ms, +1.60 s") != NULL);

    current = "a SYN-ACK late, not lost: the client's ACK echoes the first SYN-ACK (timestamps)";
    s = new_stream(NULL);
    feed_ts(s, 0.0, C, TD_SYN, 1000, 0, 0, 64240, 10, 0, 0, 0);
    feed_ts(s, 0.0001, S, TD_SYN | TD_ACK, 5000, 1001, 0, 64240, 900, 10, 0, 0);
    feed_ts(s, 1.0, C, TD_SYN, 1000, 0, 0, 64240, 20, 0, 0, 0);        /* SYN timer */
    CHECK(find(TD_HS_SYNACK_LOST) == NULL);
    feed_ts(s, 1.0001, S, TD_SYN | TD_ACK, 5000, 1001, 0, 64240, 1000, 20, 0, 0);
    feed_ts(s, 1.2, C, TD_ACK, 1001, 5001, 0, 64240, 22, 900, 0, 0);    /* echoes the first */
    f = find(TD_HS_SYN_RETRANSMITTED);
    CHECK(f && strcmp(f->detail, "late_synack") == 0 && find(TD_HS_SYNACK_LOST) == NULL);
    CHECK(near(s->path.initial_rtt, 1.2));

    current = "the ACK echoes a later SYN-ACK: the first was lost";
    s = new_stream(NULL);
    feed_ts(s, 0.0, C, TD_SYN, 1000, 0, 0, 64240, 10, 0, 0, 0);
    feed_ts(s, 0.0001, S, TD_SYN | TD_ACK, 5000, 1001, 0, 64240, 900, 10, 0, 0);
    feed_ts(s, 1.0, C, TD_SYN, 1000, 0, 0, 64240, 20, 0, 0, 0);
    feed_ts(s, 1.0001, S, TD_SYN | TD_ACK, 5000, 1001, 0, 64240, 1000, 20, 0, 0);
    feed_ts(s, 1.04, C, TD_ACK, 1001, 5001, 0, 64240, 24, 1000, 0, 0);
    f = find(TD_HS_SYNACK_LOST);
    CHECK(f && f->frame == frame_no && strcmp(f->detail, "syn_retransmitted") == 0);
    CHECK(near(s->path.initial_rtt, 0.04));

    current = "every SYN-ACK lost: the headline is synack_lost, the stream failed";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 0.02, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 1.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 1.02, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 3.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 3.02, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    collect(finalize(s, 6.0));
    {
        td_code_t headline;
        CHECK(severity_of(s, &headline) == TD_STREAM_FAILED
              && headline == TD_HS_SYNACK_LOST && verdict(s)->handshake == TD_HS_SYNACK_LOST);
        CHECK(strstr(td_verdict_summary(scope, verdict(s)), "the handshake never completed") != NULL);
    }

    current = "third ACK lost, the client's data never acknowledged: the connection never worked";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 0.02, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 0.04, C, TD_ACK, 1001, 5001, 0);
    feed(s, 0.04, C, TD_ACK | TD_PSH, 1001, 5001, 100);
    feed(s, 0.3, C, TD_ACK | TD_PSH, 1001, 5001, 100);
    feed(s, 1.02, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 1.04, C, TD_ACK, 1101, 5001, 0);
    {
        td_code_t headline;
        CHECK(severity_of(s, &headline) == TD_STREAM_FAILED && headline == TD_HS_ACK_LOST);
    }

    current = "a SYN-ACK that answers a repeated SYN is no lost third ACK";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 1.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 1.4, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 1.4001, C, TD_ACK, 1001, 5001, 0);
    feed(s, 1.4002, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    CHECK(find(TD_HS_ACK_LOST) == NULL);

    current = "keep-alive probes unanswered, then the prober's RST: keepalive_dead, not an idle reset";
    s = established();
    feed(s, 2.0, C, TD_ACK, 1100, 5201, 0);    /* probe: seq = ACKed - 1 */
    feed(s, 2.02, S, TD_ACK, 5201, 1101, 0);   /* answered */
    feed(s, 4.0, C, TD_ACK, 1100, 5201, 0);
    feed(s, 5.0, C, TD_ACK, 1100, 5201, 0);
    CHECK(has_code(s, TD_DT_KEEPALIVE_DEAD));
    feed(s, 6.0, C, TD_ACK, 1100, 5201, 0);
    feed(s, 7.0, C, TD_RST | TD_ACK, 1101, 5201, 0);
    f = find(TD_DT_KEEPALIVE_DEAD);
    CHECK(f && f->frame == frame_no && f->count == 3 && strcmp(f->detail, "reset") == 0);
    f = find(TD_TD_RESET);
    CHECK(f && strcmp(f->detail, "keepalive_dead") == 0);
    {
        td_code_t headline;
        CHECK(severity_of(s, &headline) == TD_STREAM_BROKEN
              && headline == TD_DT_KEEPALIVE_DEAD);
    }

    current = "keep-alive probes unanswered until the capture ends: keepalive_dead, silence";
    s = established();
    feed(s, 2.0, C, TD_ACK, 1100, 5201, 0);
    feed(s, 3.0, C, TD_ACK, 1100, 5201, 0);
    feed(s, 4.0, C, TD_ACK, 1100, 5201, 0);
    collect(finalize(s, 9.0));
    f = find(TD_DT_KEEPALIVE_DEAD);
    CHECK(f && f->frame == frame_no && f->count == 3 && strcmp(f->detail, "silence") == 0
          && strstr(MSG(f), "until the capture ends 5.00 s later"));

    current = "a FIN sent again after its ACK was lost is no keep-alive";
    s = established();
    feed(s, 1.0, C, TD_ACK | TD_FIN, 1101, 5201, 0);
    feed(s, 1.02, S, TD_ACK | TD_FIN, 5201, 1102, 0);
    feed(s, 3.0, C, TD_ACK | TD_FIN, 1101, 5201, 0);   /* seq = ACKed - 1 */
    {
        /* a retransmission of the FIN alone, already acknowledged: spurious,
         * counted apart from the data (issue 27 item 1) */
        const td_seg_verdict_t *v = td_stream_segment_verdict(s);
        const td_seqdir_trouble_t *t = td_seqdir_trouble_of(&s->seq[C]);
        CHECK(v && v->segclass == TD_SEGCLASS_RETRANSMISSION && v->control == TD_CTL_FIN
              && (v->spurious & TD_SPURIOUS_ACKED) && t->keepalives == 0 && t->retrans == 0
              && t->control == 1 && t->control_spurious == 1 && t->spurious == 0);
    }

    current = "a SYN sent again is a timeout retransmission, counted apart from the data";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 0.0005, C, TD_SYN, 1000, 0, 0);             /* the same frame twice: no resend */
    CHECK(td_stream_segment_verdict(s) == NULL);
    feed(s, 1.0, C, TD_SYN, 1000, 0, 0);
    {
        const td_seg_verdict_t *v = td_stream_segment_verdict(s);
        CHECK(v && v->segclass == TD_SEGCLASS_RETRANSMISSION && v->kind == TD_RETX_RTO
              && v->control == TD_CTL_SYN && !v->spurious
              && td_seqdir_trouble_of(&s->seq[C])->control == 1
              && td_seqdir_trouble_of(&s->seq[C])->retrans == 0);
    }
    feed(s, 1.02, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    CHECK(td_stream_segment_verdict(s) == NULL);        /* the first SYN-ACK */

    current = "a SYN-ACK that answers the client's SYN sent again is a reaction, not a timer";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 0.02, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 1.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 1.02, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    CHECK(td_stream_segment_verdict(s) && td_stream_segment_verdict(s)->kind == TD_RETX_FAST
          && td_stream_segment_verdict(s)->control == TD_CTL_SYNACK);

    current = "a SYN-ACK resent while the third ACK was late: the ACK echoes the first (Eifel)";
    s = ts_handshake_half();
    feed_ts(s, 1.0001, S, TD_SYN | TD_ACK, 5000, 1001, 0, 64240, 1900, 10, 0, 0);
    {
        const td_seg_verdict_t *copy = td_stream_segment_verdict(s);
        CHECK(copy && copy->kind == TD_RETX_RTO && !copy->spurious);
        feed_ts(s, 1.05, C, TD_ACK, 1001, 5001, 0, 64240, 60, 900, 0, 0);
        CHECK((copy->spurious & TD_SPURIOUS_EIFEL)
              && td_seqdir_trouble_of(&s->seq[S])->control_spurious == 1
              && td_seqdir_trouble_of(&s->seq[S])->spurious == 0);
        f = find(TD_HS_ACK_LOST);
        CHECK(f && strcmp(f->detail, "eifel") == 0 && !find(TD_HS_SYNACK_LOST));
    }

    current = "an ACK echoing the SYN-ACK copy shows nothing: that copy may have been needed";
    s = ts_handshake_half();
    feed_ts(s, 1.0001, S, TD_SYN | TD_ACK, 5000, 1001, 0, 64240, 1900, 10, 0, 0);
    feed_ts(s, 1.05, C, TD_ACK, 1001, 5001, 0, 64240, 60, 1900, 0, 0);
    CHECK(td_seqdir_trouble_of(&s->seq[S])->control_spurious == 0 && !find(TD_HS_ACK_LOST));

    current = "the original arriving after its retransmission (an older TSval) is reordering";
    s = ts_handshake_half();
    feed_ts(s, 0.05, C, TD_ACK, 1001, 5001, 0, 64240, 60, 900, 0, 0);
    /* seen at the receiver: the tail loss probe's copy first (TSval 1300), then
     * the original (TSval 1000), after the data was acknowledged */
    feed_ts(s, 0.40, S, TD_ACK | TD_PSH, 5001, 1001, 1000, 64240, 1300, 60, 0, 0);
    feed_ts(s, 0.40, C, TD_ACK, 1001, 6001, 0, 64240, 400, 1300, 0, 0);
    feed_ts(s, 0.60, S, TD_ACK | TD_PSH, 5001, 1001, 1000, 64240, 1000, 60, 0, 0);
    {
        const td_seg_verdict_t *v = td_stream_segment_verdict(s);
        CHECK(v && v->segclass == TD_SEGCLASS_REORDERED
              && td_seqdir_trouble_of(&s->seq[S])->retrans == 0
              && td_seqdir_trouble_of(&s->seq[S])->reordered == 1);
    }
    /* a real retransmission of the same data (a newer TSval) still is one */
    feed_ts(s, 0.90, S, TD_ACK | TD_PSH, 5001, 1001, 1000, 64240, 1600, 60, 0, 0);
    CHECK(td_stream_segment_verdict(s)
          && td_stream_segment_verdict(s)->segclass == TD_SEGCLASS_RETRANSMISSION);

    current = "one unanswered keep-alive is not a dead peer (RFC 1122 4.2.3.6)";
    s = established();
    feed(s, 2.0, C, TD_ACK, 1100, 5201, 0);
    CHECK(!has_code(s, TD_DT_KEEPALIVE_DEAD));
    collect(finalize(s, 2.5));
    CHECK(find(TD_DT_KEEPALIVE_DEAD) == NULL);

    current = "a RST after the peer's FIN with all delivered is a note, late when it waited";
    s = established();
    feed(s, 0.1, S, TD_ACK | TD_FIN, 5201, 1101, 0);
    feed(s, 0.12, C, TD_ACK, 1101, 5202, 0);
    feed(s, 5.12, C, TD_ACK | TD_RST, 1101, 5202, 0);
    f = find(TD_TD_RESET);
    CHECK(f && strcmp(f->detail, "late_close") == 0);
    {
        td_code_t headline;
        CHECK(severity_of(s, &headline) == TD_STREAM_NOTE && headline == TD_TD_RESET);
    }
    s = established();
    feed(s, 0.1, S, TD_ACK | TD_FIN, 5201, 1101, 0);
    feed(s, 0.12, C, TD_ACK | TD_RST, 1101, 5202, 0);
    f = find(TD_TD_RESET);
    CHECK(f && strcmp(f->detail, "after_peer_fin") == 0);

    current = "a passive side idle a long time before its FIN: a late close";
    s = established();
    feed(s, 0.1, S, TD_ACK | TD_FIN, 5201, 1101, 0);
    feed(s, 0.12, C, TD_ACK, 1101, 5202, 0);
    feed(s, 5.12, C, TD_ACK | TD_FIN, 1101, 5202, 0);
    feed(s, 5.14, S, TD_ACK, 5202, 1102, 0);
    f = find(TD_TD_GRACEFUL);
    CHECK(f && strcmp(f->detail, "late_close") == 0 && near(f->duration, 5.02));

    current = "a reply breaks the chain: not abandoned";
    s = established();
    feed(s, 1.0, C, TD_ACK | TD_PSH, 1101, 5201, 100);
    feed(s, 1.2, C, TD_ACK | TD_PSH, 1101, 5201, 100);
    feed(s, 1.6, C, TD_ACK | TD_PSH, 1101, 5201, 100);
    feed(s, 1.62, S, TD_ACK, 5201, 1201, 0);
    collect(finalize(s, 20.0));
    CHECK(find(TD_TD_ABANDONED) == NULL && find(TD_TD_OPEN) != NULL);
}

static void
test_resets(void)
{
    td_stream_t *s;
    const td_finding_t *f;

    current = "reset mid-transfer by the client";
    s = established();
    feed(s, 0.1, S, TD_ACK, 5201, 1101, 1448);
    feed(s, 0.1, S, TD_ACK, 6649, 1101, 1448);
    feed(s, 0.1, C, TD_RST | TD_ACK, 1101, 6649, 0);
    f = find(TD_TD_RESET);
    CHECK(f && strcmp(f->detail, "mid_transfer") == 0 && strstr(MSG(f), "by the client"));
    CHECK(strcmp(verdict(s)->conn_state, "RSTO") == 0);
    CHECK(verdict(s)->teardown == TD_TD_RESET);

    current = "unacknowledged bytes never exceed what the capture showed";
    s = new_stream(NULL);                      /* midstream: no handshake */
    feed(s, 0.0, C, TD_ACK | TD_PSH, 1000, 5000, 100);
    feed(s, 0.01, S, TD_ACK, 5000, 3000000000u, 0); /* an ACK from nowhere (damaged) */
    feed(s, 0.02, S, TD_ACK | TD_PSH, 5000, 900, 50);
    feed(s, 0.03, C, TD_RST | TD_ACK, 1100, 5050, 0);
    f = find(TD_TD_RESET);
    CHECK(f && !strstr(MSG(f), "3000000") && !strstr(MSG(f), "1294967"));
    CHECK(f && (!strstr(MSG(f), "unacknowledged") || strstr(MSG(f), "100 bytes")));

    current = "the peer's data arriving after the RST makes it mid-transfer";
    s = established();
    feed(s, 0.1, C, TD_RST | TD_ACK, 1101, 5201, 0);
    feed(s, 0.102, S, TD_ACK, 5201, 1101, 1448);
    f = find(TD_TD_RESET);
    CHECK(f && strcmp(f->detail, "mid_transfer") == 0 && f->frame == 7);

    current = "RST instead of FIN (unread data or SO_LINGER 0)";
    s = established();
    feed(s, 0.1, C, TD_RST | TD_ACK, 1101, 5201, 0);
    f = find(TD_TD_RESET);
    CHECK(f && strcmp(f->detail, "instead_of_fin") == 0);

    current = "idle connection reset by the server";
    s = established();
    feed(s, 5.08, S, TD_RST | TD_ACK, 5201, 1101, 0);
    f = find(TD_TD_RESET);
    CHECK(f && strcmp(f->detail, "idle") == 0 && near(f->duration, 5.0));
    CHECK(strcmp(verdict(s)->conn_state, "RSTR") == 0);

    current = "half-open: a bare RST answers the client's data";
    s = established();
    feed(s, 30.0, C, TD_ACK | TD_PSH, 1101, 5201, 50);
    feed(s, 30.04, S, TD_RST, 5201, 0, 0);
    f = find(TD_TD_RESET);
    CHECK(f && strcmp(f->detail, "half_open") == 0);

    current = "RST with another TTL: a middlebox";
    s = established();
    feed(s, 30.0, C, TD_ACK | TD_PSH, 1101, 5201, 50);
    feed_full(s, 30.02, S, TD_RST, 5201, 0, 0, 64, 0);
    f = find(TD_TD_RESET);
    CHECK(f && strcmp(f->detail, "half_open,middlebox") == 0);
    CHECK(f && strstr(f->cause, "middlebox") != NULL);

    current = "after its FIN, data draws a RST";
    s = established();
    feed(s, 0.5, S, TD_ACK | TD_FIN, 5201, 1101, 0);
    feed(s, 0.52, C, TD_ACK, 1101, 5202, 0);
    feed(s, 0.6, C, TD_ACK | TD_PSH, 1101, 5202, 50);
    feed(s, 0.62, S, TD_RST | TD_ACK, 5202, 1151, 0);
    f = find(TD_TD_RESET);
    CHECK(f && strcmp(f->detail, "after_fin") == 0);

    current = "a refused SYN is not a teardown";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 0.02, S, TD_RST | TD_ACK, 0, 1001, 0);
    CHECK(find(TD_TD_RESET) == NULL);
    CHECK(verdict(s)->teardown == TD_CODE_NONE);
}

/* Write-write-read: header sent, body held by Nagle until the server's
 * delayed ACK. rtt 40 ms; seen near the client (at_server FALSE) or near
 * the server. */
static td_stream_t *
nagle_round_late(gboolean at_server, gboolean nodelay, double late);

static td_stream_t *
nagle_round(gboolean at_server, gboolean nodelay)
{
    return nagle_round_late(at_server, nodelay, 0.0001);
}

/* The same, the body leaving late seconds after the ACK reached the client
 * (a held one leaves within microseconds; later, the application wrote it). */
static td_stream_t *
nagle_round_late(gboolean at_server, gboolean nodelay, double late)
{
    td_stream_t *s = new_stream(NULL);
    double c = at_server ? 0.020 : 0.0;   /* client -> capture point */
    double v = at_server ? 0.0 : 0.020;   /* capture point -> server */

    /* handshake: SYN passes at t=c... */
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 2 * v, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 2 * v + 2 * c, C, TD_ACK, 1001, 5001, 0);
    /* header, 200 bytes at t=1.0 */
    feed(s, 1.0, C, TD_ACK | TD_PSH, 1001, 5001, 200);
    if (nodelay) {
        feed(s, 1.0001, C, TD_ACK | TD_PSH, 1201, 5001, 300);
        feed(s, 1.0 + 2 * v + 0.040, S, TD_ACK, 5001, 1501, 0);
        return s;
    }
    /* the server's delayed ACK: 40 ms after the header reached it */
    feed(s, 1.0 + 2 * v + 0.040, S, TD_ACK, 5001, 1201, 0);
    /* the body leaves when the ACK reaches the client */
    feed(s, 1.0 + 2 * v + 0.040 + 2 * c + late, C, TD_ACK | TD_PSH, 1201, 5001, 300);
    /* the server's ACK of it: the body went alone */
    feed(s, 1.0 + 2 * v + 0.040 + 2 * c + late + 2 * v + 0.0001, S, TD_ACK, 5001, 1501, 0);
    return s;
}

static void
test_stalls(void)
{
    td_stream_t *s;
    const td_finding_t *f;
    guint32 count;
    double total;
    td_code_t worst;

    current = "Nagle x delayed ACK, seen near the client";
    s = nagle_round(FALSE, FALSE);
    f = find(TD_ST_NAGLE_DELAYED_ACK);
    CHECK(f && f->frame == 7 && f->ref_frame == 4 && f->trigger_frame == 5);
    CHECK(f && near(f->duration, 0.0801) && f->count == 300);
    count = verdict(s)->stalls.count;
    total = verdict(s)->stalls.time;
    worst = verdict(s)->stalls.worst;
    CHECK(count == 1 && worst == TD_ST_NAGLE_DELAYED_ACK && near(total, 0.0801));

    current = "Nagle x delayed ACK, seen near the server";
    s = nagle_round(TRUE, FALSE);
    f = find(TD_ST_NAGLE_DELAYED_ACK);
    CHECK(f && f->frame == 7 && near(f->duration, 0.0801));

    current = "at the sender, a segment 5 ms after the late ACK was written then: think time";
    s = nagle_round_late(FALSE, FALSE, 0.005);
    CHECK(find(TD_ST_NAGLE_DELAYED_ACK) == NULL && verdict(s)->stalls.count == 0);

    current = "away from the sender the same 5 ms is only a possible Nagle stall";
    s = nagle_round_late(TRUE, FALSE, 0.005);
    f = find(TD_ST_NAGLE_DELAYED_ACK);
    CHECK(f && strcmp(f->detail, "nagle_or_think_time") == 0
          && strstr(MSG(f), "Possibly Nagle x delayed ACK, or think time"));

    current = "away from the sender a release within 1 ms of the round trip is Nagle";
    s = nagle_round_late(TRUE, FALSE, 0.0005);
    f = find(TD_ST_NAGLE_DELAYED_ACK);
    CHECK(f && strcmp(f->detail, "nagle_delayed_ack") == 0);

    current = "a flight released by a late ACK is not Nagle";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 0.02, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 0.04, C, TD_ACK, 1001, 5001, 0);
    feed(s, 1.0, C, TD_ACK | TD_PSH, 1001, 5001, 200);
    feed(s, 1.08, S, TD_ACK, 5001, 1201, 0);               /* 40 ms late */
    feed(s, 1.0801, C, TD_ACK, 1201, 5001, 1000);          /* released ... */
    feed(s, 1.0802, C, TD_ACK | TD_PSH, 2201, 5001, 1000); /* ... with more behind */
    feed(s, 1.13, S, TD_ACK, 5001, 3201, 0);
    CHECK(find(TD_ST_NAGLE_DELAYED_ACK) == NULL);

    current = "a segment that answers the peer's data is not held by Nagle";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 0.02, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 0.04, C, TD_ACK, 1001, 5001, 0);
    feed(s, 1.0, C, TD_ACK | TD_PSH, 1001, 5001, 200);
    feed(s, 1.02, S, TD_ACK | TD_PSH, 5001, 1001, 100);     /* the peer's data */
    feed(s, 1.08, S, TD_ACK, 5101, 1201, 0);                /* late ACK */
    feed(s, 1.0801, C, TD_ACK | TD_PSH, 1201, 5101, 50);    /* the answer */
    feed(s, 1.13, S, TD_ACK, 5101, 1251, 0);
    CHECK(find(TD_ST_NAGLE_DELAYED_ACK) == NULL);

    current = "an ACK later than any delayed-ACK timer (RFC 1122: 500 ms) is not Nagle's";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 0.02, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 0.04, C, TD_ACK, 1001, 5001, 0);
    feed(s, 1.0, C, TD_ACK | TD_PSH, 1001, 5001, 200);
    feed(s, 1.9, S, TD_ACK, 5001, 1201, 0);
    feed(s, 1.9001, C, TD_ACK | TD_PSH, 1201, 5001, 300);
    feed(s, 1.95, S, TD_ACK, 5001, 1501, 0);
    CHECK(find(TD_ST_NAGLE_DELAYED_ACK) == NULL);

    current = "TCP_NODELAY: no stall";
    s = nagle_round(FALSE, TRUE);
    CHECK(find(TD_ST_NAGLE_DELAYED_ACK) == NULL);

    /* Window restart after idle x delayed ACK, seen at the server (40 ms to
     * the client), full segments (L: the MSS 1460 less 40): as zeek tcprs
     * comp013 frames 25-29. */
    for (int variant = 0; variant < 3; variant++) {
        const guint32 L = 1420, D = 5001 + 2 * L; /* D: the server's data after idle */
        double idle = variant == 1 ? 0.15 : 5.0; /* 1: shorter than any RTO */
        double t0 = 0.12 + idle;

        current = variant == 0 ? "window restart after idle x delayed ACK"
                  : variant == 1 ? "a flight after a short pause is no window restart"
                  : "a flight ACKed in part at once was not limited by a restarted window";
        s = new_stream(NULL);
        feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
        feed(s, 0.0001, S, TD_SYN | TD_ACK, 5000, 1001, 0);
        feed(s, 0.04, C, TD_ACK, 1001, 5001, 0);
        feed(s, 0.08, C, TD_ACK | TD_PSH, 1001, 5001, 100);
        feed(s, 0.0801, S, TD_ACK, 5001, 1101, L);
        feed(s, 0.0802, S, TD_ACK, 5001 + L, 1101, L);
        feed(s, 0.1202, C, TD_ACK, 1101, D, 0);
        feed(s, t0 - 0.02, C, TD_ACK | TD_PSH, 1101, D, 100);
        if (variant == 2) {
            feed(s, t0, S, TD_ACK, D, 1201, L);
            feed(s, t0 + 0.0001, S, TD_ACK, D + L, 1201, L);
            feed(s, t0 + 0.0002, S, TD_ACK, D + 2 * L, 1201, L);
            feed(s, t0 + 0.0401, C, TD_ACK, 1201, D + 2 * L, 0);   /* at once */
            feed(s, t0 + 0.2402, C, TD_ACK, 1201, D + 3 * L, 0);   /* the odd one: late */
            feed(s, t0 + 0.2403, S, TD_ACK, D + 3 * L, 1201, L);
            feed(s, t0 + 0.2404, S, TD_ACK, D + 4 * L, 1201, L);
            CHECK(find(TD_ST_IDLE_RESTART) == NULL);
            continue;
        }
        feed(s, t0, S, TD_ACK, D, 1201, L);                     /* the restart window */
        feed(s, t0 + 0.24, C, TD_ACK, 1201, D + L, 0);          /* 200 ms late */
        feed(s, t0 + 0.2401, S, TD_ACK, D + L, 1201, L);        /* released at once */
        feed(s, t0 + 0.2402, S, TD_ACK, D + 2 * L, 1201, L);
        feed(s, t0 + 0.2802, C, TD_ACK, 1201, D + 3 * L, 0);
        f = find(TD_ST_IDLE_RESTART);
        if (variant == 1) {
            CHECK(f == NULL);
            continue;
        }
        CHECK(f && f->frame == 11 && f->ref_frame == 9 && f->trigger_frame == 10 && f->count == 1);
        CHECK(f && near(f->duration, 0.2401) && strstr(MSG(f), "after 5.04 s idle")
              && strstr(MSG(f), "about 200 ms: Windows"));
        CHECK(find(TD_ST_NAGLE_DELAYED_ACK) == NULL);
    }

    current = "zero window with probes, then data";
    s = established();
    feed(s, 0.1, S, TD_ACK, 5201, 1101, 1000);
    feed_window(s, 0.12, C, 1101, 6201, 0);              /* frame 8: window 0 */
    feed(s, 0.5, S, TD_ACK, 6200, 1101, 0);              /* probe */
    feed(s, 1.3, S, TD_ACK, 6200, 1101, 0);              /* probe */
    feed(s, 2.0, C, TD_ACK, 1101, 6201, 0);              /* window update (64240) */
    feed(s, 2.0001, S, TD_ACK | TD_PSH, 6201, 1101, 1000);
    f = find(TD_ST_ZERO_WINDOW);
    CHECK(f && f->frame == 12 && f->ref_frame == 8 && f->trigger_frame == 11 && f->count == 2);
    CHECK(f && near(f->duration, 2.0001 - 0.12));

    current = "zero window never reopened: open at the end, and again after a thaw";
    s = established();
    feed(s, 0.1, S, TD_ACK, 5201, 1101, 1000);
    feed_window(s, 0.12, C, 1101, 6201, 0);              /* window 0 */
    feed(s, 0.5, S, TD_ACK, 6200, 1101, 0);              /* probe */
    collect(finalize(s, 3.0));
    f = find(TD_ST_ZERO_WINDOW);
    CHECK(f && f->detail && g_str_equal(f->detail, "open") && f->frame == frame_no);
    {
        /* a live capture: the window reopens after a finalize */
        guint32 open_stalls = s->stall_account.count;

        feed_window(s, 3.5, C, 1101, 6201, 64240);
        CHECK(!s->finalized && s->stall_account.count == open_stalls - 1);
        collect(finalize(s, 4.0));
        CHECK(!(verdict(s)->codes & TD_CODE_BIT(TD_ST_ZERO_WINDOW))
              || s->last_finding->code != TD_ST_ZERO_WINDOW);
    }

    current = "RTO: a segment resent after a quiet timeout, then acknowledged";
    s = established();
    /* 0.5 s after the original: later than a tail loss probe's timeout
     * (2 RTT + 200 ms with one segment in flight, RFC 8985) */
    feed(s, 1.0, C, TD_ACK | TD_PSH, 1101, 5201, 100);
    feed(s, 1.5, C, TD_ACK | TD_PSH, 1101, 5201, 100);
    feed(s, 2.5, C, TD_ACK | TD_PSH, 1101, 5201, 100);
    CHECK(find(TD_ST_RTO) == NULL);
    feed(s, 2.54, S, TD_ACK, 5201, 1201, 0);
    /* on the ACK of the retransmission that got through (single pass sees
     * it there), from the last progress (the original, frame 7) */
    f = find(TD_ST_RTO);
    CHECK(f && f->frame == 10 && f->trigger_frame == 9 && f->ref_frame == 7 && f->count == 2
          && near(f->duration, 1.5));

    current = "tail loss probe: the last segment resent about 2 RTT after it";
    s = established();
    feed(s, 1.0, C, TD_ACK | TD_PSH, 1101, 5201, 1000);
    feed(s, 1.0, C, TD_ACK | TD_PSH, 2101, 5201, 1000);
    feed(s, 1.04, S, TD_ACK, 5201, 2101, 0);
    feed(s, 1.14, C, TD_ACK | TD_PSH, 2101, 5201, 1000);  /* the tail, 2.5 RTT later */
    CHECK(td_stream_segment_verdict(s) && td_stream_segment_verdict(s)->kind == TD_RETX_TLP);
    feed(s, 1.18, S, TD_ACK, 5201, 3101, 0);
    CHECK(find(TD_ST_RTO) == NULL);

    current = "fast retransmit after 3 duplicate ACKs is not an RTO";
    s = established();
    feed(s, 1.0, C, TD_ACK | TD_PSH, 1101, 5201, 100);
    feed(s, 1.0, C, TD_ACK | TD_PSH, 1201, 5201, 100);
    feed(s, 1.04, S, TD_ACK, 5201, 1101, 0);
    feed(s, 1.04, S, TD_ACK, 5201, 1101, 0);
    feed(s, 1.04, S, TD_ACK, 5201, 1101, 0);
    feed(s, 1.3, C, TD_ACK | TD_PSH, 1101, 5201, 100);
    CHECK(find(TD_ST_RTO) == NULL);
}

/* The model alone (model/): what a segment is and the evidence, never a
 * finding (docs/architecture.md). A timeout and a path MTU black hole, fed
 * to the model only: no finding and no code on the stream, the evidence in
 * the direction's trouble, and the end of the wait noted on the ACK that
 * ended it, for the stall detector to report. */
static void
model_feed(td_stream_t *s, double t, int dir, guint32 seq, guint32 ack, guint32 len)
{
    td_segment_t seg;

    make_seg(&seg, t, dir, TD_ACK, seq, ack, len);
    td_endpoint_segment(s, &seg);
    td_seqspace_segment(s, &seg);
    td_endpoint_segment_done(s, &seg);
}

static void
test_model_alone(void)
{
    td_stream_t *s;
    const td_seqdir_trouble_t *t;

    current = "the model alone: a timeout is evidence and a note, not a finding";
    s = new_stream(NULL);
    model_feed(s, 0.0, C, 1101, 5201, 100);  /* mid-stream, frame 1 */
    model_feed(s, 0.5, C, 1101, 5201, 100);  /* timeouts */
    model_feed(s, 1.5, C, 1101, 5201, 100);
    CHECK(td_stream_segment_verdict(s) && td_stream_segment_verdict(s)->kind == TD_RETX_RTO);
    model_feed(s, 1.54, S, 5201, 1201, 0);   /* the ACK that ends the wait */
    t = td_seqdir_trouble_of(&s->seq[C]);
    CHECK((s->seg_notes & TD_NOTE_RTO_ENDED) && !t->rto_open && t->rto_count == 2
          && near(t->rto_last - t->rto_begin, 1.5) && t->rto_last_frame == 3);
    CHECK(s->last_finding == NULL && s->codes == 0);
    model_feed(s, 1.6, C, 1201, 5201, 0);
    CHECK(!(s->seg_notes & TD_NOTE_RTO_ENDED));

    current = "the model alone: a path MTU black hole is evidence, not a finding";
    s = new_stream(NULL);
    model_feed(s, 1.0, S, 5201, 1101, 1448);
    model_feed(s, 1.5, S, 5201, 1101, 1448);
    model_feed(s, 2.5, S, 5201, 1101, 1448);
    model_feed(s, 4.5, S, 5201, 1101, 1024);   /* resent smaller: frame 4 */
    model_feed(s, 4.54, C, 1101, 6225, 0);
    t = td_seqdir_trouble_of(&s->seq[S]);
    CHECK(t->bh_frame == 4 && t->bh_big == 1448 && t->bh_small == 1024 && !t->pmtu_reported);
    CHECK(s->last_finding == NULL && s->codes == 0);
}

/* ------------------------------------------------------------ host rollup */

/* A connection at t0 (20 ms RTT): request, response, then closed: by the
 * server first (three-way), by the client first, or left half-closed by the
 * server (the client's FIN acknowledged, the server never closes). */
enum { CLOSE_SERVER_FIRST, CLOSE_CLIENT_FIRST, CLOSE_SERVER_LEAKS };
static td_stream_t *
conn_after(td_stream_t *prev, double t0, int close)
{
    td_stream_t *s = new_stream(prev);
    feed(s, t0, C, TD_SYN, 1000, 0, 0);
    feed(s, t0 + 0.01, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, t0 + 0.02, C, TD_ACK, 1001, 5001, 0);
    feed(s, t0 + 0.02, C, TD_ACK | TD_PSH, 1001, 5001, 100);
    feed(s, t0 + 0.03, S, TD_ACK | TD_PSH, 5001, 1101, 200);
    feed(s, t0 + 0.04, C, TD_ACK, 1101, 5201, 0);
    if (close == CLOSE_SERVER_FIRST) {
        feed(s, t0 + 0.05, S, TD_ACK | TD_FIN, 5201, 1101, 0);
        feed(s, t0 + 0.06, C, TD_ACK | TD_FIN, 1101, 5202, 0);
        feed(s, t0 + 0.07, S, TD_ACK, 5202, 1102, 0);
    } else {
        feed(s, t0 + 0.05, C, TD_ACK | TD_FIN, 1101, 5201, 0);
        feed(s, t0 + 0.06, S, TD_ACK, 5201, 1102, 0);
        if (close == CLOSE_CLIENT_FIRST) {
            feed(s, t0 + 0.06, S, TD_ACK | TD_FIN, 5201, 1102, 0);
            feed(s, t0 + 0.07, C, TD_ACK, 1102, 5202, 0);
        }
    }
    return s;
}

static td_stream_t *
conn_at(double t0, int close)
{
    return conn_after(NULL, t0, close);
}

static const char *
host_name(guint32 host, void *data)
{
    static char buf[4][32];
    static int i;
    (void)data;
    i = (i + 1) % 4;
    g_snprintf(buf[i], sizeof(buf[i]), "10.0.0.%u", host);
    return buf[i];
}

static void
rollup_add(td_hosts_t *h, td_stream_t *s, guint32 client, guint16 cport, guint32 server,
           guint16 sport)
{
    td_conn_ends_t ends = { client, server, cport, sport };
    td_hosts_add(h, verdict(s), &ends);
}

/* The row of a service (port > 0) or a host, or NULL. */
static const td_host_row_t *
host_row(const td_hosts_t *h, guint32 host, guint16 port)
{
    for (guint i = 0; i < td_hosts_rows(h); i++) {
        const td_host_row_t *r = td_hosts_row(h, i);
        if (r->host == host && r->port == port
            && r->kind == (port ? TD_ROW_SERVICE : TD_ROW_HOST))
            return r;
    }
    return NULL;
}

static void
test_hosts(void)
{
    td_hosts_config_t hc;
    td_hosts_t *h;
    const td_host_row_t *r;
    char *line;

    td_hosts_config_default(&hc);

    current = "hosts: a server that closes first piles up TIME_WAIT";
    h = td_hosts_new(&hc);
    for (guint i = 0; i < 150; i++)   /* 150 connections over 15 s */
        rollup_add(h, conn_at(0.1 * i, CLOSE_SERVER_FIRST), 2, (guint16)(40000 + i), 5, 8080);
    td_hosts_finish(h, 100.0);
    r = host_row(h, 5, 8080);
    CHECK(r && (r->codes & (1u << TD_HOST_TIME_WAIT)) && r->findings[TD_HOST_TIME_WAIT].count == 150
          && r->findings[TD_HOST_TIME_WAIT].peak == 150
          && r->findings[TD_HOST_TIME_WAIT].other == 0); /* all expired 60 s after */
    line = td_host_summary(scope, r, host_name, NULL);
    CHECK(strstr(line, "10.0.0.5:8080 closed 150 of 150 connections first: up to 150") != NULL);
    CHECK(r && r->closed_first[0] == 150 && r->by_severity[TD_STREAM_HEALTHY] == 150);
    td_hosts_free(h);

    current = "hosts: TIME_WAIT counted at the capture's end, and the peak as a sweep";
    h = td_hosts_new(&hc);
    for (guint i = 0; i < 150; i++)   /* 150 connections over 150 s: 60 at once */
        rollup_add(h, conn_at(1.0 * i, CLOSE_SERVER_FIRST), 2, (guint16)(40000 + i), 5, 8080);
    td_hosts_finish(h, 160.0);
    r = host_row(h, 5, 8080);
    CHECK(r && !(r->codes & (1u << TD_HOST_TIME_WAIT))); /* 60 at once: below 100 */
    td_hosts_free(h);
    hc.time_wait_min = 50;
    h = td_hosts_new(&hc);
    for (guint i = 0; i < 150; i++)
        rollup_add(h, conn_at(1.0 * i, CLOSE_SERVER_FIRST), 2, (guint16)(40000 + i), 5, 8080);
    td_hosts_finish(h, 160.0);
    r = host_row(h, 5, 8080);
    CHECK(r && (r->codes & (1u << TD_HOST_TIME_WAIT)) && r->findings[TD_HOST_TIME_WAIT].peak == 60
          && r->findings[TD_HOST_TIME_WAIT].other == 50); /* closed at 100.06 s and later */
    td_hosts_free(h);
    td_hosts_config_default(&hc);

    current = "hosts: clients that close first leave no host finding (control)";
    h = td_hosts_new(&hc);
    for (guint i = 0; i < 150; i++)
        rollup_add(h, conn_at(0.1 * i, CLOSE_CLIENT_FIRST), 2, (guint16)(40000 + i), 5, 8080);
    td_hosts_finish(h, 100.0);
    for (guint i = 0; i < td_hosts_rows(h); i++)
        CHECK(td_hosts_row(h, i)->codes == 0);
    td_hosts_free(h);

    current = "hosts: a server that leaks CLOSE_WAIT";
    h = td_hosts_new(&hc);
    for (guint i = 0; i < 30; i++)
        rollup_add(h, conn_at(1.0 * i, i % 6 == 0 ? CLOSE_SERVER_LEAKS : CLOSE_CLIENT_FIRST), 2,
                   (guint16)(40000 + i), 5, 8080);
    td_hosts_finish(h, 40.0);
    r = host_row(h, 5, 8080);
    CHECK(r && (r->codes & (1u << TD_HOST_CLOSE_WAIT)) && r->findings[TD_HOST_CLOSE_WAIT].count == 5
          && r->findings[TD_HOST_CLOSE_WAIT].peak == 5
          && near(r->findings[TD_HOST_CLOSE_WAIT].value, 40.0 - 0.06));
    CHECK(r && r->half_closed[0] == 5 && r->severity == TD_STREAM_BROKEN);
    {
        td_stream_t *s = conn_at(6.0, CLOSE_SERVER_LEAKS);
        td_conn_ends_t ends = { 2, 5, 40006, 8080 };
        const td_host_row_t *why;
        CHECK(td_hosts_explain(h, verdict(s), &ends, &why) == TD_HOST_CLOSE_WAIT && why == r);
    }
    /* the server's host row has no finding of its own: it points there */
    r = host_row(h, 5, 0);
    CHECK(r && r->codes == 0 && r->explained == 5 && r->explained_code == TD_HOST_CLOSE_WAIT
          && r->explained_kind == TD_ROW_SERVICE && r->explained_port == 8080);
    line = r ? td_host_summary(scope, r, host_name, NULL) : NULL;
    CHECK(line && strstr(line, "5 of them explained by 10.0.0.5:8080: CLOSE_WAIT leak "
                               "(host.close_wait)") != NULL);
    td_hosts_free(h);

    current = "hosts: CLOSE_WAIT at the end counts the newest too, late_close tells how many are old";
    h = td_hosts_new(&hc);
    for (guint i = 0; i < 30; i++)
        rollup_add(h, conn_at(1.0 * i, i % 6 == 0 ? CLOSE_SERVER_LEAKS : CLOSE_CLIENT_FIRST), 2,
                   (guint16)(40000 + i), 5, 8080);
    rollup_add(h, conn_at(39.5, CLOSE_SERVER_LEAKS), 2, 40100, 5, 8080); /* FIN at 39.55 s */
    td_hosts_finish(h, 40.0);
    r = host_row(h, 5, 8080);
    CHECK(r && r->findings[TD_HOST_CLOSE_WAIT].count == 5 && r->findings[TD_HOST_CLOSE_WAIT].peak == 6);
    line = r ? td_host_summary(scope, r, host_name, NULL) : NULL;
    CHECK(line && strstr(line, "6 connections to 10.0.0.5:8080 in CLOSE_WAIT when the capture "
                               "ends") && strstr(line, "(5 of them for 1.00 s or more)")
          && strstr(line, "still growing at the end of the capture"));
    td_hosts_free(h);

    current = "hosts: a port scan is one row, its probes listed under it";
    h = td_hosts_new(&hc);
    for (guint i = 0; i < 30; i++) {
        td_stream_t *s = new_stream(NULL);
        feed(s, 0.01 * i, C, TD_SYN, 1000, 0, 0);
        feed(s, 0.01 * i + 0.001, S, TD_RST | TD_ACK, 0, 1001, 0);
        rollup_add(h, s, 9, 50000, 5, (guint16)(100 + i));
    }
    for (guint i = 0; i < 25; i++)   /* a real client of the same server */
        rollup_add(h, conn_at(1.0 + 0.1 * i, CLOSE_CLIENT_FIRST), 2, (guint16)(40000 + i), 5, 8080);
    td_hosts_finish(h, 10.0);
    r = host_row(h, 9, 0);
    CHECK(r && (r->codes & (1u << TD_HOST_SCANNER)) && r->findings[TD_HOST_SCANNER].other == 30
          && r->findings[TD_HOST_SCANNER].lo == 100 && r->findings[TD_HOST_SCANNER].hi == 129
          && r->severity == TD_STREAM_NOTE);
    CHECK(host_row(h, 5, 100) == NULL);           /* the probed ports: no rows of their own */
    r = host_row(h, 5, 0);
    CHECK(r && r->scanner_probes == 30 && r->severity == TD_STREAM_HEALTHY);
    td_hosts_free(h);

    current = "hosts: resets after the same silence: an idle timer";
    h = td_hosts_new(&hc);
    for (guint i = 0; i < 25; i++) {
        td_stream_t *s = conn_at(1.0 * i, CLOSE_CLIENT_FIRST);
        if (i % 5 == 0) {   /* 5 of them: reset by the server after 30 s of silence */
            s = new_stream(NULL);
            feed(s, 1.0 * i, C, TD_SYN, 1000, 0, 0);
            feed(s, 1.0 * i + 0.01, S, TD_SYN | TD_ACK, 5000, 1001, 0);
            feed(s, 1.0 * i + 0.02, C, TD_ACK, 1001, 5001, 0);
            feed(s, 1.0 * i + 0.02, C, TD_ACK | TD_PSH, 1001, 5001, 100);
            feed(s, 1.0 * i + 0.03, S, TD_ACK | TD_PSH, 5001, 1101, 200);
            feed(s, 1.0 * i + 0.04, C, TD_ACK, 1101, 5201, 0);
            feed(s, 1.0 * i + 30.04 + 0.01 * i, S, TD_RST | TD_ACK, 5201, 1101, 0);
        }
        rollup_add(h, s, 2, (guint16)(40000 + i), 5, 8080);
    }
    td_hosts_finish(h, 80.0);
    r = host_row(h, 5, 8080);
    CHECK(r && (r->codes & (1u << TD_HOST_IDLE_TIMEOUT)) && r->findings[TD_HOST_IDLE_TIMEOUT].count == 5
          && r->findings[TD_HOST_IDLE_TIMEOUT].value >= 30.0
          && r->findings[TD_HOST_IDLE_TIMEOUT].value < 30.3);
    td_hosts_free(h);

    current = "hosts: a client whose ports wrap reuses 4-tuples in TIME_WAIT";
    h = td_hosts_new(&hc);
    {
        td_stream_t *last[10] = { NULL };
        for (guint i = 0; i < 40; i++) {   /* 10 source ports, 40 connections in 4 s */
            td_stream_t *s = conn_after(last[i % 10], 0.1 * i, CLOSE_SERVER_FIRST);
            last[i % 10] = s;
            rollup_add(h, s, 2, (guint16)(40000 + i % 10), 5, 8080);
        }
    }
    td_hosts_finish(h, 10.0);
    r = host_row(h, 2, 0);
    CHECK(r && (r->codes & (1u << TD_HOST_PORT_EXHAUSTION))
          && r->findings[TD_HOST_PORT_EXHAUSTION].count == 30
          && r->findings[TD_HOST_PORT_EXHAUSTION].of == 40
          && r->findings[TD_HOST_PORT_EXHAUSTION].other == 10
          && r->findings[TD_HOST_PORT_EXHAUSTION].lo == 40000
          && r->findings[TD_HOST_PORT_EXHAUSTION].hi == 40009);
    td_hosts_free(h);

    current = "hosts: a TIME_WAIT ends when its client port comes back";
    hc.time_wait_min = 5;
    h = td_hosts_new(&hc);
    {
        td_stream_t *last[10] = { NULL };
        for (guint i = 0; i < 40; i++) {
            td_stream_t *s = conn_after(last[i % 10], 0.1 * i, CLOSE_SERVER_FIRST);
            last[i % 10] = s;
            rollup_add(h, s, 2, (guint16)(40000 + i % 10), 5, 8080);
        }
    }
    td_hosts_finish(h, 10.0);
    r = host_row(h, 5, 8080);
    /* 40 closed by the server in 4 s, but only the last of each port waits */
    CHECK(r && (r->codes & (1u << TD_HOST_TIME_WAIT)) && r->findings[TD_HOST_TIME_WAIT].count == 40
          && r->findings[TD_HOST_TIME_WAIT].peak == 10 && r->findings[TD_HOST_TIME_WAIT].other == 10);
    td_hosts_free(h);
    td_hosts_config_default(&hc);

    current = "hosts: handshakes dropped while others connect: the accept queue";
    h = td_hosts_new(&hc);
    for (guint i = 0; i < 30; i++) {
        td_stream_t *s;
        double t0 = 0.05 * i;
        if (i % 3 == 0) {   /* its first SYN dropped, the second answered */
            s = new_stream(NULL);
            feed(s, t0, C, TD_SYN, 1000, 0, 0);
            feed(s, t0 + 1.0, C, TD_SYN, 1000, 0, 0);
            feed(s, t0 + 1.01, S, TD_SYN | TD_ACK, 5000, 1001, 0);
            feed(s, t0 + 1.02, C, TD_ACK, 1001, 5001, 0);
        } else {
            s = conn_at(t0, CLOSE_CLIENT_FIRST);
        }
        rollup_add(h, s, 2, (guint16)(40000 + i), 5, 8080);
    }
    td_hosts_finish(h, 10.0);
    r = host_row(h, 5, 8080);
    CHECK(r && (r->codes & (1u << TD_HOST_ACCEPT_QUEUE)) && r->findings[TD_HOST_ACCEPT_QUEUE].count == 10
          && r->findings[TD_HOST_ACCEPT_QUEUE].peak == 10);
    td_hosts_free(h);

    current = "hosts: the same drops spread over hours, nothing else at the time: no finding";
    h = td_hosts_new(&hc);
    for (guint i = 0; i < 30; i++) {
        td_stream_t *s;
        double t0 = 100.0 * i;
        if (i % 3 == 0) {
            s = new_stream(NULL);
            feed(s, t0, C, TD_SYN, 1000, 0, 0);
            feed(s, t0 + 1.0, C, TD_SYN, 1000, 0, 0);
            feed(s, t0 + 1.01, S, TD_SYN | TD_ACK, 5000, 1001, 0);
            feed(s, t0 + 1.02, C, TD_ACK, 1001, 5001, 0);
        } else {
            s = conn_at(t0 + 50.0, CLOSE_CLIENT_FIRST);
        }
        rollup_add(h, s, 2, (guint16)(40000 + i), 5, 8080);
    }
    td_hosts_finish(h, 4000.0);
    r = host_row(h, 5, 8080);
    CHECK(r && !(r->codes & (1u << TD_HOST_ACCEPT_QUEUE)));
    td_hosts_free(h);
}

static void
test_data_phase(void)
{
    td_stream_t *s;
    const td_finding_t *f;

    current = "a spurious timeout (Eifel) ends its go-back-N: later SACK repairs are fast";
    s = established();
    for (guint32 i = 0; i < 5; i++)   /* frames 7-11: 1101..6101 */
        feed_ts(s, 1.0, C, TD_ACK, 1101 + 1000 * i, 5201, 1000, 64240, 100, 0, 0, 0);
    /* nothing comes back; the timer fires after 600 ms */
    feed_ts(s, 1.6, C, TD_ACK, 1101, 5201, 1000, 64240, 160, 0, 0, 0);
    CHECK(td_stream_segment_verdict(s) && td_stream_segment_verdict(s)->kind == TD_RETX_RTO);
    /* the originals of 1101..3101 were only delayed: the ACK echoes their
     * TSval, older than the retransmission's (RFC 3522) */
    feed_ts(s, 1.62, S, TD_ACK, 5201, 3101, 0, 64240, 500, 100, 0, 0);
    CHECK(td_seqdir_trouble_of(&s->seq[C])->spurious == 1 && s->seq[C].recovery == 0);
    /* new data (F-RTO), then a SACK of it shows 3101.. lost */
    feed_ts(s, 1.62, C, TD_ACK, 6101, 5201, 1000, 64240, 162, 500, 0, 0);
    feed_ts(s, 1.66, S, TD_ACK, 5201, 3101, 0, 64240, 504, 162, 6101, 7101);
    feed_ts(s, 1.66, C, TD_ACK, 3101, 5201, 1000, 64240, 166, 504, 0, 0);
    CHECK(td_stream_segment_verdict(s) && td_stream_segment_verdict(s)->kind == TD_RETX_FAST);
    CHECK(td_seqdir_trouble_of(&s->seq[C])->retrans_kind[TD_RETX_RTO] == 1
          && td_seqdir_trouble_of(&s->seq[C])->timeouts == 1);

    current = "a spurious timeout with backoff: every copy spurious, the stall named so";
    s = established();
    feed_ts(s, 1.0, C, TD_ACK, 1101, 5201, 1000, 64240, 100, 0, 0, 0);
    feed_ts(s, 1.0, C, TD_ACK, 2101, 5201, 1000, 64240, 100, 0, 0, 0);
    /* a delay spike: nothing comes back; three timeouts with backoff */
    feed_ts(s, 1.4, C, TD_ACK, 1101, 5201, 1000, 64240, 140, 0, 0, 0);
    feed_ts(s, 2.2, C, TD_ACK, 1101, 5201, 1000, 64240, 220, 0, 0, 0);
    feed_ts(s, 3.8, C, TD_ACK, 1101, 5201, 1000, 64240, 380, 0, 0, 0);
    CHECK(td_seqdir_trouble_of(&s->seq[C])->retrans == 3);
    /* the spike ends: the ACK echoes the originals' TSval (RFC 3522) */
    feed_ts(s, 3.9, S, TD_ACK, 5201, 3101, 0, 64240, 500, 100, 0, 0);
    CHECK(td_seqdir_trouble_of(&s->seq[C])->spurious == 3);
    f = find(TD_ST_RTO);
    CHECK(f && strcmp(f->detail, "spurious") == 0 && strstr(MSG(f), "it had arrived"));
    /* the duplicates' D-SACKs come after the ACK: counted once each, not again */
    feed_ts(s, 3.91, S, TD_ACK, 5201, 3101, 0, 64240, 501, 140, 1101, 2101);
    feed_ts(s, 3.92, S, TD_ACK, 5201, 3101, 0, 64240, 502, 220, 1101, 2101);
    CHECK(td_seqdir_trouble_of(&s->seq[C])->spurious == 3
          && td_seqdir_trouble_of(&s->seq[C])->dsacks == 2);
    CHECK(td_seqdir_lost(td_seqdir_trouble_of(&s->seq[C])) == 0);

    current = "D-SACKs after the ACK: one duplicate each, on the copies of the data";
    s = established();
    feed(s, 1.0, C, TD_ACK, 1101, 5201, 1000);
    feed(s, 1.4, C, TD_ACK, 1101, 5201, 1000);  /* timeouts, no timestamps */
    feed(s, 2.2, C, TD_ACK, 1101, 5201, 1000);
    feed(s, 2.25, S, TD_ACK, 5201, 2101, 0);
    CHECK(td_seqdir_trouble_of(&s->seq[C])->spurious == 0);
    feed_ts(s, 2.26, S, TD_ACK, 5201, 2101, 0, 64240, 0, 0, 1101, 2101);
    CHECK(td_seqdir_trouble_of(&s->seq[C])->spurious == 1);
    feed_ts(s, 2.27, S, TD_ACK, 5201, 2101, 0, 64240, 0, 0, 1101, 2101);
    CHECK(td_seqdir_trouble_of(&s->seq[C])->spurious == 2);
    feed_ts(s, 2.28, S, TD_ACK, 5201, 2101, 0, 64240, 0, 0, 1101, 2101);
    CHECK(td_seqdir_trouble_of(&s->seq[C])->spurious == 2); /* only two copies were sent */

    current = "data sent into a closed window is refused, not lost: its resend is no loss";
    s = established();
    feed(s, 1.0, S, TD_ACK, 5201, 1101, 1000);
    feed_window(s, 1.05, C, 1101, 6201, 0);       /* the client's window closes */
    feed(s, 1.06, S, TD_ACK, 6201, 1101, 1000);  /* sent anyway: beyond the edge */
    feed_window(s, 1.1, C, 1101, 6201, 64240);    /* the window opens; 6201.. was dropped */
    feed(s, 1.11, S, TD_ACK, 6201, 1101, 1000);
    CHECK(td_stream_segment_verdict(s) && td_stream_segment_verdict(s)->loss_at == TD_LOSS_WINDOW);
    CHECK(td_seqdir_trouble_of(&s->seq[S])->retrans == 1
          && td_seqdir_lost(td_seqdir_trouble_of(&s->seq[S])) == 0);
    /* a resend of data sent inside the window is still lost */
    feed(s, 1.2, S, TD_ACK, 7201, 1101, 1000);
    feed(s, 1.9, S, TD_ACK, 7201, 1101, 1000);
    CHECK(td_stream_segment_verdict(s) && td_stream_segment_verdict(s)->loss_at == TD_LOSS_DOWNSTREAM);
    CHECK(td_seqdir_lost(td_seqdir_trouble_of(&s->seq[S])) == 1);

    current = "the receiver's edge moves left under the flight: the data past it is refused";
    s = established();
    for (guint32 i = 0; i < 4; i++)
        feed(s, 1.0, S, TD_ACK, 5201 + 1000 * i, 1101, 1000);
    /* its buffer shrank: the first segment taken, the window closed behind
     * it (RFC 7323 2.4); the three after it arrive to a closed window */
    feed_window(s, 1.05, C, 1101, 6201, 0);
    feed_window(s, 1.4, C, 1101, 6201, 64240);
    feed(s, 1.41, S, TD_ACK, 6201, 1101, 1000);
    CHECK(td_stream_segment_verdict(s) && td_stream_segment_verdict(s)->loss_at == TD_LOSS_WINDOW);
    feed(s, 1.41, S, TD_ACK, 7201, 1101, 1000);
    CHECK(td_stream_segment_verdict(s) && td_stream_segment_verdict(s)->loss_at == TD_LOSS_WINDOW);
    CHECK(td_seqdir_lost(td_seqdir_trouble_of(&s->seq[S])) == 0
          && td_seqdir_trouble_of(&s->seq[S])->refused == 2);

    current = "an old ACK reordered behind a newer one moves no edge";
    s = established();
    for (guint32 i = 0; i < 4; i++)
        feed(s, 1.0, S, TD_ACK, 5201 + 1000 * i, 1101, 1000);
    feed(s, 1.05, C, TD_ACK, 1101, 7201, 0);
    feed_window(s, 1.051, C, 1101, 6201, 0); /* older: below the highest ACK */
    feed_window(s, 1.06, C, 1101, 7201, 64240);
    feed(s, 1.6, S, TD_ACK, 7201, 1101, 1000); /* the timer: lost */
    CHECK(td_stream_segment_verdict(s) && td_stream_segment_verdict(s)->loss_at == TD_LOSS_DOWNSTREAM);

    current = "the timer's resends into a closed window are its probes: no timeout, one stall";
    s = established();
    feed(s, 1.0, S, TD_ACK, 5201, 1101, 1000);
    feed(s, 1.0, S, TD_ACK, 6201, 1101, 1000);
    feed_window(s, 1.05, C, 1101, 6201, 0);      /* 6201 refused: the buffer is full */
    feed(s, 1.5, S, TD_ACK, 6201, 1101, 1000);   /* the timer, into the closed window */
    CHECK(td_stream_segment_verdict(s) && td_stream_segment_verdict(s)->kind == TD_RETX_RTO
          && td_stream_segment_verdict(s)->loss_at == TD_LOSS_WINDOW);
    feed_window(s, 1.501, C, 1101, 6201, 0);
    feed(s, 2.5, S, TD_ACK, 6201, 1101, 1000);   /* again: its copy was refused too */
    CHECK(td_stream_segment_verdict(s) && td_stream_segment_verdict(s)->loss_at == TD_LOSS_WINDOW);
    CHECK(td_seqdir_trouble_of(&s->seq[S])->timeouts == 0);
    feed_window(s, 2.501, C, 1101, 6201, 0);
    feed_window(s, 2.6, C, 1101, 6201, 64240);   /* the application reads */
    feed(s, 3.5, S, TD_ACK, 6201, 1101, 1000);   /* the timer with the window open */
    CHECK(td_stream_segment_verdict(s) && td_stream_segment_verdict(s)->loss_at == TD_LOSS_WINDOW);
    CHECK(td_seqdir_trouble_of(&s->seq[S])->timeouts == 1);
    feed(s, 3.55, C, TD_ACK, 1101, 7201, 0);
    CHECK(find(TD_ST_ZERO_WINDOW) != NULL && find(TD_ST_RTO) == NULL);
    CHECK(td_seqdir_lost(td_seqdir_trouble_of(&s->seq[S])) == 0
          && td_seqdir_trouble_of(&s->seq[S])->retrans == 3);

    current = "a timeout that was real keeps its go-back-N";
    s = established();
    for (guint32 i = 0; i < 5; i++)
        feed_ts(s, 1.0, C, TD_ACK, 1101 + 1000 * i, 5201, 1000, 64240, 100, 0, 0, 0);
    feed_ts(s, 1.6, C, TD_ACK, 1101, 5201, 1000, 64240, 160, 0, 0, 0);
    /* the ACK echoes the retransmission: it was needed */
    feed_ts(s, 1.62, S, TD_ACK, 5201, 2101, 0, 64240, 500, 160, 0, 0);
    CHECK(td_seqdir_trouble_of(&s->seq[C])->spurious == 0 && s->seq[C].recovery == TD_RETX_RTO);
    feed_ts(s, 1.62, C, TD_ACK, 2101, 5201, 1000, 64240, 162, 500, 0, 0);
    CHECK(td_stream_segment_verdict(s) && td_stream_segment_verdict(s)->kind == TD_RETX_RTO);

    current = "path MTU: ICMP fragmentation needed, then smaller resends";
    s = established();
    feed_ts(s, 1.0, S, TD_ACK, 5201, 1101, 1448, 64240, 100, 0, 0, 0);
    feed_ts(s, 1.0, S, TD_ACK, 6649, 1101, 1448, 64240, 100, 0, 0, 0);
    {
        td_icmp_error_t e;
        memset(&e, 0, sizeof(e));
        e.frame = ++frame_no; e.time = 1.01; e.ip_version = 4; e.type = 3; e.code = 4;
        e.mtu = 1400; e.quoted_dir = S; e.quoted_flags = TD_ACK; e.sender = "192.0.2.1";
        collect(td_stream_icmp_error(s, &e));
    }
    CHECK(find(TD_DT_PATH_MTU) == NULL);
    feed_ts(s, 1.0101, S, TD_ACK, 5201, 1101, 1348, 64240, 101, 0, 0, 0);
    f = find(TD_DT_PATH_MTU);
    CHECK(f && f->frame == frame_no && f->ref_frame == frame_no - 1 && strcmp(f->detail, "icmp") == 0
          && strstr(MSG(f), "next-hop MTU 1400") && strstr(MSG(f), "192.0.2.1"));
    CHECK(td_stream_segment_verdict(s) && td_stream_segment_verdict(s)->kind != TD_RETX_RTO);

    current = "path MTU black hole: timeouts at one size, a smaller resend passes at once";
    s = established();
    feed_ts(s, 1.0, S, TD_ACK, 5201, 1101, 1448, 64240, 100, 0, 0, 0);
    feed_ts(s, 1.5, S, TD_ACK, 5201, 1101, 1448, 64240, 150, 0, 0, 0);  /* timeouts */
    feed_ts(s, 2.5, S, TD_ACK, 5201, 1101, 1448, 64240, 250, 0, 0, 0);
    feed_ts(s, 4.5, S, TD_ACK, 5201, 1101, 1024, 64240, 450, 0, 0, 0);
    CHECK(find(TD_DT_PATH_MTU) == NULL);
    feed_ts(s, 4.54, C, TD_ACK, 1101, 6225, 0, 64240, 500, 450, 0, 0);
    f = find(TD_DT_PATH_MTU);
    CHECK(f && f->frame == frame_no && strcmp(f->detail, "black_hole") == 0 && f->count == 2);

    current = "timeouts resent at the same size are no black hole";
    s = established();
    feed_ts(s, 1.0, S, TD_ACK, 5201, 1101, 1448, 64240, 100, 0, 0, 0);
    feed_ts(s, 1.3, S, TD_ACK, 5201, 1101, 1448, 64240, 130, 0, 0, 0);
    feed_ts(s, 1.9, S, TD_ACK, 5201, 1101, 1448, 64240, 190, 0, 0, 0);
    feed_ts(s, 1.94, C, TD_ACK, 1101, 6649, 0, 64240, 500, 190, 0, 0);
    CHECK(find(TD_DT_PATH_MTU) == NULL);

    current = "the byte a refused zero-window probe carried, sent again, is new data";
    s = established();
    feed_ts(s, 0.1, S, TD_ACK, 5201, 1101, 1000, 64240, 10, 0, 0, 0);  /* frame 7 */
    feed_ts(s, 0.12, C, TD_ACK, 1101, 6201, 0, 0, 12, 10, 0, 0);       /* window 0 */
    feed_ts(s, 0.3, S, TD_ACK, 6201, 1101, 1, 64240, 30, 12, 0, 0);    /* probe, 1 new byte */
    CHECK(td_stream_segment_verdict(s) && td_stream_segment_verdict(s)->segclass == TD_SEGCLASS_ZW_PROBE);
    feed_ts(s, 0.32, C, TD_ACK, 1101, 6201, 0, 0, 32, 30, 0, 0);       /* refused */
    feed_ts(s, 0.5, C, TD_ACK, 1101, 6201, 0, 64240, 50, 30, 0, 0);    /* window update */
    feed_ts(s, 0.5001, S, TD_ACK, 6201, 1101, 1000, 64240, 50, 50, 0, 0);
    CHECK(td_stream_segment_verdict(s) == NULL && td_seqdir_trouble_of(&s->seq[S])->retrans == 0
          && td_seqdir_trouble_of(&s->seq[S])->zw_probes == 1);
    f = find(TD_ST_ZERO_WINDOW);
    CHECK(f && f->frame == frame_no && f->ref_frame == 8);
    feed_ts(s, 0.52, C, TD_ACK, 1101, 7201, 0, 64240, 52, 50, 0, 0);
    finalize(s, 1.0);
    CHECK(find(TD_DT_LOSS) == NULL);
}

/* The table's severity and one-line diagnosis. The line must read the same
 * before and after finalize(): single-pass tshark never finalizes.
 * It moves the stream's clock as the glue does: at a deadline the capture's
 * later packets passed. */
static char *
summary_across_finalize(td_stream_t *s, double capture_end, td_stream_severity_t *severity,
                        td_code_t *headline)
{
    char *before, *after;
    td_stream_severity_t sev_before;
    double deadline = td_stream_deadline(s);

    if (deadline >= 0.0 && deadline <= capture_end)
        td_stream_clock(s, capture_end);
    before = td_verdict_summary(scope, verdict(s));
    sev_before = severity_of(s, headline);

    collect(finalize(s, capture_end));
    after = td_verdict_summary(scope, verdict(s));
    *severity = severity_of(s, headline);
    CHECK(strcmp(before, after) == 0);
    CHECK(sev_before == *severity);
    return after;
}

static void
test_summary(void)
{
    td_stream_t *s;
    td_stream_severity_t sev;
    td_code_t headline;
    char *line;

    current = "severity labels sort worst first as text";
    for (int v = TD_STREAM_FAILED; v < TD_STREAM_HEALTHY; v++)
        CHECK(strcmp(td_severity_label((td_stream_severity_t)v),
                     td_severity_label((td_stream_severity_t)(v + 1))) < 0);

    current = "summary: a healthy stream says so";
    s = healthy(0.040);
    line = summary_across_finalize(s, 10.0, &sev, &headline);
    CHECK(sev == TD_STREAM_HEALTHY && headline == TD_CODE_NONE);
    CHECK(strcmp(line, "Healthy: connected in 40.0 ms, closed gracefully (four-way), no stall") == 0);

    current = "summary: SYN unanswered, worded without the capture's end";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 1.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 3.0, C, TD_SYN, 1000, 0, 0);
    line = summary_across_finalize(s, 30.0, &sev, &headline);
    CHECK(sev == TD_STREAM_FAILED && headline == TD_HS_SYN_UNANSWERED);
    CHECK(g_str_has_prefix(line, "SYN never answered: 3 SYNs over 3.00 s, no SYN-ACK"));

    current = "summary: half-closed (CLOSE_WAIT)";
    s = established();
    feed(s, 0.10, C, TD_ACK | TD_FIN, 1101, 5201, 0);
    feed(s, 0.12, S, TD_ACK, 5201, 1102, 0);
    line = summary_across_finalize(s, 60.0, &sev, &headline);
    CHECK(sev == TD_STREAM_BROKEN && headline == TD_TD_HALF_CLOSED);
    CHECK(g_str_has_prefix(line, "Half-closed: the client's FIN was acknowledged, but the server "
                                 "never closed"));

    current = "summary: a reset uses its finding's words, refined by later packets";
    s = established();
    feed(s, 0.10, C, TD_ACK | TD_PSH, 1101, 5201, 1000);
    feed(s, 0.11, S, TD_RST | TD_ACK, 5201, 1101, 0);
    line = summary_across_finalize(s, 5.0, &sev, &headline);
    CHECK(sev == TD_STREAM_BROKEN && headline == TD_TD_RESET);
    CHECK(find(TD_TD_RESET) && strcmp(line, MSG(find(TD_TD_RESET))) == 0);

    current = "summary: stalls, with the longest and what fixes it";
    s = established();
    feed(s, 1.0, C, TD_ACK | TD_PSH, 1101, 5201, 100);
    feed(s, 1.3, C, TD_ACK | TD_PSH, 1101, 5201, 100);
    feed(s, 1.9, C, TD_ACK | TD_PSH, 1101, 5201, 100);
    feed(s, 1.94, S, TD_ACK, 5201, 1201, 0);
    line = summary_across_finalize(s, 5.0, &sev, &headline);
    CHECK(sev == TD_STREAM_STALLED && headline == TD_ST_RTO);
    CHECK(g_str_has_prefix(line, "1 stall, 900.0 ms lost to retransmission timeout ("));

    current = "summary: a slow connect";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 1.0, C, TD_SYN, 1000, 0, 0);
    feed(s, 1.02, S, TD_SYN | TD_ACK, 5000, 1001, 0);
    feed(s, 1.04, C, TD_ACK, 1001, 5001, 0);
    line = summary_across_finalize(s, 5.0, &sev, &headline);
    CHECK(sev == TD_STREAM_SLOW && headline == TD_HS_SYN_RETRANSMITTED);
    CHECK(g_str_has_prefix(line, "Slow connect: the handshake completed only after 1 SYN"));

    current = "summary: mid-stream start cannot be judged";
    s = new_stream(NULL);
    feed(s, 0.0, C, TD_ACK | TD_PSH, 1000, 5000, 100);
    feed(s, 0.02, S, TD_ACK, 5000, 1100, 0);
    line = summary_across_finalize(s, 5.0, &sev, &headline);
    CHECK(sev == TD_STREAM_NOTE && headline == TD_HS_MIDSTREAM);
    CHECK(g_str_has_prefix(line, "No SYN in the capture"));
}

int
main(void)
{
    scope = wmem_allocator_new(WMEM_ALLOCATOR_SIMPLE);
    td_config_default(&cfg);

    test_healthy();
    test_scoreboard_released();
    test_syn_unanswered();
    test_rejected();
    test_icmp();
    test_slow_connect();
    test_synack_lost();
    test_ack_lost();
    test_incomplete();
    test_duplicates();
    test_tfo();
    test_options();
    test_port_reuse();
    test_new_connection();
    test_midstream();
    test_one_sided();
    test_teardown();
    test_resets();
    test_stalls();
    test_data_phase();
    test_model_alone();
    test_hosts();
    test_sequence_wrap();
    test_summary();
    test_code_faces();

    wmem_destroy_allocator(scope);
    printf("unit: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
