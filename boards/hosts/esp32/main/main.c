/* ESP32 board: the firmware .wasm under WAMR's classic interpreter, joined to a federated run over
 * esp-mqtt. Everything but the glue is the Linux host's core (../../wamr: fw.c, board.c,
 * dataset.c); this file provides what differs on the chip: files on SPIFFS, entropy from
 * esp_fill_random, the message counter in NVS, Wi-Fi and MQTT. NOT built in this repository's CI
 * (see ../README.md for the build and flash commands). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_event.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "esp_random.h"
#include "esp_spiffs.h"
#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"
#include "freertos/task.h"
#include "mqtt_client.h"
#include "nvs.h"
#include "nvs_flash.h"
#include "protocol_examples_common.h"

#include "board.h"

#define TAG "edgechain"
#define MAX_MESSAGE (64 * 1024)

typedef struct { uint8_t *data; uint32_t len; } message_t;

static QueueHandle_t inbox;
static esp_mqtt_client_handle_t mqtt;
static char global_topic[80], update_topic[160], presence_topic[160];
/* presence (protocol/presence.ts): deterministic CBOR [1] online, [0] offline (the will) */
static const char PRESENCE_ONLINE[2] = { (char)0x81, 0x01 }, PRESENCE_OFFLINE[2] = { (char)0x81, 0x00 };
static uint8_t *assembling; /* esp-mqtt delivers long messages in pieces */

/* esp_fill_random is a true RNG while Wi-Fi or Bluetooth runs (ESP-IDF "Random Number Generation"). */
static int entropy_esp(uint8_t *out, uint32_t len, void *user)
{
    (void)user;
    esp_fill_random(out, len);
    return 0;
}

static int hexval(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; }
static int parse_hex(const char *s, uint8_t *out, size_t n)
{
    if (strlen(s) < 2 * n) return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static uint8_t *read_file(const char *path, uint32_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = n > 0 ? malloc((size_t)n) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) { free(b); b = NULL; }
    fclose(f);
    *len = (uint32_t)n;
    return b;
}

/* fl/<task>/global: reassemble, then hand to the board task (training must not block MQTT) */
static void on_mqtt(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    esp_mqtt_event_handle_t e = data;
    (void)arg; (void)base;
    if (id == MQTT_EVENT_CONNECTED) {
        esp_mqtt_client_subscribe(mqtt, global_topic, 1);
        esp_mqtt_client_publish(mqtt, presence_topic, PRESENCE_ONLINE, 2, 1, 1);
    } else if (id == MQTT_EVENT_DATA) {
        if (e->total_data_len <= 0 || e->total_data_len > MAX_MESSAGE) return;
        if (e->current_data_offset == 0) { free(assembling); assembling = malloc((size_t)e->total_data_len); }
        if (!assembling) return;
        memcpy(assembling + e->current_data_offset, e->data, (size_t)e->data_len);
        if (e->current_data_offset + e->data_len == e->total_data_len) {
            message_t m = { assembling, (uint32_t)e->total_data_len };
            assembling = NULL;
            if (xQueueSend(inbox, &m, 0) != pdTRUE) free(m.data); /* busy training: the retained message comes again */
        }
    }
}

