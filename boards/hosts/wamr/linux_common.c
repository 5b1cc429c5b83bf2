/* See linux_common.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "linux_common.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#if WASM_ENABLE_MEMORY_PROFILING != 0
#include "wasm_exec_env.h" /* max_wasm_stack_used: WAMR's own high-water mark of the wasm stack */
#endif

#define POOL_MAX (1u << 20)
static uint8_t pool_buf[POOL_MAX] __attribute__((aligned(16)));
static uint32_t pool_used_init;

uint8_t *read_file(const char *path, uint32_t max, uint32_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;
    if (!f) { fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno)); return NULL; }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || (uint64_t)n > max || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "%s: unreadable or larger than %u bytes\n", path, max);
        fclose(f);
        return NULL;
    }
    buf = (uint8_t *)malloc(n ? (size_t)n : 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read %s\n", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = (uint32_t)n;
    return buf;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int parse_hex(const char *s, uint8_t *out, size_t n)
{
    if (!s || strlen(s) != 2 * n) return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

void print_hex(FILE *f, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) fprintf(f, "%02x", p[i]);
}

int entropy_getrandom(uint8_t *out, uint32_t len, void *user)
{
    (void)user;
    while (len > 0) {
        ssize_t n = getrandom(out, len, 0);
        if (n < 0) { if (errno == EINTR) continue; return -1; }
        out += n;
        len -= (uint32_t)n;
    }
    return 0;
}

static int u32_arg(const char *s, uint32_t *v)
{
    char *e;
    unsigned long long x = strtoull(s, &e, 10);
    if (*s == 0 || *e != 0 || x > 0xffffffffull) return -1;
    *v = (uint32_t)x;
    return 0;
}

int host_opts_parse(host_opts_t *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->wasm = "build/firmware/release.wasm";
    o->cfg.task = "mnist-lr";
    o->cfg.epochs = 1; o->cfg.batch = 32; o->cfg.lr_q16 = 32768; /* sim/run.ts TRAIN */
    o->stack = FW_DEFAULT_STACK;
    o->pool = 256 * 1024;
    for (int i = 0; i + 1 < argc + 1; i += 2) {
        if (i >= argc) break;
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) { fprintf(stderr, "option %s needs a value\n", k); return -1; }
        int bad = 0;
        if (!strcmp(k, "--wasm")) o->wasm = v;
        else if (!strcmp(k, "--data")) o->data = v;
        else if (!strcmp(k, "--id")) o->cfg.id = v;
        else if (!strcmp(k, "--task")) o->cfg.task = v;
        else if (!strcmp(k, "--key-file")) o->key_file = v;
        else if (!strcmp(k, "--broker")) o->broker = v;
        else if (!strcmp(k, "--global")) o->global = v;
        else if (!strcmp(k, "--out")) o->out = v;
        else if (!strcmp(k, "--ctr-file")) o->ctr_file = v;
        else if (!strcmp(k, "--gateway-key")) { bad = parse_hex(v, o->cfg.gateway_key, 32); o->have_gateway_key = !bad; }
        else if (!strcmp(k, "--epochs")) bad = u32_arg(v, &o->cfg.epochs);
        else if (!strcmp(k, "--batch")) bad = u32_arg(v, &o->cfg.batch);
        else if (!strcmp(k, "--lr")) { double lr = atof(v); o->cfg.lr_q16 = (int32_t)floor(lr * 65536 + 0.5); bad = !(lr > 0 && lr <= 16); }
        else if (!strcmp(k, "--train-seed")) bad = u32_arg(v, &o->cfg.train_seed);
        else if (!strcmp(k, "--stack")) bad = u32_arg(v, &o->stack);
        else if (!strcmp(k, "--heap-size")) bad = u32_arg(v, &o->heap_size);
        else if (!strcmp(k, "--pool")) bad = u32_arg(v, &o->pool) || o->pool > POOL_MAX;
        else if (!strcmp(k, "--ctr")) { uint32_t c = 0; bad = u32_arg(v, &c); o->ctr = c; }
        else { fprintf(stderr, "unknown option %s\n", k); return -1; }
        if (bad) { fprintf(stderr, "bad value for %s: %s\n", k, v); return -1; }
    }
    return 0;
}

