/* See board.h. The call sequence mirrors boards/agent.ts trainRound and boards/firmware/kernel.ts
 * (load, per-epoch shuffle, chunks sized to the stream's room, sign the kernel's model), so a C
 * board and a Node board given the same seed, data and model publish the same bytes. Chunks are
 * sized to what is left of the pages the firmware holds (kernel_stream_room, crypto_out_room),
 * so an LR board keeps one 64 KiB page of linear memory for the whole round. */
#include "board.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SAMPLES 64
#define GLOBAL_REC_BYTES 120 /* firmware/crypto/global.ts */

static uint64_t rd64(const uint8_t *p) { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = v << 8 | p[i]; return v; }
static uint32_t rd32(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void wr64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void wr32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }

/* JavaScript Math.round (ties toward +infinity), exact for every double. */
static int64_t js_round(double x)
{
    double r = floor(x);
    if (x - r >= 0.5) r += 1.0;
    return (int64_t)r;
}

static int32_t call0(board_t *b, const char *f) { return fw_call(b->fw, f, 0, NULL); }
static int32_t call1(board_t *b, const char *f, int32_t a) { return fw_call(b->fw, f, 1, &a); }

static int fail(board_t *b, int code, const char *what, int32_t rc)
{
    snprintf(b->error, sizeof b->error, "%s: %s (%d)%s%s", what, fw_strerror(rc), rc,
             rc == FW_TRAP ? " " : "", rc == FW_TRAP ? b->fw->error : "");
    return code;
}

int board_init(board_t *b, const board_cfg_t *cfg, fw_t *fw, ds_t *data)
{
    memset(b, 0, sizeof *b);
    b->cfg = *cfg;
    b->fw = fw;
    b->data = data;
    b->order = (uint32_t *)malloc(sizeof(uint32_t) * (data ? data->n : 1));
    return b->order ? 0 : -1;
}

void board_free(board_t *b)
{
    free(b->order); b->order = NULL;
    free(b->update); b->update = NULL; b->update_cap = 0;
}

int board_provision(board_t *b, uint8_t seed[32])
{
    int32_t p = call1(b, "crypto_buf", 32), rc;
    uint8_t *m = p > 0 ? fw_mem(b->fw, (uint32_t)p, 32) : NULL;
    if (!m) return fail(b, -1, "provision", p <= 0 ? FW_E_TOO_LARGE : FW_TRAP);
    memcpy(m, seed, 32);
    memset(seed, 0, 32);
    int32_t args[2] = { p, 32 };
    rc = fw_call(b->fw, "ed25519_provision", 2, args);
    return rc < 0 ? fail(b, -1, "provision", rc) : 0;
}

int board_public_key(board_t *b, uint8_t out[32])
{
    int32_t rc = call0(b, "ed25519_public_key");
    if (rc != 32) return fail(b, -1, "public key", rc < 0 ? rc : FW_E_NOT_READY);
    uint8_t *m = fw_mem(b->fw, (uint32_t)call0(b, "crypto_out"), 32);
    if (!m) return fail(b, -1, "public key", FW_TRAP);
    memcpy(out, m, 32);
    return 0;
}

void board_permutation(uint32_t *p, uint32_t n, uint32_t seed)
{
    uint32_t s = seed ^ 0x9e3779b9u;
    if (s == 0) s = 1;
    for (uint32_t i = 0; i < n; i++) p[i] = i;
    for (uint32_t i = n; i-- > 1;) {
        s ^= s << 13; s ^= s >> 17; s ^= s << 5;
        uint32_t j = s % (i + 1), t = p[i];
        p[i] = p[j]; p[j] = t;
    }
}

/* Copies samples order[from .. from+n) into the stream in the kernel_train layout
 * (docs/firmware-abi.md, Stream): features, then labels (or Q16 targets) 4-aligned. */
