/* ws_compat.h
 * Everything that differs between the Wireshark releases tcpdiag supports
 * (4.0 to 4.6), in one place. The rest of the plugin is written once against
 * these names; the analysis core (core/) sees no Wireshark API at all.
 *
 * TD_WS_VERSION is the single version switch: major * 100 + minor, from the
 * headers of the Wireshark being built against (a plugin binary never crosses
 * minor releases: libwireshark16 is 4.0, 18 is 4.4, 19 is 4.6).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TD_WS_COMPAT_H
#define TD_WS_COMPAT_H

#include <wireshark.h>
#include <epan/proto.h>
#include <epan/ftypes/ftypes.h>
#include <epan/tvbuff.h>

#define TD_WS_VERSION (WIRESHARK_VERSION_MAJOR * 100 + WIRESHARK_VERSION_MINOR)

#if TD_WS_VERSION < 400
#error "tcpdiag needs Wireshark 4.0 or later"
#endif

/* The value of an integer field. field_info.value is an fvalue_t held in
 * place up to 4.0 and a pointer to one since 4.2. */
#if TD_WS_VERSION >= 402
#define TD_FI_UINT(fi) fvalue_get_uinteger((fi)->value)
#else
#define TD_FI_UINT(fi) fvalue_get_uinteger(&(fi)->value)
#endif

/* One byte from a tvb: 4.4 renamed tvb_get_guint8 (deprecated since). */
#if TD_WS_VERSION >= 404
#define TD_TVB_U8(tvb, off) tvb_get_uint8((tvb), (off))
#else
#define TD_TVB_U8(tvb, off) tvb_get_guint8((tvb), (off))
#endif

/* Big-endian integers from bytes (wsutil/pint.h): 4.6 renamed pntoh16 and
 * pntoh32 to pntohu16 and pntohu32. */
#include <wsutil/pint.h>
#if TD_WS_VERSION >= 406
#define TD_PNTOH16(p) pntohu16(p)
#define TD_PNTOH32(p) pntohu32(p)
#else
#define TD_PNTOH16(p) pntoh16(p)
#define TD_PNTOH32(p) pntoh32(p)
#endif

/* plugin_describe() tells `tshark -G plugins` what kind of plugin this is;
 * 4.2 added it, with its flags in wsutil/plugins.h. */
#if TD_WS_VERSION >= 402
#include <wsutil/plugins.h>
#define TD_HAVE_PLUGIN_DESCRIBE 1
#endif

#endif /* TD_WS_COMPAT_H */
