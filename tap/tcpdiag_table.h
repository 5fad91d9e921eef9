/* tcpdiag_table.h
 * Statistics -> TCP Diagnosis and `tshark -z tcpdiag[,filter]`: one row per
 * TCP stream with its verdicts.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPDIAG_TABLE_H
#define TCPDIAG_TABLE_H

/* Call from proto_register_tcpdiag(), after register_tap("tcpdiag"). */
void tcpdiag_table_register(void);

#endif /* TCPDIAG_TABLE_H */
