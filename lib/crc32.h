/* crc32.h -- CRC-32/IEEE (reflected, polynomial 0xEDB88320), as zlib. */
#ifndef HPT_CRC32_H
#define HPT_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t hpti_crc32(const void *data, size_t n);

#endif
