// Int8 scan of a face gallery: the first pass of Linli's face matching. The codes are a per-vector
// scaled int8 copy of L2-normalised float vectors, so one pass reads a quarter of the bytes a float scan
// reads; the best candidates are then re-ranked exactly in float (Swift side). The kernel is chosen at
// run time, so the same binary runs on CPUs without AVX2 or AVX-512.
#include "linli_face.h"

#if defined(__x86_64__) || defined(__i386__)
#define LINLI_X86 1
#include <immintrin.h>
#endif

// Gallery codes are stored offset by 128 (the int8 value XOR 0x80, so 0..255): VNNI multiplies them as
// unsigned bytes by the signed query directly and takes 128 * sum(query) off; the other kernels undo the
// offset on load.

static int32_t dot_scalar(const int8_t *q, const uint8_t *g, size_t dim) {
    int32_t sum = 0;
    for (size_t i = 0; i < dim; i++) sum += (int32_t)q[i] * ((int32_t)g[i] - 128);
    return sum;
}

static void scan_scalar(const int8_t *q, const uint8_t *codes, size_t count, size_t dim, int32_t *out) {
    for (size_t r = 0; r < count; r++) out[r] = dot_scalar(q, codes + r * dim, dim);
}

#ifdef LINLI_X86
// AVX2: |q| (unsigned) times g with q's sign (signed), pairwise into int16 without saturation
// (|values| <= 127, so 2 * 127 * 127 < 32767), then into int32.
__attribute__((target("avx2"))) static int32_t dot_avx2(const int8_t *a, const uint8_t *b, size_t dim) {
    __m256i acc = _mm256_setzero_si256();
    const __m256i ones = _mm256_set1_epi16(1);
    const __m256i offset = _mm256_set1_epi8((char)0x80);
    for (size_t i = 0; i < dim; i += 32) {
        __m256i va = _mm256_loadu_si256((const __m256i *)(a + i));
        __m256i vb = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(b + i)), offset);
        __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(va, va), _mm256_sign_epi8(vb, va));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, ones));
    }
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

__attribute__((target("avx2"))) static void scan_avx2(
    const int8_t *q, const uint8_t *codes, size_t count, size_t dim, int32_t *out) {
    for (size_t r = 0; r < count; r++) {
        _mm_prefetch((const char *)(codes + (r + 4) * dim), _MM_HINT_T0);
        out[r] = dot_avx2(q, codes + r * dim, dim);
    }
}

// AVX-512 VNNI: vpdpbusd multiplies the offset gallery bytes (u8) by the query (s8) and sums groups of
// four into int32 lanes; two rows per iteration keep two accumulator chains in flight.
__attribute__((target("avx512f,avx512bw,avx512vnni"))) static void scan_vnni(
    const int8_t *q, const uint8_t *codes, size_t count, size_t dim, int32_t *out) {
    __m512i query[16];
    size_t chunks = dim / 64;
    int32_t bias = 0;
    for (size_t i = 0; i < dim; i++) bias += 128 * (int32_t)q[i];
    for (size_t c = 0; c < chunks && c < 16; c++) query[c] = _mm512_loadu_si512((const void *)(q + c * 64));
    size_t r = 0;
    for (; r + 1 < count; r += 2) {
        const uint8_t *g0 = codes + r * dim, *g1 = g0 + dim;
        __m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512();
        for (size_t c = 0; c < chunks; c++) {
            a0 = _mm512_dpbusd_epi32(a0, _mm512_loadu_si512((const void *)(g0 + c * 64)), query[c]);
            a1 = _mm512_dpbusd_epi32(a1, _mm512_loadu_si512((const void *)(g1 + c * 64)), query[c]);
        }
        out[r] = _mm512_reduce_add_epi32(a0) - bias;
        out[r + 1] = _mm512_reduce_add_epi32(a1) - bias;
    }
    for (; r < count; r++) {
        const uint8_t *g0 = codes + r * dim;
        __m512i a0 = _mm512_setzero_si512();
        for (size_t c = 0; c < chunks; c++)
            a0 = _mm512_dpbusd_epi32(a0, _mm512_loadu_si512((const void *)(g0 + c * 64)), query[c]);
        out[r] = _mm512_reduce_add_epi32(a0) - bias;
    }
}
#endif

static int best_kernel(void) {
#ifdef LINLI_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vnni"))
        return LINLI_FACE_VNNI;
    if (__builtin_cpu_supports("avx2")) return LINLI_FACE_AVX2;
#endif
    return LINLI_FACE_SCALAR;
}

static int chosen = -1;

int linli_face_kernel(void) {
    if (chosen < 0) chosen = best_kernel();
    return chosen;
}

int linli_face_use_kernel(int kernel) {
    int best = best_kernel();
    chosen = kernel <= best ? kernel : best;
    return chosen;
}

static void scan(const int8_t *q, const uint8_t *codes, size_t count, size_t dim, int32_t *out) {
    switch (linli_face_kernel()) {
#ifdef LINLI_X86
    case LINLI_FACE_VNNI:
        if (dim <= 1024) { scan_vnni(q, codes, count, dim, out); return; }
        scan_avx2(q, codes, count, dim, out);
        return;
    case LINLI_FACE_AVX2: scan_avx2(q, codes, count, dim, out); return;
#endif
    default: scan_scalar(q, codes, count, dim, out); return;
    }
}

int32_t linli_face_dot(const int8_t *a, const uint8_t *b, size_t dim) {
    int32_t out = 0;
    scan(a, b, 1, dim, &out);
    return out;
}

size_t linli_face_top_k(
    const int8_t *query, const uint8_t *codes, const float *inverse_scale, size_t count, size_t dim, size_t k,
    int32_t *rows, float *scores) {
    enum { BLOCK = 256 };
    int32_t block[BLOCK];
    size_t kept = 0;
    if (k == 0) return 0;
    for (size_t start = 0; start < count; start += BLOCK) {
        size_t n = count - start < BLOCK ? count - start : BLOCK;
        scan(query, codes + start * dim, n, dim, block);
        for (size_t i = 0; i < n; i++) {
            float s = (float)block[i] * inverse_scale[start + i];
            if (kept == k && s <= scores[k - 1]) continue;
            size_t at = kept < k ? kept++ : k - 1;
            while (at > 0 && scores[at - 1] < s) {
                scores[at] = scores[at - 1];
                rows[at] = rows[at - 1];
                at--;
            }
            scores[at] = s;
            rows[at] = (int32_t)(start + i);
        }
    }
    return kept;
}
