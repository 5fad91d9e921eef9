/* plugin.c
 * The symbols a Wireshark plugin exports (four in 4.0, plus plugin_describe
 * since 4.2), and registration of the tcpdiag postdissector.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/proto.h>

#include "ws_compat.h"

#ifndef TCPDIAG_VERSION
#error "TCPDIAG_VERSION must be defined by the build"
#endif

void proto_register_tcpdiag(void);
void proto_reg_handoff_tcpdiag(void);

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = TCPDIAG_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

void
plugin_register(void)
{
    static proto_plugin plug;

    plug.register_protoinfo = proto_register_tcpdiag;
    plug.register_handoff = proto_reg_handoff_tcpdiag;
    proto_register_plugin(&plug);
}

#ifdef TD_HAVE_PLUGIN_DESCRIBE
WS_DLL_PUBLIC uint32_t plugin_describe(void);

uint32_t
plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR;
}
#endif
