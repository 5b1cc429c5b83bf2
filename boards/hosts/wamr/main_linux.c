/* edgechain-board: one board on Linux (a Raspberry Pi, or this machine in the tests). Runs the
 * firmware under WAMR's classic interpreter and joins a federated run over MQTT (libmosquitto):
 *   edgechain-board --wasm release.wasm --data shard.efds --id dev-00001 --key-file dev-00001.seed
 *     --gateway-key <64 hex> --broker mqtt://127.0.0.1:1883 [--task mnist-lr] [--epochs 1]
 *     [--batch 32] [--lr 0.5] [--train-seed N] [--ctr-file F] [--stack 8192] [--pool 262144]
 * Subscribes to fl/<task>/global (QoS 1, retained), and for every new round verifies the
 * announcement, trains and publishes the signed update on fl/<task>/update/<id> (QoS 1). Marks
 * itself online on fl/<task>/presence/<id> (retained), with an offline will.
 * One JSON line per event on stdout. Exits 0 when the gateway announces done or on SIGINT/SIGTERM,
 * 1 on a failure, 2 on bad usage. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <mosquitto.h>
#include <signal.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "linux_common.h"

/* Presence payloads: deterministic CBOR [1] (online) and [0] (offline). */
static const uint8_t PRESENCE_ONLINE[2] = { 0x81, 0x01 }, PRESENCE_OFFLINE[2] = { 0x81, 0x00 };

static volatile sig_atomic_t stopping;
static void on_signal(int s) { (void)s; stopping = 1; }

typedef struct ctx {
    host_opts_t *o;
    board_t *b;
    fw_t *fw;
    char global_topic[80], update_topic[160], presence_topic[160];
    int done, failed;
} ctx_t;

static void save_ctr(ctx_t *c)
{
    if (!c->o->ctr_file) return;
    FILE *f = fopen(c->o->ctr_file, "w");
    if (f) { fprintf(f, "%llu\n", (unsigned long long)c->b->ctr); fclose(f); }
}

static void on_connect(struct mosquitto *m, void *user, int rc)
{
    ctx_t *c = (ctx_t *)user;
    if (rc != 0) { fprintf(stdout, "{\"event\":\"transport_error\",\"detail\":\"connack %d\"}\n", rc); return; }
    mosquitto_subscribe(m, NULL, c->global_topic, 1);
    /* presence (protocol/presence.ts): retained CBOR [1] on every (re)connect; the will is [0] */
    mosquitto_publish(m, NULL, c->presence_topic, 2, PRESENCE_ONLINE, 1, true);
}

static void on_subscribe(struct mosquitto *m, void *user, int mid, int n, const int *qos)
{
    ctx_t *c = (ctx_t *)user;
    uint8_t pk[32];
    (void)m; (void)mid; (void)n; (void)qos;
    if (board_public_key(c->b, pk) != 0) { c->failed = 1; return; }
    fprintf(stdout, "{\"event\":\"ready\",\"device\":\"%s\",\"public_key\":\"", c->b->cfg.id);
    print_hex(stdout, pk, 32);
    fprintf(stdout, "\",\"memory\":");
    host_memory_json(stdout, c->fw);
    fprintf(stdout, "}\n");
    fflush(stdout);
}

/* fl/<task>/global: the one message type a board handles (docs/protocol.md, Topics) */
static void on_message(struct mosquitto *m, void *user, const struct mosquitto_message *msg)
{
    ctx_t *c = (ctx_t *)user;
    const uint8_t *upd;
    uint32_t n;
    uint64_t round = 0;
    if (strcmp(msg->topic, c->global_topic) != 0 || msg->payloadlen <= 0) return;
    int r = board_on_global(c->b, (const uint8_t *)msg->payload, (uint32_t)msg->payloadlen, &upd, &n, &round);
    if (r == BOARD_UPDATE) {
        save_ctr(c);
        int rc = mosquitto_publish(m, NULL, c->update_topic, (int)n, upd, 1, false);
        fprintf(stdout, "{\"event\":\"update\",\"device\":\"%s\",\"round\":%llu,\"bytes\":%u,\"loss\":%.6f,\"publish\":%d,\"memory\":",
                c->b->cfg.id, (unsigned long long)round, n, c->b->last_loss, rc);
        host_memory_json(stdout, c->fw);
        fprintf(stdout, "}\n");
    } else if (r == BOARD_DONE) {
        fprintf(stdout, "{\"event\":\"done\",\"device\":\"%s\"}\n", c->b->cfg.id);
        c->done = 1;
    } else if (r < 0) {
        fprintf(stdout, "{\"event\":\"%s\",\"device\":\"%s\",\"detail\":\"%s\"}\n",
                r == BOARD_REJECTED ? "reject_global" : "train_error", c->b->cfg.id, c->b->error);
    }
    fflush(stdout);
}

