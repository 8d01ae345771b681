/* crc32.h -- CRC-32 (internal). */
#ifndef PB_CRC32_H
#define PB_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* crc updated with n bytes at buf, as zlib's crc32(): start from 0. */
uint32_t pb__crc32(uint32_t crc, const void *buf, size_t n);

#endif
