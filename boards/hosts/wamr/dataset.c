/* See dataset.h. */
#include "dataset.h"

#include <string.h>

static uint32_t le32(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

int ds_open(ds_t *ds, const char *path, char *err, size_t errlen)
{
    uint8_t h[DS_HEADER_BYTES];
    long size;
    memset(ds, 0, sizeof *ds);
    ds->f = fopen(path, "rb");
    if (!ds->f) { snprintf(err, errlen, "cannot open dataset %s", path); return -1; }
    if (fread(h, 1, sizeof h, ds->f) != sizeof h) { snprintf(err, errlen, "dataset %s: truncated header", path); goto fail; }
    if (memcmp(h, "EFDS", 4) != 0 || h[4] != 1 || h[5] != 0 || h[6] != 0 || h[7] != 0) {
        snprintf(err, errlen, "dataset %s: not an EFDS v1 file with uint8 labels", path);
        goto fail;
    }
    ds->n = le32(h + 8); ds->dim = le32(h + 12); ds->classes = le32(h + 16);
    if (ds->n == 0 || ds->n > DS_MAX_SAMPLES || ds->dim == 0 || ds->dim > DS_MAX_DIM || ds->classes < 1 || ds->classes > DS_MAX_CLASSES) {
        snprintf(err, errlen, "dataset %s: n %u, dim %u, classes %u outside the limits", path, ds->n, ds->dim, ds->classes);
        goto fail;
    }
    if (fseek(ds->f, 0, SEEK_END) != 0 || (size = ftell(ds->f)) < 0) { snprintf(err, errlen, "dataset %s: cannot seek", path); goto fail; }
    if ((uint64_t)size != DS_HEADER_BYTES + (uint64_t)ds->n * ds->dim + ds->n) {
        snprintf(err, errlen, "dataset %s: %ld bytes, header says %llu", path, size,
                 (unsigned long long)(DS_HEADER_BYTES + (uint64_t)ds->n * ds->dim + ds->n));
        goto fail;
    }
    return 0;
fail:
    fclose(ds->f);
    ds->f = NULL;
    return -1;
}

int ds_read(ds_t *ds, uint32_t i, uint8_t *x, uint8_t *y)
{
    if (i >= ds->n) return -1;
    if (fseek(ds->f, (long)(DS_HEADER_BYTES + (uint64_t)i * ds->dim), SEEK_SET) != 0) return -1;
    if (fread(x, 1, ds->dim, ds->f) != ds->dim) return -1;
    if (fseek(ds->f, (long)(DS_HEADER_BYTES + (uint64_t)ds->n * ds->dim + i), SEEK_SET) != 0) return -1;
    return fread(y, 1, 1, ds->f) == 1 ? 0 : -1;
}

void ds_close(ds_t *ds)
{
    if (ds->f) fclose(ds->f);
    ds->f = NULL;
}
