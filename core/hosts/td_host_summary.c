/* td_host_summary.c
 * The host rollup in words (td_host_summary.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "hosts/td_host_summary.h"
#include "model/td_format.h"

static char *
name_of(wmem_allocator_t *scope, td_host_row_kind_t kind, guint32 host, guint16 port,
        td_host_name_fn name, void *data)
{
    const char *addr = name(host, data);

    if (kind == TD_ROW_HOST)
        return wmem_strdup(scope, addr);
    return td_fmt_endpoint(scope, addr, port);
}

char *
td_host_row_name(wmem_allocator_t *scope, const td_host_row_t *row, td_host_name_fn name,
                 void *data)
{
    return name_of(scope, row->kind, row->host, row->port, name, data);
}

static const char *
plural(guint32 n)
{
    return n == 1 ? "" : "s";
}

static void
append_finding(wmem_allocator_t *scope, wmem_strbuf_t *buf, const td_host_row_t *row,
               const td_host_finding_t *f, const char *who)
{
    switch (f->code) {
    case TD_HOST_TIME_WAIT:
        wmem_strbuf_append_printf(buf, "%s closed %u of %u connections first: up to %u of them "
                                  "in TIME_WAIT on the server at once (%s each), %u when the "
                                  "capture ends", who, f->count, f->of, f->peak,
                                  td_fmt_duration(scope, f->value), f->other);
        break;
    case TD_HOST_CLOSE_WAIT: {
        double span = row->last_time - row->first_time;
        wmem_strbuf_append_printf(buf, "%u connection%s to %s in CLOSE_WAIT when the capture "
                                  "ends (the client's FIN acknowledged, the server never "
                                  "closed), the oldest for %s", f->peak, plural(f->peak), who,
                                  td_fmt_duration(scope, f->value));
        if (f->count != f->peak)
            wmem_strbuf_append_printf(buf, " (%u of them for %s or more)", f->count,
                                      td_fmt_duration(scope, f->low));
        /* the newest began in the last quarter of the service's span */
        if (span > 0.0 && f->high <= 0.25 * span)
            wmem_strbuf_append(buf, ", still growing at the end of the capture");
        break;
    }
    case TD_HOST_ACCEPT_QUEUE:
        wmem_strbuf_append_printf(buf, "The listener %s dropped the handshakes of %u of %u "
                                  "connections (%u SYN%s sent again, %u SYN-ACK%s resent after "
                                  "the client's ACK) while others connected at the same moment: "
                                  "its listen backlog was full (the accept queue, or the SYN "
                                  "queue behind it)", who, f->count, f->of, f->peak,
                                  plural(f->peak), f->other, plural(f->other));
        break;
    case TD_HOST_SCANNER:
        wmem_strbuf_append_printf(buf, "%s tried %u port%s (%u-%u) on %u host%s without data "
                                  "in %u of its %u connections, %u of them failed: a port scan",
                                  who, f->other, plural(f->other), f->lo, f->hi, f->targets,
                                  plural(f->targets), f->count, f->of, f->peak);
        break;
    case TD_HOST_PATH_LOSS:
        wmem_strbuf_append_printf(buf, "%u of the %u connections with 50 segments or more %s %s "
                                  "lost some (%.1f%% of all its segments)%s: its path loses, not "
                                  "one connection", f->count, f->of, f->dir == 0 ? "from" : "to",
                                  who, 100.0 * f->value,
                                  f->where == TD_LOSS_UPSTREAM ? ", most before the capture point"
                                  : f->where == TD_LOSS_DOWNSTREAM ? ", most after the capture point"
                                  : "");
        break;
    case TD_HOST_IDLE_TIMEOUT:
        wmem_strbuf_append_printf(buf, "%u connections to %s were reset after %s of silence",
                                  f->count, who, td_fmt_duration(scope, f->value));
        /* the range where the silences differ by more than the clock's
         * resolution in the words (3 digits) */
        if (f->high - f->low > 0.005 * f->value)
            wmem_strbuf_append_printf(buf, " (%s to %s)", td_fmt_duration(scope, f->low),
                                      td_fmt_duration(scope, f->high));
        if (f->other)
            wmem_strbuf_append_printf(buf, ", %u of the RSTs with another TTL than the sender's",
                                      f->other);
        wmem_strbuf_append_printf(buf, ": an idle timer on the path (load balancer, firewall), "
                                  "not the application, of more than %s (the longest silence a "
                                  "connection lived through) and at most %s",
                                  td_fmt_duration(scope, f->lived), td_fmt_duration(scope, f->low));
        break;
    case TD_HOST_PORT_EXHAUSTION:
        wmem_strbuf_append_printf(buf, "%s reused a 4-tuple still in TIME_WAIT or open in %u of "
                                  "its %u connections: %u source port%s (%u-%u) for its "
                                  "connection rate", who, f->count, f->of, f->other,
                                  plural(f->other), f->lo, f->hi);
        break;
    default:
        break;
    }
}

