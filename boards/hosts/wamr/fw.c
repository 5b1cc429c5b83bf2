/* See fw.h. Plain C99 over WAMR's public embedding API (core/iwasm/include/wasm_export.h). */
#include "fw.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* env.host_entropy(ptr, len) -> i32 (docs/firmware-abi.md, Imports). The "(*~)i" signature makes
 * WAMR check that [ptr, ptr + len) lies in linear memory and pass a native pointer. */
static int32_t host_entropy(wasm_exec_env_t env, uint8_t *out, uint32_t len)
{
    fw_t *fw = (fw_t *)wasm_runtime_get_custom_data(wasm_runtime_get_module_inst(env));
    if (!fw || !fw->entropy) return -1;
    return fw->entropy(out, len, fw->entropy_user) == 0 ? 0 : -1;
}

static NativeSymbol natives[] = {
    { "host_entropy", (void *)host_entropy, "(*~)i", NULL },
};

int fw_runtime_init(void *pool, uint32_t pool_size)
{
    RuntimeInitArgs a;
    memset(&a, 0, sizeof a);
    if (pool) {
        a.mem_alloc_type = Alloc_With_Pool;
        a.mem_alloc_option.pool.heap_buf = pool;
        a.mem_alloc_option.pool.heap_size = pool_size;
    } else {
        a.mem_alloc_type = Alloc_With_System_Allocator;
    }
    a.native_module_name = "env";
    a.native_symbols = natives;
    a.n_native_symbols = sizeof natives / sizeof natives[0];
    return wasm_runtime_full_init(&a) ? 0 : -1;
}

void fw_runtime_destroy(void) { wasm_runtime_destroy(); }

static uint32_t pool_used(void)
{
    mem_alloc_info_t m;
    return wasm_runtime_get_mem_alloc_info(&m) ? m.total_size - m.total_free_size : 0;
}

int fw_open(fw_t *fw, uint8_t *wasm, uint32_t len, uint32_t stack_size, uint32_t heap_size,
            uint32_t max_pages, fw_entropy_fn entropy, void *entropy_user)
{
    uint32_t u0 = pool_used(), u1, u2;
    memset(fw, 0, sizeof *fw);
    fw->entropy = entropy;
    fw->entropy_user = entropy_user;
    fw->module = wasm_runtime_load(wasm, len, fw->error, sizeof fw->error);
    if (!fw->module) return -1;
    u1 = pool_used();
    /* stack_size here is the native-thread stack of a spawned thread (unused); the wasm stack
     * is the exec env's. heap_size > 0 makes WAMR append an app heap to linear memory. */
    InstantiationArgs ia;
    memset(&ia, 0, sizeof ia);
    ia.default_stack_size = stack_size;
    ia.host_managed_heap_size = heap_size;
    ia.max_memory_pages = max_pages;
    fw->inst = wasm_runtime_instantiate_ex(fw->module, &ia, fw->error, sizeof fw->error);
    if (!fw->inst) { wasm_runtime_unload(fw->module); fw->module = NULL; return -1; }
    wasm_runtime_set_custom_data(fw->inst, fw);
    u2 = pool_used();
    fw->env = wasm_runtime_create_exec_env(fw->inst, stack_size);
    if (!fw->env) {
        snprintf(fw->error, sizeof fw->error, "cannot create an execution environment of %u bytes", stack_size);
        fw_close(fw);
        return -1;
    }
    fw->mem_module = u1 - u0;
    fw->mem_instance = u2 - u1;
    fw->mem_exec_env = pool_used() - u2;
    return 0;
}

void fw_close(fw_t *fw)
{
    if (fw->env) wasm_runtime_destroy_exec_env(fw->env);
    if (fw->inst) wasm_runtime_deinstantiate(fw->inst);
    if (fw->module) wasm_runtime_unload(fw->module);
    fw->env = NULL; fw->inst = NULL; fw->module = NULL;
}

static int call(fw_t *fw, const char *name, int argc, uint32_t *cells)
{
    wasm_function_inst_t f = wasm_runtime_lookup_function(fw->inst, name);
    if (!f) { snprintf(fw->error, sizeof fw->error, "no export %s", name); return -1; }
    if (!wasm_runtime_call_wasm(fw->env, f, (uint32_t)argc, cells)) {
        const char *e = wasm_runtime_get_exception(fw->inst);
        snprintf(fw->error, sizeof fw->error, "%s trapped: %s", name, e ? e : "?");
        wasm_runtime_clear_exception(fw->inst);
        return -1;
    }
    return 0;
}

int32_t fw_call(fw_t *fw, const char *name, int argc, const int32_t *argv)
{
    uint32_t cells[8] = { 0 };
    if (argc > 8) return FW_TRAP;
    for (int i = 0; i < argc; i++) cells[i] = (uint32_t)argv[i];
    if (call(fw, name, argc, cells) != 0) return FW_TRAP;
    return (int32_t)cells[0];
}

double fw_call_f64(fw_t *fw, const char *name, int32_t arg)
{
    uint32_t cells[2] = { (uint32_t)arg, 0 };
    double d;
    if (call(fw, name, 1, cells) != 0) return NAN;
    memcpy(&d, cells, sizeof d);
    return d;
}

uint8_t *fw_mem(fw_t *fw, uint32_t addr, uint32_t len)
{
    if (!wasm_runtime_validate_app_addr(fw->inst, addr, len)) {
        wasm_runtime_clear_exception(fw->inst); /* validate sets "out of bounds" */
        return NULL;
    }
    return (uint8_t *)wasm_runtime_addr_app_to_native(fw->inst, addr);
}

uint64_t fw_memory_bytes(fw_t *fw)
{
    wasm_memory_inst_t m = wasm_runtime_get_default_memory(fw->inst);
    return m ? (uint64_t)wasm_memory_get_cur_page_count(m) * wasm_memory_get_bytes_per_page(m) : 0;
}

const char *fw_strerror(int32_t code)
{
    switch (code) {
    case FW_E_BAD_DIMS: return "E_BAD_DIMS (wrong dimensions)";
    case FW_E_BAD_PARAM: return "E_BAD_PARAM (parameter out of range)";
    case FW_E_BAD_HEADER: return "E_BAD_HEADER (bad model header)";
    case FW_E_BAD_LENGTH: return "E_BAD_LENGTH (bad length or range)";
    case FW_E_NOT_READY: return "E_NOT_READY (call order)";
    case FW_E_BAD_KEY: return "E_BAD_KEY (bad key)";
    case FW_E_BAD_SIG: return "E_BAD_SIG (signature does not verify)";
    case FW_E_ENTROPY: return "E_ENTROPY (host entropy failed)";
    case FW_E_TOO_LARGE: return "E_TOO_LARGE (firmware limit or memory.grow refused)";
    case FW_E_BAD_MODEL: return "E_BAD_MODEL (model parameter out of range)";
    case FW_E_HOST_HEAP: return "E_HOST_HEAP (the runtime put an app heap in linear memory: use heap size 0)";
    case FW_E_BAD_MSG: return "E_BAD_MSG (malformed signed message)";
    case FW_TRAP: return "trap";
    default: return "unknown firmware error";
    }
}
