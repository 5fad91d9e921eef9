/* tcpdiag_hosts_table.h
 * Statistics -> TCP Diagnosis by Host and `tshark -z tcpdiag,hosts[,filter]`:
 * one row per service and per host, from the capture-wide rollup.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPDIAG_HOSTS_TABLE_H
#define TCPDIAG_HOSTS_TABLE_H

/* Call from proto_register_tcpdiag(), after register_tap("tcpdiag"). */
void tcpdiag_hosts_table_register(void);

#endif /* TCPDIAG_HOSTS_TABLE_H */