static int stage(board_t *b, uint32_t from, uint32_t n, int linreg)
{
    ds_t *d = b->data;
    uint32_t xBytes = (n * d->dim + 3) & ~3u, need = xBytes + (linreg ? 4 * n : n);
    int32_t p = call1(b, "kernel_stream_reserve", (int32_t)need);
    if (p < 0) return fail(b, -1, "stream", p);
    uint8_t *m = fw_mem(b->fw, (uint32_t)p, need); /* after the call: memory may have moved */
    if (!m) return fail(b, -1, "stream", FW_TRAP);
    for (uint32_t s = 0; s < n; s++) {
        uint8_t y;
        if (ds_read(d, b->order[from + s], m + (size_t)s * d->dim, &y) != 0) {
            snprintf(b->error, sizeof b->error, "dataset read failed at sample %u", b->order[from + s]);
            return -1;
        }
        if (linreg) wr32(m + xBytes + 4 * s, (uint32_t)y << 16); /* 1-output linreg regresses the label */
        else m[xBytes + s] = y;
    }
    return 0;
}

/* Local SGD of one round (boards/firmware/kernel.ts Kernel.train). */
static int train(board_t *b, uint32_t seed)
{
    ds_t *d = b->data;
    int32_t arch = call1(b, "kernel_shape", 0), inputs = call1(b, "kernel_shape", 1), outputs = call1(b, "kernel_shape", 2);
    if (arch < 0) return fail(b, -1, "train", arch);
    if ((uint32_t)inputs != d->dim) {
        snprintf(b->error, sizeof b->error, "dataset dim %u does not fit a %d-input model", d->dim, inputs);
        return -1;
    }
    int linreg = arch == 2;
    if (linreg && outputs != 1) { snprintf(b->error, sizeof b->error, "linreg needs Q16 targets"); return -1; }
    /* samples per call: what fits the room left in the current pages (1..CHUNK_SAMPLES) */
    int32_t room = call0(b, "kernel_stream_room");
    if (room < 0) return fail(b, -1, "train", room);
    uint32_t per = d->dim + (linreg ? 4u : 1u), chunk = room > 3 ? (uint32_t)(room - 3) / per : 0;
    if (chunk > CHUNK_SAMPLES) chunk = CHUNK_SAMPLES;
    if (chunk < 1) chunk = 1;
    b->last_loss = 0;
    for (uint32_t e = 0; e < b->cfg.epochs; e++) {
        uint32_t s = seed * 0x9e3779b1u + e;
        int32_t args[3] = { (int32_t)b->cfg.batch, b->cfg.lr_q16, (int32_t)s }, rc;
        if ((rc = fw_call(b->fw, "kernel_train_begin", 3, args)) < 0) return fail(b, -1, "train", rc);
        board_permutation(b->order, d->n, s);
        for (uint32_t from = 0; from < d->n; from += chunk) {
            uint32_t n = d->n - from < chunk ? d->n - from : chunk;
            if (stage(b, from, n, linreg) != 0) return -1;
            if ((rc = call1(b, "kernel_train", (int32_t)n)) < 0) return fail(b, -1, "train", rc);
        }
        if ((rc = call0(b, "kernel_train_end")) < 0) return fail(b, -1, "train", rc);
        b->last_loss = fw_call_f64(b->fw, "kernel_metric", 2);
    }
    return 0;
}

/* The update signed from the kernel's model (cose_sign_model, docs/firmware-crypto.md): the record
 * without the model, then the COSE_Sign1 read out in pieces that fit the output window's room
 * (cose_update_read) into b->update, so neither the blob nor the message sits in linear memory. */
