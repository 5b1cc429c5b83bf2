/* A board's local dataset in flash or on disk, read sample by sample (boards/hosts/README.md):
 *   "EFDS" | u8 version = 1 | u8 kind = 0 (uint8 labels) | u16 0 | u32 n | u32 dim | u32 classes
 *   | n × dim uint8 features (row-major) | n uint8 labels            (little-endian, 20-byte header)
 * Written by boards/hosts/dataset-file.ts. Reads through stdio, which ESP-IDF maps onto its
 * SPIFFS/FAT/LittleFS partitions, so the same code runs on both hosts. */
#ifndef EDGECHAIN_DATASET_H
#define EDGECHAIN_DATASET_H

#include <stdint.h>
#include <stdio.h>

#define DS_HEADER_BYTES 20
#define DS_MAX_SAMPLES (1u << 24)
#define DS_MAX_DIM 1024u  /* firmware MAX_INPUTS */
#define DS_MAX_CLASSES 16u /* firmware MAX_OUTPUTS */

typedef struct ds {
    FILE *f;
    uint32_t n, dim, classes;
} ds_t;

/** Opens and checks a dataset file: header, limits and exact file size. 0, or -1 with `err`. */
int ds_open(ds_t *ds, const char *path, char *err, size_t errlen);
/** Reads sample `i`: `dim` features into x and its label into *y. 0, or -1 on an I/O error. */
int ds_read(ds_t *ds, uint32_t i, uint8_t *x, uint8_t *y);
void ds_close(ds_t *ds);

#endif
