/* tcpdiag_core.h
 * The tcpdiag analysis core, as the epan glue and the unit tests use it: one
 * TCP segment record in (td_stream.h), per-stream findings and one verdict
 * out (verdict/td_verdict.h, worded by verdict/td_summary.h), and the
 * capture-wide rollup of the verdicts per service and host
 * (hosts/td_hosts.h, worded by hosts/td_host_summary.h). No epan
 * include on purpose: the core is driven directly by the unit tests, and by
 * the glue (packet-tcpdiag.c) that reads each frame's bytes.
 *
 * The layers, bottom up (docs/architecture.md): the model (model/), the
 * detectors that read it (detect/), the verdict that reads both (verdict/),
 * the host rollup that reads the verdicts (hosts/); td_stream.c feeds the
 * model and the detectors.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPDIAG_CORE_H
#define TCPDIAG_CORE_H

#include "td_stream.h"
#include "model/td_finding.h"
#include "verdict/td_verdict.h"
#include "verdict/td_summary.h"
#include "hosts/td_hosts.h"
#include "hosts/td_host_explain.h"
#include "hosts/td_host_summary.h"

#endif /* TCPDIAG_CORE_H */
