/* SPDX-License-Identifier: Apache-2.0 */
/* Emptied state directories kept under the state root for the next
 * create. Where freeing a block waits for the disk (ext4 without a
 * journal, mounted with -o discard: 0.3-0.5 ms a directory, measured in
 * bench/README.md) removing a container's directory and making the next
 * one cost as much as the rest of a delete; taking a kept one is a
 * rename. At most DIR_POOL_SIZE are kept, each empty, mode 0700, named
 * <root>/@free/0 and on. */
#ifndef NSRUN_OCI_DIR_POOL_H
#define NSRUN_OCI_DIR_POOL_H

/* Below the state root; '@' is no container id's, so no id meets it. */
#define DIR_POOL_DIR "@free"
#define DIR_POOL_SIZE 4

/* Put a kept directory of the pool at dir, <root>/<id>, which must not
 * exist. 0 when done; else -1 with errno EEXIST when dir exists, another
 * errno when none could be taken (the caller makes dir itself). */
int dir_pool_take(const char *dir);

/* Keep dir, <root>/<id> emptied by the caller, in root's pool, or remove
 * it. */
void dir_pool_give(const char *dir);

#endif
