/* Differential fuzzing of the firmware ABI under WAMR (docs/firmware-abi.md, "Fuzzing"). Calls
 * every exported function with random arguments and checks that none traps and that
 * kernel_selftest still returns a fresh instance's digest after every batch. The generator is
 * specified once and implemented twice, here and in test/support/firmware-fuzz.ts (Node), so both
 * engines see the same calls and must also agree on the digest of all results:
 *   rng: xorshift32 (13, 17, 5) from the seed; exports: function exports except kernel_selftest,
 *   sorted by name; per call: export = next() % count, then per parameter draw(memory bytes):
 *     c = next() & 7: 0,1 → next() % 64 - 8; 2 → BOUNDS[next() % 12]; 3,4 → mem - 1 - next() % 65536;
 *     5 → mem - 1 - next() % 4096; 6 → (int32) next(); 7 → next() % 1024
 *   (an f64 parameter gets the drawn int32 as a double); digest: FNV-1a over the export index
 *   (u32 LE) and the result as f64 bits (LE; NaN as 0x7ff8000000000000).
 *   host_entropy: own xorshift32 from seed ^ 0x5bd1e995; e = next; fails (-1) when e & 15 == 0,
 *   else each byte = next & 0xff.
 *   Linear memory is capped at --max-pages (default 4; the tests use 2): memory.grow beyond it
 *   fails, the firmware answers E_TOO_LARGE, and no call's work is unbounded.
 * FUZZ_PROFILE=1 prints calls and seconds per export on stderr. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "linux_common.h"

#define MAX_EXPORTS 96

static const int32_t BOUNDS[12] = { 0, 1, -1, 2, 32, 64, 255, 0x7fffffff, (int32_t)0x80000000u, 0x10000, 0xffff, 1 << 24 };

typedef struct fexp {
    const char *name;
    wasm_function_inst_t fn;
    uint32_t nparams, nresults;
    wasm_valkind_t params[8], result;
    double secs;
    uint32_t calls;
} fexp_t;

static uint32_t xs(uint32_t *s) { uint32_t x = *s; x ^= x << 13; x ^= x >> 17; x ^= x << 5; return *s = x; }

static int fuzz_entropy(uint8_t *out, uint32_t len, void *user)
{
    uint32_t *e = (uint32_t *)user;
    if ((xs(e) & 15) == 0) return -1;
    for (uint32_t i = 0; i < len; i++) out[i] = (uint8_t)(xs(e) & 0xff);
    return 0;
}

static int cmp_name(const void *a, const void *b) { return strcmp(((const fexp_t *)a)->name, ((const fexp_t *)b)->name); }

static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 16777619u; }
    return h;
}

static int32_t draw(uint32_t *s, uint64_t mem)
{
    switch (xs(s) & 7) {
    case 0: case 1: return (int32_t)(xs(s) % 64) - 8;
    case 2: return BOUNDS[xs(s) % 12];
    case 3: case 4: return (int32_t)(uint32_t)(mem - 1 - xs(s) % 65536);
    case 5: return (int32_t)(uint32_t)(mem - 1 - xs(s) % 4096);
    case 6: return (int32_t)xs(s);
    default: return (int32_t)(xs(s) % 1024);
    }
}

int fuzz_main(int argc, char **argv)
{
    const char *wasm_path = "build/firmware/release.wasm";
    uint32_t calls = 1000000, batch = 100000, seed = 1, stack = FW_DEFAULT_STACK, max_pages = 4, len;
    for (int i = 0; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--wasm")) wasm_path = argv[i + 1];
        else if (!strcmp(argv[i], "--calls")) calls = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--batch")) batch = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--seed")) seed = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--stack")) stack = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--max-pages")) max_pages = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        else { fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
    }
    if (seed == 0 || batch == 0) { fprintf(stderr, "--seed and --batch must be > 0\n"); return 2; }
    uint8_t *wasm = read_file(wasm_path, 16u << 20, &len), *wasm2;
    if (!wasm || !(wasm2 = (uint8_t *)malloc(len))) return 1;
    memcpy(wasm2, wasm, len); /* the loader may rewrite its buffer: one copy per module */
    if (fw_runtime_init(NULL, 0) != 0) return 1;

    /* the healthy digest, from a fresh instance */
    uint32_t e0 = seed ^ 0x5bd1e995u;
    fw_t ref, fw;
    if (fw_open(&ref, wasm2, len, stack, 0, max_pages, fuzz_entropy, &e0) != 0) { fprintf(stderr, "%s\n", ref.error); return 1; }
    uint32_t healthy = (uint32_t)fw_call(&ref, "kernel_selftest", 0, NULL);
    fw_close(&ref);

    uint32_t es = seed ^ 0x5bd1e995u, s = seed;
    if (fw_open(&fw, wasm, len, stack, 0, max_pages, fuzz_entropy, &es) != 0) { fprintf(stderr, "%s\n", fw.error); return 1; }
    fexp_t ex[MAX_EXPORTS];
    memset(ex, 0, sizeof ex);
    uint32_t n = 0;
    int32_t count = wasm_runtime_get_export_count(fw.module);
    for (int32_t i = 0; i < count && n < MAX_EXPORTS; i++) {
        wasm_export_t t;
        wasm_runtime_get_export_type(fw.module, i, &t);
        if (t.kind != WASM_IMPORT_EXPORT_KIND_FUNC || !strcmp(t.name, "kernel_selftest")) continue;
        fexp_t *x = &ex[n++];
        x->name = t.name;
        x->nparams = wasm_func_type_get_param_count(t.u.func_type);
        x->nresults = wasm_func_type_get_result_count(t.u.func_type);
        if (x->nparams > 8 || x->nresults > 1) { fprintf(stderr, "export %s: unsupported signature\n", t.name); return 1; }
        for (uint32_t k = 0; k < x->nparams; k++) x->params[k] = wasm_func_type_get_param_valkind(t.u.func_type, k);
        x->result = x->nresults ? wasm_func_type_get_result_valkind(t.u.func_type, 0) : WASM_I32;
    }
    qsort(ex, n, sizeof ex[0], cmp_name);
    for (uint32_t i = 0; i < n; i++) ex[i].fn = wasm_runtime_lookup_function(fw.inst, ex[i].name);

    uint32_t h = 2166136261u, traps = 0, selftests = 0, unhealthy = 0;
    char first_trap[200] = "";
    clock_t t0 = clock();
    for (uint32_t c = 0; c < calls; c++) {
        fexp_t *x = &ex[xs(&s) % n];
        uint64_t mem = fw_memory_bytes(&fw);
        uint32_t cells[16] = { 0 }, nc = 0;
        for (uint32_t k = 0; k < x->nparams; k++) {
            int32_t v = draw(&s, mem);
            if (x->params[k] == WASM_F64) { double d = (double)v; memcpy(cells + nc, &d, 8); nc += 2; }
            else if (x->params[k] == WASM_I64) { int64_t w = v; memcpy(cells + nc, &w, 8); nc += 2; }
            else if (x->params[k] == WASM_F32) { float f = (float)v; memcpy(cells + nc, &f, 4); nc += 1; }
            else cells[nc++] = (uint32_t)v;
        }
        double r = 0;
        clock_t tc = clock();
        int ok = wasm_runtime_call_wasm(fw.env, x->fn, nc, cells);
        x->secs += (double)(clock() - tc) / CLOCKS_PER_SEC;
        x->calls++;
        if (!ok) {
            if (traps++ == 0) snprintf(first_trap, sizeof first_trap, "call %u %s: %s", c, x->name, wasm_runtime_get_exception(fw.inst));
            wasm_runtime_clear_exception(fw.inst);
            r = NAN;
        } else if (x->nresults) {
            if (x->result == WASM_F64) memcpy(&r, cells, 8);
            else r = (double)(int32_t)cells[0];
        }
        uint64_t bits;
        if (isnan(r)) bits = 0x7ff8000000000000ull; else memcpy(&bits, &r, 8);
        uint8_t rec[12];
        uint32_t idx = (uint32_t)(x - ex);
        for (int k = 0; k < 4; k++) rec[k] = (uint8_t)(idx >> (8 * k));
        for (int k = 0; k < 8; k++) rec[4 + k] = (uint8_t)(bits >> (8 * k));
        h = fnv(h, rec, 12);
        if ((c + 1) % batch == 0 || c + 1 == calls) {
            uint32_t d = (uint32_t)fw_call(&fw, "kernel_selftest", 0, NULL);
            selftests++;
            if (d != healthy) unhealthy++;
        }
    }
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    if (getenv("FUZZ_PROFILE"))
        for (uint32_t i = 0; i < n; i++) fprintf(stderr, "%-32s %8u calls %8.3f s\n", ex[i].name, ex[i].calls, ex[i].secs);
    printf("{\"engine\":\"wamr-classic\",\"calls\":%u,\"exports\":%u,\"traps\":%u,\"digest\":%u,\"selftests\":%u,\"unhealthy\":%u,"
           "\"healthy_digest\":%u,\"memory_bytes\":%llu,\"seconds\":%.2f,\"first_trap\":\"%s\"}\n",
           calls, n, traps, h, selftests, unhealthy, healthy, (unsigned long long)fw_memory_bytes(&fw), secs, first_trap);
    fw_close(&fw);
    fw_runtime_destroy();
    free(wasm);
    free(wasm2);
    return traps == 0 && unhealthy == 0 ? 0 : 1;
}