static void board_task(void *arg)
{
    static fw_t fw;
    static ds_t ds;
    static board_t b;
    board_cfg_t cfg = {
        .id = CONFIG_EDGECHAIN_DEVICE_ID, .task = CONFIG_EDGECHAIN_TASK, .epochs = CONFIG_EDGECHAIN_EPOCHS,
        .batch = CONFIG_EDGECHAIN_BATCH, .lr_q16 = CONFIG_EDGECHAIN_LR_Q16, .train_seed = CONFIG_EDGECHAIN_TRAIN_SEED,
    };
    uint32_t wasm_len, seed_len;
    char err[200];
    (void)arg;
    if (parse_hex(CONFIG_EDGECHAIN_GATEWAY_KEY, cfg.gateway_key, 32) != 0) { ESP_LOGE(TAG, "gateway key must be 64 hex digits"); vTaskDelete(NULL); }
    uint8_t *wasm = read_file("/spiffs/release.wasm", &wasm_len), *seedhex = read_file("/spiffs/device.seed", &seed_len), seed[32];
    if (!wasm || !seedhex || seed_len < 64 || parse_hex((const char *)seedhex, seed, 32) != 0) { ESP_LOGE(TAG, "missing release.wasm or device.seed"); vTaskDelete(NULL); }
    memset(seedhex, 0, seed_len);
    free(seedhex);
    /* app heap 0 (the firmware refuses one: E_HOST_HEAP), stack per docs/firmware-abi.md */
    if (fw_runtime_init(NULL, 0) != 0 || fw_open(&fw, wasm, wasm_len, CONFIG_EDGECHAIN_WASM_STACK, 0, 0, entropy_esp, NULL) != 0) {
        ESP_LOGE(TAG, "firmware: %s", fw.error);
        vTaskDelete(NULL);
    }
    if (ds_open(&ds, "/spiffs/shard.efds", err, sizeof err) != 0 || board_init(&b, &cfg, &fw, &ds) != 0 || board_provision(&b, seed) != 0) {
        ESP_LOGE(TAG, "board: %s %s", err, b.error);
        vTaskDelete(NULL);
    }
    nvs_handle_t nvs;
    nvs_open("edgechain", NVS_READWRITE, &nvs);
    nvs_get_u64(nvs, "ctr", &b.ctr); /* the gateway rejects a counter it has seen (replay) */
    uint64_t last = 0;
    nvs_get_u64(nvs, "round", &last);
    b.last_round = last;
    ESP_LOGI(TAG, "board %s ready, %u samples, free heap %u", cfg.id, (unsigned)ds.n, (unsigned)esp_get_free_heap_size());
    for (;;) {
        message_t m;
        const uint8_t *upd;
        uint32_t n;
        uint64_t round;
        if (xQueueReceive(inbox, &m, portMAX_DELAY) != pdTRUE) continue;
        int r = board_on_global(&b, m.data, m.len, &upd, &n, &round);
        free(m.data);
        if (r == BOARD_UPDATE) {
            nvs_set_u64(nvs, "ctr", b.ctr);
            nvs_set_u64(nvs, "round", b.last_round);
            nvs_commit(nvs);
            esp_mqtt_client_publish(mqtt, update_topic, (const char *)upd, (int)n, 1, 0);
            ESP_LOGI(TAG, "round %llu: update %u B, loss %.4f", (unsigned long long)round, (unsigned)n, b.last_loss);
        } else if (r == BOARD_DONE) {
            ESP_LOGI(TAG, "run finished");
        } else if (r < 0) {
            ESP_LOGW(TAG, "%s", b.error);
        }
    }
}

void app_main(void)
{
    ESP_ERROR_CHECK(nvs_flash_init());
    esp_vfs_spiffs_conf_t fs = { .base_path = "/spiffs", .partition_label = "storage", .max_files = 4, .format_if_mount_failed = false };
    ESP_ERROR_CHECK(esp_vfs_spiffs_register(&fs));
    ESP_ERROR_CHECK(esp_netif_init());
    ESP_ERROR_CHECK(esp_event_loop_create_default());
    ESP_ERROR_CHECK(example_connect()); /* Wi-Fi credentials: idf.py menuconfig → Example Connection Configuration */

    snprintf(global_topic, sizeof global_topic, "fl/%s/global", CONFIG_EDGECHAIN_TASK);
    snprintf(update_topic, sizeof update_topic, "fl/%s/update/%s", CONFIG_EDGECHAIN_TASK, CONFIG_EDGECHAIN_DEVICE_ID);
    snprintf(presence_topic, sizeof presence_topic, "fl/%s/presence/%s", CONFIG_EDGECHAIN_TASK, CONFIG_EDGECHAIN_DEVICE_ID);
    inbox = xQueueCreate(1, sizeof(message_t));
    char client_id[80];
    snprintf(client_id, sizeof client_id, "dev-%s", CONFIG_EDGECHAIN_DEVICE_ID);
    esp_mqtt_client_config_t mc = { .broker.address.uri = CONFIG_EDGECHAIN_BROKER_URI, .credentials.client_id = client_id,
        .session.last_will = { .topic = presence_topic, .msg = PRESENCE_OFFLINE, .msg_len = 2, .qos = 1, .retain = 1 } };
    mqtt = esp_mqtt_client_init(&mc);
    esp_mqtt_client_register_event(mqtt, ESP_EVENT_ANY_ID, on_mqtt, NULL);
    /* the interpreter runs on its own task: WAMR's wasm stack lives in its heap, this is the native one */
    xTaskCreate(board_task, "board", 16 * 1024, NULL, 5, NULL);
    esp_mqtt_client_start(mqtt);
}
