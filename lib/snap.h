/* snap.h -- strategy states as bytes: what a journaled ask records so that
 * a reopen restores the strategy instead of re-running it (strategy.h,
 * hooks snapshot and restore).
 *
 * The bytes are machine-independent: unsigned integers as LEB128 varints
 * (7 bits a byte, low first), doubles as their IEEE 754 bits in 8 bytes,
 * little-endian, so a journal written on one machine restores on any
 * other. The journal stores them in base64 (RFC 4648 section 4, without
 * padding), a text that needs no %-escaping. */
#ifndef HPT_SNAP_H
#define HPT_SNAP_H

#include "common.h"
#include "rng.h"

/* A growing byte buffer; a failed growth sets oom and drops the rest (the
 * ask is then recorded without a state, which reopening re-executes). */
typedef struct hpti_snapw {
    unsigned char *p; /* owned */
    size_t n, cap;
    int oom;
} hpti_snapw;

void hpti_snapw_u64(hpti_snapw *w, uint64_t v);
void hpti_snapw_f64(hpti_snapw *w, double v);
void hpti_snapw_rng(hpti_snapw *w, const hpti_rng *r);
void hpti_snapw_free(hpti_snapw *w);

/* Reading: every get past the end or of a malformed varint sets bad and
 * returns 0. */
typedef struct hpti_snapr {
    const unsigned char *p;
    size_t n, at;
    int bad;
} hpti_snapr;

uint64_t hpti_snapr_u64(hpti_snapr *r);
double hpti_snapr_f64(hpti_snapr *r);
void hpti_snapr_rng(hpti_snapr *r, hpti_rng *out);
/* A u64 that must be at most max (else bad). */
uint64_t hpti_snapr_max(hpti_snapr *r, uint64_t max);
/* 1 when every byte was read and none was bad. */
int hpti_snapr_ok(const hpti_snapr *r);

/* base64: the text of n bytes takes hpti_b64_len(n) chars plus a NUL. */
static inline size_t hpti_b64_len(size_t n) { return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0); }
void hpti_b64_encode(const unsigned char *p, size_t n, char *out);
/* Decode s (NUL-terminated) into out (room for strlen(s) * 3 / 4 bytes).
 * @return 0 with *n, or -1 for a character outside the alphabet or a
 * length no encoding has. */
int hpti_b64_decode(const char *s, unsigned char *out, size_t *n);

#endif
