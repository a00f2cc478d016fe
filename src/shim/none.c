/* SPDX-License-Identifier: Apache-2.0 */
/* Where the exec shim cannot be built (meson.build): no shim, so every init
 * stage is a re-executed sealed copy of nsrun (src/engine/start/shim_copy.h). */
#include "engine/start/shim_copy.h"

const unsigned char nsrun_exec_shim[1];
const unsigned long nsrun_exec_shim_size = 0;
