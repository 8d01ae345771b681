/*
 * sha256.h -- SHA-256 (FIPS 180-4), for the API's bearer tokens, which
 * are kept only as their hash (docs/api.md, "Tokens").
 */
#ifndef PB_SHA256_H
#define PB_SHA256_H

#include <stddef.h>

#define PB__SHA256_HEX 65 /* 64 hex digits and the NUL */

/* The hash of len bytes at data, as lowercase hex into hex. */
void pb__sha256_hex(const void *data, size_t len, char hex[PB__SHA256_HEX]);

#endif