static uint32_t pool_used(void)
{
    mem_alloc_info_t m;
    if (!wasm_runtime_get_mem_alloc_info(&m)) return 0;
    return m.total_size - m.total_free_size;
}

int host_start(host_opts_t *o, fw_t *fw, ds_t *ds, board_t *b, uint8_t **wasm_buf)
{
    uint32_t wasm_len;
    char err[200];
    if (fw_runtime_init(o->pool ? pool_buf : NULL, o->pool) != 0) { fprintf(stderr, "WAMR init failed\n"); return -1; }
    pool_used_init = pool_used();
    if (!(*wasm_buf = read_file(o->wasm, 16u << 20, &wasm_len))) return -1;
    if (fw_open(fw, *wasm_buf, wasm_len, o->stack, o->heap_size, 0, entropy_getrandom, NULL) != 0) {
        fprintf(stderr, "firmware %s: %s\n", o->wasm, fw->error);
        return -1;
    }
    if (ds) {
        if (!o->data) { fprintf(stderr, "--data is required\n"); return -1; }
        if (ds_open(ds, o->data, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); return -1; }
    }
    if (b) {
        if (!o->cfg.id || !o->have_gateway_key || !o->key_file) { fprintf(stderr, "--id, --gateway-key and --key-file are required\n"); return -1; }
        if (strlen(o->cfg.id) < 1 || strlen(o->cfg.id) > 64 || strlen(o->cfg.task) < 1 || strlen(o->cfg.task) > 64) { fprintf(stderr, "id and task must be 1..64 bytes\n"); return -1; }
        if (board_init(b, &o->cfg, fw, ds) != 0) { fprintf(stderr, "out of memory\n"); return -1; }
        b->ctr = o->ctr;
        uint32_t klen;
        uint8_t *k = read_file(o->key_file, 256, &klen), seed[32];
        if (!k) return -1;
        while (klen > 0 && (k[klen - 1] == '\n' || k[klen - 1] == '\r' || k[klen - 1] == ' ')) klen--;
        k[klen < 256 ? klen : 255] = 0;
        if (klen != 64 || parse_hex((const char *)k, seed, 32) != 0) { fprintf(stderr, "%s: expected 64 hex digits (the device's 32-byte seed)\n", o->key_file); free(k); return -1; }
        memset(k, 0, klen);
        free(k);
        if (board_provision(b, seed) != 0) { fprintf(stderr, "%s\n", b->error); return -1; }
    }
    return 0;
}

void host_memory_json(FILE *f, fw_t *fw)
{
    mem_alloc_info_t m;
    int pool = wasm_runtime_get_mem_alloc_info(&m);
    uint64_t lin = fw_memory_bytes(fw);
    fprintf(f, "{\"linear_memory\":%llu", (unsigned long long)lin);
    if (pool) {
        fprintf(f, ",\"pool_size\":%u,\"pool_runtime\":%u,\"pool_module\":%u,\"pool_instance\":%u,\"pool_exec_env\":%u,"
                   "\"pool_used\":%u,\"pool_peak\":%u,\"total_peak\":%llu",
                m.total_size, pool_used_init, fw->mem_module, fw->mem_instance, fw->mem_exec_env,
                m.total_size - m.total_free_size, m.highmark_size, (unsigned long long)(m.highmark_size + lin));
    }
#if WASM_ENABLE_MEMORY_PROFILING != 0
    fprintf(f, ",\"wasm_stack_peak\":%u,\"wasm_stack_size\":%u", fw->env->max_wasm_stack_used, fw->env->wasm_stack_size);
#endif
    fputc('}', f);
}
