/* The firmware .wasm under WAMR's embedding API (docs/firmware-abi.md): load, instantiate with
 * app heap 0, call exports by name, reach linear memory. The core of every C host (Linux and
 * ESP-IDF); nothing here touches files, sockets or a particular platform's entropy source. */
#ifndef EDGECHAIN_FW_H
#define EDGECHAIN_FW_H

#include <stddef.h>
#include <stdint.h>
#include "wasm_export.h"

/* Firmware error codes (firmware/errors.ts). */
#define FW_E_BAD_DIMS (-1)
#define FW_E_BAD_PARAM (-2)
#define FW_E_BAD_HEADER (-3)
#define FW_E_BAD_LENGTH (-4)
#define FW_E_NOT_READY (-5)
#define FW_E_BAD_KEY (-6)
#define FW_E_BAD_SIG (-7)
#define FW_E_ENTROPY (-8)
#define FW_E_TOO_LARGE (-9)
#define FW_E_BAD_MODEL (-10)
#define FW_E_HOST_HEAP (-11)
#define FW_E_BAD_MSG (-12)
/* Host-side failure: the call trapped (WAMR exception) or the export is missing. */
#define FW_TRAP (-1000)

/* Stack of the execution environment: a round's high-water mark is 1.9 KiB on x86-64
 * (docs/firmware-abi.md, Stack). */
#define FW_DEFAULT_STACK (8 * 1024)

/** Fills `len` bytes at `out` with entropy; 0 on success, < 0 on failure. */
typedef int (*fw_entropy_fn)(uint8_t *out, uint32_t len, void *user);

typedef struct fw {
    wasm_module_t module;
    wasm_module_inst_t inst;
    wasm_exec_env_t env;
    fw_entropy_fn entropy;
    void *entropy_user;
    char error[160]; /* last load/instantiate error or trap message */
    /* pool bytes taken by each stage of fw_open (0 without a pool allocator) */
    uint32_t mem_module, mem_instance, mem_exec_env;
} fw_t;

/** Initialises WAMR once per process. `pool` (may be NULL: system allocator) holds every
 *  runtime allocation except linear memory. Registers the `env.host_entropy` import. */
int fw_runtime_init(void *pool, uint32_t pool_size);
void fw_runtime_destroy(void);

/** Loads and instantiates the module in `wasm` (must stay valid and writable while `fw` lives).
 *  `heap_size` should be 0: the firmware refuses a runtime app heap (FW_E_HOST_HEAP).
 *  `max_pages` > 0 caps linear memory (memory.grow beyond it fails; the firmware then returns
 *  E_TOO_LARGE). Returns 0, or -1 with fw->error set. */
int fw_open(fw_t *fw, uint8_t *wasm, uint32_t len, uint32_t stack_size, uint32_t heap_size,
            uint32_t max_pages, fw_entropy_fn entropy, void *entropy_user);
void fw_close(fw_t *fw);

/** Calls export `name` with `argc` i32 arguments; returns its i32 result, or FW_TRAP. */
int32_t fw_call(fw_t *fw, const char *name, int argc, const int32_t *argv);
/** Calls an export returning f64 (kernel_metric); NaN on a trap. */
double fw_call_f64(fw_t *fw, const char *name, int32_t arg);

/** Native address of [addr, addr + len) in linear memory, or NULL if out of range. Re-query
 *  after every export call: memory.grow may move linear memory (wasm addresses stay valid). */
uint8_t *fw_mem(fw_t *fw, uint32_t addr, uint32_t len);
/** Current linear memory size in bytes. */
uint64_t fw_memory_bytes(fw_t *fw);

/** Name of a firmware error code (for messages). */
const char *fw_strerror(int32_t code);

#endif
