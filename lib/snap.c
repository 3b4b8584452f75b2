/* snap.c -- strategy states as machine-independent bytes and their base64
 * text (snap.h). */
#include <string.h>

#include "snap.h"

static void put(hpti_snapw *w, const unsigned char *b, size_t k)
{
    if (w->oom)
        return;
    if (hpti_grow((void **)&w->p, &w->cap, w->n + k, 1)) {
        w->oom = 1;
        return;
    }
    memcpy(w->p + w->n, b, k);
    w->n += k;
}

void hpti_snapw_u64(hpti_snapw *w, uint64_t v)
{
    unsigned char b[10];
    size_t k = 0;
    do {
        b[k] = (unsigned char)(v & 0x7f);
        v >>= 7;
        b[k++] |= v ? 0x80 : 0;
    } while (v);
    put(w, b, k);
}

void hpti_snapw_f64(hpti_snapw *w, double v)
{
    uint64_t u;
    unsigned char b[8];
    memcpy(&u, &v, sizeof u);
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(u >> (8 * i));
    put(w, b, 8);
}

void hpti_snapw_rng(hpti_snapw *w, const hpti_rng *r)
{
    for (int i = 0; i < 4; i++)
        hpti_snapw_u64(w, r->s[i]);
}

void hpti_snapw_free(hpti_snapw *w)
{
    hpti_free(w->p);
    memset(w, 0, sizeof *w);
}

uint64_t hpti_snapr_u64(hpti_snapr *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->bad || r->at >= r->n)
            break;
        unsigned char b = r->p[r->at++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    r->bad = 1;
    return 0;
}

double hpti_snapr_f64(hpti_snapr *r)
{
    double v = 0;
    if (r->bad || r->n - r->at < 8) {
        r->bad = 1;
        return 0;
    }
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u |= (uint64_t)r->p[r->at++] << (8 * i);
    memcpy(&v, &u, sizeof v);
    return v;
}

void hpti_snapr_rng(hpti_snapr *r, hpti_rng *out)
{
    for (int i = 0; i < 4; i++)
        out->s[i] = hpti_snapr_u64(r);
}

uint64_t hpti_snapr_max(hpti_snapr *r, uint64_t max)
{
    uint64_t v = hpti_snapr_u64(r);
    if (v > max) {
        r->bad = 1;
        return 0;
    }
    return v;
}

int hpti_snapr_ok(const hpti_snapr *r) { return !r->bad && r->at == r->n; }

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void hpti_b64_encode(const unsigned char *p, size_t n, char *out)
{
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        for (int k = 0; k < 4; k++)
            *out++ = b64[(v >> (18 - 6 * k)) & 63];
    }
    if (n - i) {
        uint32_t v = (uint32_t)p[i] << 16 | (n - i == 2 ? (uint32_t)p[i + 1] << 8 : 0);
        for (size_t k = 0; k <= n - i; k++)
            *out++ = b64[(v >> (18 - 6 * k)) & 63];
    }
    *out = '\0';
}

/* b64's index of c, or -1: by ranges, not a search (every replayed ask
 * decodes its state) */
static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

int hpti_b64_decode(const char *s, unsigned char *out, size_t *n)
{
    size_t len = strlen(s), k = 0;
    if (len % 4 == 1)
        return -1;
    for (size_t i = 0; i < len; i += 4) {
        uint32_t v = 0;
        size_t m = len - i < 4 ? len - i : 4;
        for (size_t j = 0; j < 4; j++) {
            int c = j < m ? b64_value(s[i + j]) : 0;
            if (c < 0)
                return -1;
            v = v << 6 | (uint32_t)c;
        }
        for (size_t j = 0; j + 1 < m; j++)
            out[k++] = (unsigned char)(v >> (16 - 8 * j));
    }
    *n = k;
    return 0;
}