char *
td_host_summary(wmem_allocator_t *scope, const td_host_row_t *row, td_host_name_fn name,
                void *data)
{
    wmem_strbuf_t *buf = wmem_strbuf_new(scope, "");
    char *who = td_host_row_name(scope, row, name, data);
    static const char *const labels[] = {
        [TD_STREAM_FAILED] = "failed", [TD_STREAM_BROKEN] = "broken",
        [TD_STREAM_STALLED] = "stalled", [TD_STREAM_LOSSY] = "lossy", [TD_STREAM_SLOW] = "slow",
        [TD_STREAM_NOTE] = "with a note", [TD_STREAM_HEALTHY] = "healthy",
    };
    const char *sep = "";

    /* the findings, worst first */
    for (int sev = TD_STREAM_FAILED; sev <= TD_STREAM_HEALTHY; sev++) {
        for (int c = 0; c < TD_HOST_CODE_COUNT; c++) {
            if (!(row->codes & (1u << c))
                || (int)td_host_code_info((td_host_code_t)c)->severity != sev)
                continue;
            wmem_strbuf_append(buf, sep);
            append_finding(scope, buf, row, &row->findings[c], who);
            sep = "; ";
        }
    }
    if (!*sep) {
        /* no host finding: its connections' account */
        guint32 listed = row->conns - row->scanner_probes;
        wmem_strbuf_append_printf(buf, "%u connection%s", listed, plural(listed));
        sep = ": ";
        for (int sev = TD_STREAM_FAILED; sev <= TD_STREAM_HEALTHY; sev++) {
            if (!row->by_severity[sev])
                continue;
            wmem_strbuf_append_printf(buf, "%s%u %s", sep, row->by_severity[sev], labels[sev]);
            sep = ", ";
        }
        if (row->explained)
            wmem_strbuf_append_printf(buf, "; %u of them explained by %s: %s (%s)",
                                      row->explained,
                                      name_of(scope, row->explained_kind, row->explained_host,
                                              row->explained_port, name, data),
                                      td_host_code_info(row->explained_code)->title,
                                      td_host_code_info(row->explained_code)->name);
        if (row->irtt_median >= 0.0)
            wmem_strbuf_append_printf(buf, "; connected in %s (median)",
                                      td_fmt_duration(scope, row->irtt_median));
    }
    if (row->scanner_probes && !(row->codes & (1u << TD_HOST_SCANNER)))
        wmem_strbuf_append_printf(buf, "; also %u probe%s of a scanner", row->scanner_probes,
                                  plural(row->scanner_probes));
    return wmem_strbuf_finalize(buf);
}

const char *
td_host_cause(td_host_code_t code)
{
    switch (code) {
    case TD_HOST_TIME_WAIT:
        return "The server closes its connections first (Connection: close, an idle or request "
               "limit), so it holds each one's TIME_WAIT for 2 MSL (60 s on Linux); let the "
               "clients close first (keep-alive), or a client that returns from the same port "
               "meets it";
    case TD_HOST_CLOSE_WAIT:
        return "Its application reads the client's close (EOF) and never calls close(): each "
               "connection keeps a socket and a descriptor until the process exits (ss -tan "
               "state close-wait; look for a path that skips close())";
    case TD_HOST_ACCEPT_QUEUE:
        return "The application accepts slower than connections arrive (a blocked accept loop, "
               "too few workers) or its listen() backlog is small (min(backlog, "
               "net.core.somaxconn)); on the server nstat's TcpExtListenDrops counts the drops, "
               "TcpExtListenOverflows those of a full accept queue. The streams' lost SYNs and "
               "third ACKs were dropped by the server, not the network";
    case TD_HOST_SCANNER:
        return "A port scanner (nmap, masscan) or a health checker gone wrong; its probes are "
               "listed under it, not as failures of what it probed";
    case TD_HOST_PATH_LOSS:
        return "A lossy link, a congested router or a policer on the path to or from this host; "
               "where the segments were lost relative to the capture point says which part of "
               "the path";
    case TD_HOST_IDLE_TIMEOUT:
        return "A load balancer, NAT or firewall drops connections idle for its timer (AWS NLB "
               "350 s, Azure LB 4 min, conntrack); send TCP keep-alives more often than that, "
               "or raise the timer";
    case TD_HOST_PORT_EXHAUSTION:
        return "The client connects faster than its ports come free (ip_local_port_range; a "
               "port waits 60 s in TIME_WAIT where the connection was closed first): reuse "
               "connections (pooling, keep-alive), widen the range, or close on the client "
               "with tcp_tw_reuse";
    default:
        return NULL;
    }
}

char *
td_host_stream_note(wmem_allocator_t *scope, td_host_code_t code, const td_host_row_t *row,
                    td_host_name_fn name, void *data)
{
    const td_host_finding_t *f = &row->findings[code];
    char *who = td_host_row_name(scope, row, name, data);

    switch (code) {
    case TD_HOST_SCANNER:
        return wmem_strdup_printf(scope, "a probe of %s's scan of %u ports (host.scanner)", who,
                                  f->other);
    case TD_HOST_ACCEPT_QUEUE:
        return wmem_strdup_printf(scope, "read differently: the listener dropped it, not the "
                                  "network, %s's listen backlog was full (%u of %u handshakes "
                                  "dropped, host.accept_queue)", who, f->count, f->of);
    case TD_HOST_CLOSE_WAIT:
        return wmem_strdup_printf(scope, "one of %u connections %s left in CLOSE_WAIT "
                                  "(host.close_wait)", f->peak, who);
    case TD_HOST_IDLE_TIMEOUT:
        return wmem_strdup_printf(scope, "one of %u connections to %s reset after %s of "
                                  "silence: an idle timer on the path (host.idle_timeout)",
                                  f->count, who, td_fmt_duration(scope, f->value));
    case TD_HOST_PORT_EXHAUSTION:
        return wmem_strdup_printf(scope, "%s's source ports wrap: %u ports for %u connections "
                                  "(host.port_exhaustion)", who, f->other, f->of);
    case TD_HOST_PATH_LOSS:
        return wmem_strdup_printf(scope, "%u of %u connections %s %s lose data: its path "
                                  "(host.path_loss)", f->count, f->of, f->dir == 0 ? "from" : "to",
                                  who);
    default:
        return wmem_strdup(scope, "");
    }
}
