# SPDX-License-Identifier: GPL-2.0-or-later
#
# tcpdiag built inside a Wireshark source tree, as Wireshark's own plugins
# are (doc/README.plugins; plugins/epan/transum/CMakeLists.txt):
#
#   cp -r tcpdiag <wireshark>/plugins/epan/tcpdiag
#   echo 'set(CUSTOM_PLUGIN_SRC_DIR plugins/epan/tcpdiag)' > <wireshark>/CMakeListsCustom.txt
#   cmake -G Ninja -S <wireshark> -B build && ninja -C build tcpdiag
#
# Included by the top-level CMakeLists.txt, which lists the sources. The core
# is compiled into the plugin here (no separate library, no unit tests: those
# are the out-of-tree build's).
include(WiresharkPlugin)

string(REPLACE "." ";" _td_version "${TCPDIAG_VERSION}")
list(GET _td_version 0 _td_major)
list(GET _td_version 1 _td_minor)
list(GET _td_version 2 _td_micro)
set_module_info(tcpdiag ${_td_major} ${_td_minor} ${_td_micro} 0)

set(PLUGIN_FILES ${TCPDIAG_PLUGIN_SOURCES} ${TCPDIAG_CORE_SOURCES})
add_wireshark_plugin_library(tcpdiag epan)
target_include_directories(tcpdiag PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/core ${CMAKE_CURRENT_SOURCE_DIR}/plugin ${CMAKE_CURRENT_SOURCE_DIR}/tap)
target_compile_definitions(tcpdiag PRIVATE TCPDIAG_VERSION="${TCPDIAG_VERSION}")
target_link_libraries(tcpdiag epan)
install_plugin(tcpdiag epan)