static int sign_update(board_t *b, uint64_t round, const uint8_t base[32], const uint8_t **out, uint32_t *out_len)
{
    size_t kidLen = strlen(b->cfg.id), taskLen = strlen(b->cfg.task);
    static const char key[] = "loss_u";
    uint32_t recLen = (uint32_t)(1 + kidLen + 1 + taskLen + 24 + 32) + 1 + 1 + 6 + 8;
    int32_t p = call1(b, "crypto_buf", (int32_t)recLen);
    uint8_t *m = p > 0 ? fw_mem(b->fw, (uint32_t)p, recLen) : NULL;
    if (!m) return fail(b, -1, "update", p <= 0 ? FW_E_TOO_LARGE : FW_TRAP);
    uint8_t *q = m;
    *q++ = (uint8_t)kidLen; memcpy(q, b->cfg.id, kidLen); q += kidLen;
    *q++ = (uint8_t)taskLen; memcpy(q, b->cfg.task, taskLen); q += taskLen;
    wr64(q, round); wr64(q + 8, b->data->n); wr64(q + 16, ++b->ctr); q += 24;
    memcpy(q, base, 32); q += 32;
    *q++ = 1;                                  /* metrics: { loss_u: round(loss · 10^6) } */
    *q++ = 6; memcpy(q, key, 6); q += 6;
    wr64(q, (uint64_t)js_round(b->last_loss * 1e6));
    int32_t args[2] = { p, (int32_t)recLen };
    int32_t total = fw_call(b->fw, "cose_sign_model", 2, args);
    if (total < 0) return fail(b, -1, "sign", total);
    if ((uint32_t)total > b->update_cap) {
        uint8_t *u = (uint8_t *)realloc(b->update, (size_t)total);
        if (!u) { snprintf(b->error, sizeof b->error, "out of memory for a %d-byte update", total); return -1; }
        b->update = u; b->update_cap = (uint32_t)total;
    }
    for (int32_t off = 0; off < total;) {
        int32_t room = call0(b, "crypto_out_room"), want = total - off < room ? total - off : room;
        int32_t rd[2] = { off, want };
        int32_t n = fw_call(b->fw, "cose_update_read", 2, rd);
        if (n <= 0) return fail(b, -1, "sign", n < 0 ? n : FW_E_BAD_LENGTH);
        uint8_t *src = fw_mem(b->fw, (uint32_t)call0(b, "crypto_out"), (uint32_t)n);
        if (!src) return fail(b, -1, "sign", FW_TRAP);
        memcpy(b->update + off, src, (size_t)n);
        off += n;
    }
    *out = b->update;
    *out_len = (uint32_t)total;
    return 0;
}

int board_on_global(board_t *b, const uint8_t *msg, uint32_t len,
                    const uint8_t **update, uint32_t *update_len, uint64_t *round)
{
    uint8_t base[32], rec[GLOBAL_REC_BYTES];
    int32_t rc, p;
    uint8_t *m;
    if (len > (16u << 20) - 32) return fail(b, BOARD_REJECTED, "announcement", FW_E_TOO_LARGE);
    /* [gateway key | message] in the input window, verified in firmware (firmware/crypto/global.ts) */
    p = call1(b, "crypto_buf", (int32_t)(len + 32));
    if (p <= 0 || !(m = fw_mem(b->fw, (uint32_t)p, len + 32))) return fail(b, BOARD_REJECTED, "announcement", FW_E_TOO_LARGE);
    memcpy(m, b->cfg.gateway_key, 32);
    memcpy(m + 32, msg, len);
    int32_t args[3] = { p + 32, (int32_t)len, p };
    rc = fw_call(b->fw, "cose_verify_global", 3, args);
    if (rc != GLOBAL_REC_BYTES) return fail(b, BOARD_REJECTED, "announcement", rc < 0 ? rc : FW_E_BAD_MSG);
    if (!(m = fw_mem(b->fw, (uint32_t)call0(b, "crypto_out"), GLOBAL_REC_BYTES))) return fail(b, BOARD_REJECTED, "announcement", FW_TRAP);
    memcpy(rec, m, sizeof rec);
    uint64_t r = rd64(rec);
    uint32_t modelAddr = rd32(rec + 8), modelLen = rd32(rec + 12), done = rd32(rec + 16), taskLen = rd32(rec + 20);
    if (taskLen != strlen(b->cfg.task) || memcmp(rec + 56, b->cfg.task, taskLen) != 0) return BOARD_IGNORED;
    if (done) return BOARD_DONE;
    if (r <= b->last_round) return BOARD_IGNORED;
    b->last_round = r;       /* as boards/agent.ts: a failed round is not retried */
    memcpy(base, rec + 24, 32);

    /* the model sits inside the verified message; kernel_load reads it at the stream start */
    int32_t sp = call0(b, "kernel_stream_ptr");
    uint8_t *dst = sp > 0 ? fw_mem(b->fw, (uint32_t)sp, modelLen) : NULL, *src = fw_mem(b->fw, modelAddr, modelLen);
    if (!dst || !src) return fail(b, BOARD_FAILED, "load", FW_E_BAD_LENGTH);
    memmove(dst, src, modelLen);
    if ((rc = call1(b, "kernel_load", (int32_t)modelLen)) < 0) return fail(b, BOARD_FAILED, "load", rc);
    if (train(b, (uint32_t)(b->cfg.train_seed + r)) != 0) return BOARD_FAILED;
    if (sign_update(b, r, base, update, update_len) != 0) return BOARD_FAILED;
    *round = r;
    return BOARD_UPDATE;
}
