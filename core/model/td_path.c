/* td_path.c
 * Path facts: the round trip to each side and the vantage point (td_path.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "model/td_path.h"

double
td_path_rtt_to(const td_stream_t *s, guint8 dir)
{
    const td_path_t *p = &s->path;
    double to_client;

    if (!p->established_frame || s->client < 0 || p->initial_rtt < 0.0)
        return -1.0;
    to_client = p->established_time - p->synack_last_time;
    if (to_client < 0.0)
        to_client = 0.0;
    if (dir == s->client)
        return to_client;
    /* To the server: SYN -> its first SYN-ACK. The rest of the initial RTT
     * also holds the SYN-ACK's retransmission timeout when one was lost. */
    if (p->synack_first_time >= p->answered_syn_time)
        return MIN(p->synack_first_time - p->answered_syn_time, p->initial_rtt);
    return MAX(p->initial_rtt - to_client, 0.0);
}

static double
full_rtt(const td_stream_t *s, guint8 dir, gboolean smallest)
{
    const td_seqdir_t *q = &s->seq[dir];
    double to_sender = td_path_rtt_to(s, dir);

    if (q->rtt_samples)
        return (smallest ? q->rtt_min : q->srtt) + MAX(to_sender, 0.0);
    return s->path.initial_rtt;
}

double
td_path_srtt(const td_stream_t *s, guint8 dir)
{
    return full_rtt(s, dir, FALSE);
}

double
td_path_rtt_min(const td_stream_t *s, guint8 dir)
{
    return full_rtt(s, dir, TRUE);
}

/* A side holding less than this share of the round trip is "next to" the
 * capture point: a host's own stack and NIC take tens of microseconds, a
 * LAN hop a few hundred, against the milliseconds of a path. */
#define VANTAGE_NEAR 0.10
/* Round trips shorter than this (a loopback, one switch) cannot be split:
 * timer and scheduling noise is of the same size. */
#define VANTAGE_MIN_RTT 0.0002

td_vantage_t
td_path_vantage(const td_stream_t *s, guint *client_share)
{
    double to_client = -1.0, to_server = -1.0, share;

    *client_share = 0;
    if (s->client < 0)
        return TD_VANTAGE_UNKNOWN;
    if (s->path.established_frame) {
        to_client = td_path_rtt_to(s, (guint8)s->client);
        to_server = td_path_rtt_to(s, (guint8)(1 - s->client));
    } else if (s->seq[s->client].rtt_samples && s->seq[1 - s->client].rtt_samples) {
        /* the server's data is acknowledged from the client's side, and so on */
        to_client = s->seq[1 - s->client].rtt_min;
        to_server = s->seq[s->client].rtt_min;
    }
    if (to_client < 0.0 || to_server < 0.0 || to_client + to_server < VANTAGE_MIN_RTT)
        return TD_VANTAGE_UNKNOWN;
    share = to_client / (to_client + to_server);
    *client_share = (guint)(100.0 * share + 0.5);
    if (share < VANTAGE_NEAR)
        return TD_VANTAGE_CLIENT;
    if (share > 1.0 - VANTAGE_NEAR)
        return TD_VANTAGE_SERVER;
    return TD_VANTAGE_IN_PATH;
}

const char *
td_path_vantage_words(td_stream_t *s)
{
    guint share;

    switch (td_path_vantage(s, &share)) {
    case TD_VANTAGE_CLIENT:  return " (near the client)";
    case TD_VANTAGE_SERVER:  return " (near the server)";
    case TD_VANTAGE_IN_PATH:
        return wmem_strdup_printf(s->scope, " (in the path, %u%% of the RTT client-side)", share);
    default:                 return "";
    }
}

const char *
td_vantage_name(td_vantage_t v)
{
    switch (v) {
    case TD_VANTAGE_CLIENT:  return "client";
    case TD_VANTAGE_SERVER:  return "server";
    case TD_VANTAGE_IN_PATH: return "in_path";
    default:                 return "unknown";
    }
}
