/* fw-tool: the firmware under WAMR without a network, for tests and measurements.
 *   fw-tool round --global ann.cose --out update.cose <board options as edgechain-board>
 *       one round from an announcement file: verify, train, sign; JSON result with memory
 *   fw-tool selftest [--wasm F] [--heap-size B] [--stack B]
 *       kernel_selftest digest and kernel_stream_ptr result (E_HOST_HEAP when heap size > 0)
 *   fw-tool fuzz [--wasm F] --calls N --batch N --seed S
 *       random calls of every export (fuzz.c); JSON with traps, digest, self-test checks
 * Exit codes: 0 ok, 1 failure, 2 usage. */
#include <stdlib.h>
#include <string.h>

#include "linux_common.h"

int fuzz_main(int argc, char **argv); /* fuzz.c */

static int round_main(int argc, char **argv)
{
    host_opts_t o;
    fw_t fw;
    ds_t ds;
    board_t b;
    uint8_t *wasm = NULL, *msg;
    uint32_t len, n;
    const uint8_t *upd;
    uint64_t round = 0;
    if (host_opts_parse(&o, argc, argv) != 0 || !o.global || !o.out) {
        fprintf(stderr, "usage: fw-tool round --global F --out F --data F --id ID --key-file F --gateway-key HEX [...]\n");
        return 2;
    }
    if (host_start(&o, &fw, &ds, &b, &wasm) != 0) return 1;
    if (!(msg = read_file(o.global, 16u << 20, &len))) return 1;
    int r = board_on_global(&b, msg, len, &upd, &n, &round);
    printf("{\"result\":%d", r);
    if (r == BOARD_UPDATE) {
        FILE *f = fopen(o.out, "wb");
        if (!f || fwrite(upd, 1, n, f) != n) { fprintf(stderr, "cannot write %s\n", o.out); return 1; }
        fclose(f);
        printf(",\"round\":%llu,\"bytes\":%u,\"loss\":%.9f,\"ctr\":%llu", (unsigned long long)round, n, b.last_loss, (unsigned long long)b.ctr);
    } else if (r < 0) {
        printf(",\"error\":\"%s\"", b.error);
    }
    printf(",\"memory\":");
    host_memory_json(stdout, &fw);
    printf("}\n");
    free(msg);
    board_free(&b);
    ds_close(&ds);
    fw_close(&fw);
    fw_runtime_destroy();
    free(wasm);
    return r == BOARD_UPDATE ? 0 : 1;
}

static int selftest_main(int argc, char **argv)
{
    host_opts_t o;
    fw_t fw;
    uint8_t *wasm = NULL;
    if (host_opts_parse(&o, argc, argv) != 0) return 2;
    if (host_start(&o, &fw, NULL, NULL, &wasm) != 0) return 1;
    int32_t sp = fw_call(&fw, "kernel_stream_ptr", 0, NULL);
    uint32_t digest = (uint32_t)fw_call(&fw, "kernel_selftest", 0, NULL);
    printf("{\"stream_ptr\":%d,\"digest\":%u,\"memory\":", sp, digest);
    host_memory_json(stdout, &fw);
    printf("}\n");
    fw_close(&fw);
    fw_runtime_destroy();
    free(wasm);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "round")) return round_main(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "selftest")) return selftest_main(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "fuzz")) return fuzz_main(argc - 2, argv + 2);
    fprintf(stderr, "usage: fw-tool round|selftest|fuzz [options]\n");
    return 2;
}
