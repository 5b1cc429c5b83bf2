/* Linux glue shared by edgechain-board and fw-tool: files, getrandom, options, memory report. */
#ifndef EDGECHAIN_LINUX_COMMON_H
#define EDGECHAIN_LINUX_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include "board.h"

typedef struct host_opts {
    const char *wasm, *data, *key_file, *broker, *global, *out, *ctr_file;
    board_cfg_t cfg;
    uint32_t stack, heap_size, pool;
    uint64_t ctr;
    int have_gateway_key;
} host_opts_t;

/** Reads a whole file (≤ max bytes) into a malloc'd buffer. NULL on error (message on stderr). */
uint8_t *read_file(const char *path, uint32_t max, uint32_t *len);
/** Parses exactly 2·n hex digits. 0 or -1. */
int parse_hex(const char *s, uint8_t *out, size_t n);
void print_hex(FILE *f, const uint8_t *p, size_t n);
/** host_entropy for Linux: getrandom(2). */
int entropy_getrandom(uint8_t *out, uint32_t len, void *user);

/** Fills defaults, then parses "--name value" pairs. Returns 0, or -1 on an unknown option. */
int host_opts_parse(host_opts_t *o, int argc, char **argv);

/** Runtime + firmware + dataset + board, from the options; the pool (if o->pool) is static.
 *  Prints the reason and returns -1 on failure. */
int host_start(host_opts_t *o, fw_t *fw, ds_t *ds, board_t *b, uint8_t **wasm_buf);
/** JSON object with the measured memory (pool stages, peak, linear memory, stack). */
void host_memory_json(FILE *f, fw_t *fw);

#endif
