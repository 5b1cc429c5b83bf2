/* One board's side of a federated round (docs/protocol.md), the same on every C host: verify the
 * gateway's announcement in firmware, train on the local dataset, build and sign the update in
 * firmware. Byte-for-byte what boards/agent.ts does under Node for the same seed, data and model.
 * Transport, storage and entropy stay with the caller (main_linux.c, the ESP-IDF main). */
#ifndef EDGECHAIN_BOARD_H
#define EDGECHAIN_BOARD_H

#include <stdint.h>
#include "dataset.h"
#include "fw.h"

typedef struct board_cfg {
    const char *id;           /* device id = COSE kid, 1..64 bytes */
    const char *task;         /* task id, 1..64 bytes */
    uint8_t gateway_key[32];  /* Ed25519 key the announcements must verify under */
    uint32_t epochs, batch;   /* local SGD (boards/firmware/kernel.ts TrainOptions) */
    int32_t lr_q16;           /* round(lr · 65536) */
    uint32_t train_seed;      /* round r trains with seed train_seed + r, as boards/agent.ts */
} board_cfg_t;

typedef struct board {
    board_cfg_t cfg;
    fw_t *fw;
    ds_t *data;
    uint32_t *order;          /* n shuffling slots (4·n bytes, allocated by board_init) */
    uint64_t last_round;      /* rounds ≤ this are ignored */
    uint64_t ctr;             /* last message counter used (persist it across reboots) */
    double last_loss;
    uint8_t *update;          /* the last signed update, read out of the firmware (host memory) */
    uint32_t update_cap;
    char error[200];
} board_t;

/* board_on_global results */
#define BOARD_UPDATE 1    /* *update holds the signed update to publish */
#define BOARD_IGNORED 0   /* another task, or a round already trained */
#define BOARD_DONE 2      /* the gateway announced the end of the run */
#define BOARD_REJECTED (-1) /* the announcement does not verify (error says why) */
#define BOARD_FAILED (-2)   /* training or signing failed for this round */

/** Binds a board to a firmware instance and its dataset. 0, or -1 (out of memory). */
int board_init(board_t *b, const board_cfg_t *cfg, fw_t *fw, ds_t *data);
void board_free(board_t *b);

/** Derives the device key from a 32-byte seed inside the firmware (RFC 8032 §5.1.5) and wipes
 *  the caller's copy. 0 or < 0. */
int board_provision(board_t *b, uint8_t seed[32]);
/** The device's Ed25519 public key (for registration). 0 or < 0. */
int board_public_key(board_t *b, uint8_t out[32]);

/** Handles one message from fl/<task>/global. On BOARD_UPDATE, *update / *update_len point into
 *  the board's own buffer (valid until the next board_on_global) and *round is the round trained. */
int board_on_global(board_t *b, const uint8_t *msg, uint32_t len,
                    const uint8_t **update, uint32_t *update_len, uint64_t *round);

/** Deterministic shuffle of 0..n-1 (xorshift32 Fisher–Yates, boards/firmware/kernel.ts permutation). */
void board_permutation(uint32_t *p, uint32_t n, uint32_t seed);

#endif