static int parse_broker(const char *url, char *host, size_t hostlen, int *port)
{
    const char *p = strncmp(url, "mqtt://", 7) == 0 ? url + 7 : url;
    const char *colon = strrchr(p, ':');
    size_t n = colon ? (size_t)(colon - p) : strlen(p);
    if (n == 0 || n >= hostlen) return -1;
    memcpy(host, p, n);
    host[n] = 0;
    *port = colon ? atoi(colon + 1) : 1883;
    return *port > 0 && *port < 65536 ? 0 : -1;
}

int main(int argc, char **argv)
{
    host_opts_t o;
    fw_t fw;
    ds_t ds;
    board_t b;
    uint8_t *wasm = NULL;
    ctx_t c;
    char host[256];
    int port;
    if (host_opts_parse(&o, argc - 1, argv + 1) != 0 || !o.broker || parse_broker(o.broker, host, sizeof host, &port) != 0) {
        fprintf(stderr, "usage: edgechain-board --data F --id ID --key-file F --gateway-key HEX --broker mqtt://host:port [--wasm F] [--task T] [--epochs N] [--batch N] [--lr X] [--train-seed N] [--ctr-file F] [--stack B] [--heap-size B] [--pool B]\n");
        return 2;
    }
    if (o.ctr_file) {
        FILE *f = fopen(o.ctr_file, "r");
        unsigned long long v;
        if (f) { if (fscanf(f, "%llu", &v) == 1) o.ctr = v; fclose(f); }
    }
    if (host_start(&o, &fw, &ds, &b, &wasm) != 0) return 1;
    memset(&c, 0, sizeof c);
    c.o = &o; c.b = &b; c.fw = &fw;
    snprintf(c.global_topic, sizeof c.global_topic, "fl/%s/global", o.cfg.task);
    snprintf(c.update_topic, sizeof c.update_topic, "fl/%s/update/%s", o.cfg.task, o.cfg.id);
    snprintf(c.presence_topic, sizeof c.presence_topic, "fl/%s/presence/%s", o.cfg.task, o.cfg.id);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    mosquitto_lib_init();
    char client_id[80];
    snprintf(client_id, sizeof client_id, "dev-%s", o.cfg.id);
    struct mosquitto *m = mosquitto_new(client_id, true, &c);
    if (!m) { fprintf(stderr, "mosquitto_new failed\n"); return 1; }
    mosquitto_connect_callback_set(m, on_connect);
    mosquitto_subscribe_callback_set(m, on_subscribe);
    mosquitto_message_callback_set(m, on_message);
    mosquitto_will_set(m, c.presence_topic, 2, PRESENCE_OFFLINE, 1, true);
    if (mosquitto_connect(m, host, port, 60) != MOSQ_ERR_SUCCESS) { fprintf(stderr, "cannot connect to %s\n", o.broker); return 1; }
    while (!stopping && !c.done && !c.failed) {
        int rc = mosquitto_loop(m, 100, 1);
        if (rc != MOSQ_ERR_SUCCESS && !stopping) { /* broker went away: retry every 500 ms */
            struct timespec ts = { 0, 500 * 1000 * 1000 };
            nanosleep(&ts, NULL);
            mosquitto_reconnect(m);
        }
    }
    /* let queued QoS 1 publishes leave before disconnecting */
    for (int i = 0; i < 20 && mosquitto_want_write(m); i++) mosquitto_loop(m, 50, 1);
    mosquitto_disconnect(m);
    mosquitto_loop(m, 50, 1);
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
    fprintf(stdout, "{\"event\":\"exit\",\"device\":\"%s\",\"memory\":", o.cfg.id);
    host_memory_json(stdout, &fw);
    fprintf(stdout, "}\n");
    board_free(&b);
    ds_close(&ds);
    fw_close(&fw);
    fw_runtime_destroy();
    free(wasm);
    return c.failed ? 1 : 0;
}
