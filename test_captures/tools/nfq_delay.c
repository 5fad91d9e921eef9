/*
 * nfq_delay - hold every packet of an NFQUEUE for a fixed time, then accept it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Part of tcpdiag's capture generator (test_captures/make_captures.sh); there is
 * no netem in the kernel these captures are made on, so the router namespace
 * sends its forwarded packets here to give connections a realistic RTT.
 *
 * Packets are released in arrival order (one FIFO, constant delay) and never
 * dropped. Two options perturb that on purpose, for the data-phase captures:
 *   -r N  swap neighbours: every Nth packet leaves just after the one behind
 *         it (reordering, as a path with parallel links does);
 *   SIGUSR1 pauses the link for -p PAUSE_MS: nothing leaves until then, and
 *         everything held leaves at once after it (a delay spike: a queue
 *         filling up, a mobile handover).
 *
 * usage: nfq_delay [-q QUEUE] [-d DELAY_MS] [-r N] [-p PAUSE_MS] [-v]
 *   DELAY_MS may be fractional (0.5: 1 ms round trip over the router)
 *   iptables  -t mangle -A POSTROUTING -j NFQUEUE --queue-num QUEUE
 *   ip6tables -t mangle -A POSTROUTING -j NFQUEUE --queue-num QUEUE
 * Prints "ready" on stdout once the queue is bound.  SIGINT/SIGTERM end it
 * (packets still held are released first).
 *
 * build: gcc -O2 -Wall -o nfq_delay nfq_delay.c -lnetfilter_queue
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define RING 65536u /* max packets held at once; far above what the scenarios need */

struct held {
	uint32_t id;
	uint64_t due_ns;
	int swap; /* leaves after the packet behind it */
};

static struct held ring[RING];
static unsigned head, tail; /* ring[head..tail) are held, in arrival order */
static uint64_t delay_ns;
static unsigned long n_in, n_out, n_full;
static volatile sig_atomic_t stop, pause_now;
static int verbose;
static unsigned long swap_every; /* 0: never */
static uint64_t pause_ns, paused_until;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		pause_now = 1;
	else
		stop = 1;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg,
		     struct nfq_data *nfa, void *data)
{
	(void)msg;
	(void)data;
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	if (!ph)
		return 0;
	uint32_t id = ntohl(ph->packet_id);
	n_in++;
	if (tail - head >= RING) {
		/* Cannot hold it: let it through at once rather than lose it. */
		n_full++;
		nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
		n_out++;
		return 0;
	}
	ring[tail % RING].id = id;
	ring[tail % RING].due_ns = now_ns() + delay_ns;
	ring[tail % RING].swap = swap_every && n_in % swap_every == 0;
	tail++;
	return 0;
}

static void accept_id(struct nfq_q_handle *qh, uint32_t id)
{
	if (nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL) < 0 && verbose)
		perror("nfq_set_verdict");
	n_out++;
}

/* A packet to swap waits for the one behind it (at most 20 ms more: none
 * may come), which then leaves first. */
#define SWAP_WAIT_NS 20000000ull

static void release_due(struct nfq_q_handle *qh, int all)
{
	uint64_t now = now_ns();
	if (!all && now < paused_until)
		return;
	while (head != tail && (all || ring[head % RING].due_ns <= now)) {
		struct held *h = &ring[head % RING];
		if (h->swap && !all) {
			if (tail - head < 2) {
				if (now < h->due_ns + SWAP_WAIT_NS)
					return;          /* wait for a neighbour */
			} else {
				struct held *next = &ring[(head + 1) % RING];
				if (next->due_ns > now && now < h->due_ns + SWAP_WAIT_NS)
					return;
				accept_id(qh, next->id); /* the one behind leaves first */
				*next = *h;
				next->swap = 0;
				head++;
				continue;
			}
		}
		accept_id(qh, h->id);
		head++;
	}
}

int main(int argc, char **argv)
{
	int queue = 0, opt;
	double delay_ms = 20, pause_ms = 1000;

	while ((opt = getopt(argc, argv, "q:d:r:p:vh")) != -1) {
		switch (opt) {
		case 'q': queue = atoi(optarg); break;
		case 'd': delay_ms = atof(optarg); break;
		case 'r': swap_every = strtoul(optarg, NULL, 10); break;
		case 'p': pause_ms = atof(optarg); break;
		case 'v': verbose = 1; break;
		default:
			fprintf(stderr, "usage: %s [-q QUEUE] [-d DELAY_MS] [-r N] [-p PAUSE_MS] [-v]\n",
				argv[0]);
			return 2;
		}
	}
	if (delay_ms < 0 || delay_ms > 60000 || pause_ms < 0 || pause_ms > 60000) {
		fprintf(stderr, "delay and pause must be 0..60000 ms\n");
		return 2;
	}
	delay_ns = (uint64_t)(delay_ms * 1e6);
	pause_ns = (uint64_t)(pause_ms * 1e6);

	struct nfq_handle *h = nfq_open();
	if (!h) {
		perror("nfq_open");
		return 1;
	}
	/* Harmless no-ops on current kernels, needed on old ones. */
	nfq_unbind_pf(h, AF_INET);
	nfq_bind_pf(h, AF_INET);
	nfq_unbind_pf(h, AF_INET6);
	nfq_bind_pf(h, AF_INET6);

	struct nfq_q_handle *qh = nfq_create_queue(h, (uint16_t)queue, on_packet, NULL);
	if (!qh) {
		perror("nfq_create_queue");
		return 1;
	}
	/* The verdict needs only the packet id: copy no payload. */
	if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0) {
		perror("nfq_set_mode");
		return 1;
	}
	nfq_set_queue_maxlen(qh, RING);

	int fd = nfq_fd(h);
	int rcvbuf = 4 * 1024 * 1024;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);

	printf("ready queue=%d delay_ms=%g swap_every=%lu\n", queue, delay_ms, swap_every);
	fflush(stdout);

	char buf[65536] __attribute__((aligned));
	while (!stop) {
		if (pause_now) {
			pause_now = 0;
			paused_until = now_ns() + pause_ns;
		}
		release_due(qh, 0);

		struct timespec to, *top = NULL;
		if (head != tail) {
			uint64_t now = now_ns(), due = ring[head % RING].due_ns;
			if (due < paused_until)
				due = paused_until;
			if (ring[head % RING].swap && tail - head < 2)
				due += SWAP_WAIT_NS / 4; /* poll while waiting for a neighbour */
			uint64_t wait = due > now ? due - now : 0;
			to.tv_sec = (time_t)(wait / 1000000000ull);
			to.tv_nsec = (long)(wait % 1000000000ull);
			top = &to;
		}
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r = ppoll(&pfd, 1, top, NULL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("ppoll");
			break;
		}
		if (r == 0 || !(pfd.revents & POLLIN))
			continue;
		for (;;) {
			ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
					break;
				if (errno == ENOBUFS) { /* socket overrun: keep going */
					fprintf(stderr, "nfq_delay: ENOBUFS\n");
					continue;
				}
				perror("recv");
				stop = 1;
				break;
			}
			nfq_handle_packet(h, buf, (int)n);
		}
	}
	release_due(qh, 1);
	if (verbose || n_full)
		fprintf(stderr, "nfq_delay: %lu in, %lu out, %lu passed undelayed (ring full)\n",
			n_in, n_out, n_full);
	nfq_destroy_queue(qh);
	nfq_close(h);
	return 0;
}
